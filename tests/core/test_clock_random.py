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
