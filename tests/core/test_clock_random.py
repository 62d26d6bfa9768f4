"""The virtual clock's formatting and the seeded random source."""

from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.randomness import SeededRandom


def test_timestamps_are_utc_with_z_seconds_and_millis():
    clock = VirtualClock("2024-01-15T10:30:00Z")
    assert clock.iso_seconds(5_999) == "2024-01-15T10:30:05Z"
    assert clock.iso_millis(5_042) == "2024-01-15T10:30:05.042Z"
    assert clock.iso_seconds(337_000 + 5_000) == "2024-01-15T10:35:42Z"


def test_timestamps_before_the_epoch_and_beyond_the_cached_seconds():
    clock = VirtualClock("2024-01-15T10:30:00Z")
    assert clock.iso_millis(-1) == "2024-01-15T10:29:59.999Z"
    assert clock.iso_seconds(-1) == "2024-01-15T10:29:59Z"
    texts = [clock.iso_seconds(s * 1000) for s in range(10_000)]  # more seconds than the cache keeps
    assert texts[0] == clock.iso_seconds(0) == "2024-01-15T10:30:00Z"
    assert texts[-1] == "2024-01-15T13:16:39Z"
    assert clock.iso_millis(86_400_007) == "2024-01-16T10:30:00.007Z"


def test_naive_and_offset_epochs_are_taken_as_utc():
    assert VirtualClock("2024-01-15T12:30:00+02:00").iso_seconds(0) == "2024-01-15T10:30:00Z"
    assert VirtualClock("2024-01-15T10:30:00").iso_seconds(0) == "2024-01-15T10:30:00Z"


def test_ids_are_prefixed_lowercase_alphanumerics_and_reproducible():
    a, b = SeededRandom(3), SeededRandom(3)
    ids = [a.make_id("call") for _ in range(5)]
    assert ids == [b.make_id("call") for _ in range(5)]
    assert all(i.startswith("call_") and i[5:].isalnum() and i[5:].islower() for i in ids)
    assert len(set(ids)) == 5
    assert SeededRandom(4).make_id("call") != ids[0]


def test_draws_are_uniform_enough_and_streams_independent():
    rng = SeededRandom(0)
    draws = [rng.jitter_ms(0, 9) for _ in range(20_000)]
    counts = [draws.count(k) for k in range(10)]
    assert min(counts) > 1800 and max(counts) < 2200  # each digit near 2,000 (about 7 sigma of slack)
    assert all(0.0 <= rng.random() < 1.0 for _ in range(1000))
    first = [SeededRandom(0).for_call(f"#{n}").jitter_ms(0, 1_000_000) for n in range(200)]
    assert len(set(first)) > 195  # neighbouring keys give unrelated streams
    assert SeededRandom(0).for_call("a").make_id("call") == SeededRandom(0).for_call("a").make_id("call")
