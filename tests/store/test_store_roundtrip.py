"""A call read back from the store serves the same resources as the running platform, byte for byte."""

from __future__ import annotations

import json

import pytest
from store_helpers import busy_simulator, place_calls

from aployee_sim.adapters.store import Store, StoreWriter
from aployee_sim.contract.errors import ApiError


def as_json(value) -> str:
    return json.dumps(value, sort_keys=False)


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path):
    with Store(None if request.param == "memory" else tmp_path / "calls.db") as opened:
        yield opened


@pytest.mark.parametrize("batch", [False, True])
def test_finished_calls_read_back_byte_for_byte(store, batch):
    sim = busy_simulator()
    writer = StoreWriter(store, batch=batch).attach(sim)
    ids = place_calls(sim, 8)
    for _ in range(40):  # incremental: flush while the calls run
        sim.run(seconds=0.5)
        writer.flush()
    sim.run()
    writer.flush()
    statuses = set()
    for call_id in ids:
        stored = store.get_call(call_id)
        assert sim.is_terminal(call_id)
        statuses.add(stored.record.status)
        assert as_json(stored.details()) == as_json(sim.call_details(call_id))
        assert as_json(stored.timeline()) == as_json(sim.timeline(call_id))
        assert as_json(stored.transcript()) == as_json(sim.transcript(call_id))
        assert as_json(stored.latency()) == as_json(sim.latency(call_id))
        assert as_json(stored.live_state()) == as_json(sim.live_state(call_id))
        assert stored.events == sim.events(call_id)  # equal, field by field
        assert as_json(stored.exchanges) == as_json(sim.exchanges(call_id))
    assert statuses == {"completed", "transferred", "failed"}
    assert any(store.get_call(i).exchanges for i in ids)


def test_ended_calls_are_complete_without_flush_and_created_calls_at_once(store):
    sim = busy_simulator()
    StoreWriter(store).attach(sim)
    call_id = place_calls(sim, 1)[0]
    assert store.get_call(call_id).details() == sim.call_details(call_id)  # written by the created listener
    sim.run()
    assert store.get_call(call_id).details()["status"] == "completed"
    assert store.get_call(call_id).timeline() == sim.timeline(call_id)


def test_live_call_rows_follow_flushes(store):
    sim = busy_simulator()
    writer = StoreWriter(store).attach(sim)
    call_id = place_calls(sim, 1)[0]
    sim.run(seconds=8)
    assert writer.flush() == 1
    assert writer.flush() == 0  # nothing new
    stored = store.get_call(call_id)
    assert stored.record.status == "in_progress"
    assert stored.live_state() == sim.live_state(call_id)
    assert store.list_calls(status="in_progress")["total"] == 1


def test_attach_catches_up_and_reset_replays_replace_rows(store):
    sim = busy_simulator()
    ids = place_calls(sim, 3)
    sim.run()
    writer = StoreWriter(store).attach(sim)  # calls placed before attaching are stored too
    assert sorted(store.call_ids()) == sorted(ids)
    sim.reset()
    sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url="https://hooks.test/store",
                         first_message="Hello, Alex here.")
    again = place_calls(sim, 1)
    sim.run()
    writer.flush()
    assert again[0] == ids[0]  # same seed, same id: the replay replaces the stored call (no stale rows)
    assert store.get_call(ids[0]).events == sim.events(ids[0])
    assert store.get_call(ids[0]).exchanges == sim.exchanges(ids[0])


def test_scrubbing_shows_the_call_as_it_was(store):
    sim = busy_simulator()
    StoreWriter(store).attach(sim)
    call_id = place_calls(sim, 1)[0]
    sim.run()
    stored = store.get_call(call_id)
    started = next(e.t_ms for e in stored.events if e.type == "reasoning_started")
    early = stored.at(started)
    assert early.record.status == "in_progress"
    assert early.live_state()["reasoning_status"]["active"] is True
    assert early.details()["ended_at"] is None and len(early.exchanges) == 1


def test_unknown_call_is_a_404(store):
    with pytest.raises(ApiError) as caught:
        store.get_call("call_missing")
    assert caught.value.status == 404


def test_batch_mode_writes_only_on_flush(store):
    sim = busy_simulator()
    writer = StoreWriter(store, batch=True).attach(sim)
    ids = place_calls(sim, 4)
    sim.run()
    assert store.list_calls()["total"] == 0
    assert writer.flush() == 4
    assert sorted(store.call_ids()) == sorted(ids)
    assert all(store.get_call(i).details() == sim.call_details(i) for i in ids)
    assert writer.flush() == 0
