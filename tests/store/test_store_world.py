"""Each run's world (numbers, routing, menus, stubbed webhooks, timings) in the store: written by the
writer as the platform holds it, read back as untrusted input (size, strict JSON, validated shape)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from aployee_sim.adapters.store import Store, StoreError, StoreWriter
from aployee_sim.adapters.store.world import MAX_WORLD_BYTES, read_world
from aployee_sim.api import Simulator
from aployee_sim.core.timings import Timings
from aployee_sim.platform.directory import Directory
from aployee_sim.tui.sources import SourceError
from aployee_sim.tui.sources.store_source import StoreSource

ROUTING = {
    "phone_numbers": [{"number": "+15550100", "assistant": "Front", "routing": "office"}],
    "routing": {"office": {"timezone": "America/New_York",
                           "rules": [{"days": "mon-fri", "from": "09:00", "to": "17:30", "menu": "main"}],
                           "default": {"assistant": "Front"}}},
    "menus": {"main": {"prompt": "Press 1 for sales.", "options": [{"digit": "1", "assistant": "Sales"}]}},
}


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "runs.db"
    sim = Simulator(seed=2, timings=Timings().with_overrides({"silence_timeout_ms": 9000}))
    sim.create_assistant(name="Front", telephony="inbound")
    sales = sim.create_assistant(name="Sales", telephony="inbound")
    sim.directory.update(ROUTING)
    sim.route_webhook("https://hooks.shop.test/a", [{"reply": "Hi."}])
    with Store(path) as store:
        writer = StoreWriter(store, run_id="run_a").attach(sim)
        sim.place_inbound("+15559870001", "+15550100")
        sim.run(seconds=30)
        writer.flush()
    yield path, sim, sales
    sim.close()


def test_the_writer_stores_the_world_and_it_reads_back_equal(written):
    path, sim, _ = written
    with Store(path, readonly=True) as store:
        world = read_world(store.world("run_a"), "run_a")
        assert store.world("run_b") is None
    assert world is not None
    assert world.directory == sim.directory.routing_config()
    assert world.directory["routing"]["office"]["rules"][0]["to"] == "17:30"          # as a file writes it
    again = Directory().update(world.directory)
    assert again.rule_sets == sim.directory.rule_sets and again.menus == sim.directory.menus
    assert world.stubbed == ["https://hooks.shop.test/a"] and world.timings == {"silence_timeout_ms": 9000}
    assert sorted(world.scripts) == sorted(sim.assistants)                 # built-in assistants' intents
    assert all(script == {"intents": [], "fallback_reply": None} for script in world.scripts.values())


def test_a_changed_directory_is_written_again(written):
    path, sim, _ = written
    with Store(path) as store:
        writer = StoreWriter(store, run_id="run_b").attach(sim)
        sim.directory.add_number("+15550199", assistant="Sales")
        assert writer.flush() == 0                                   # no call changed, the world did
        numbers = read_world(store.world("run_b"), "run_b").directory["phone_numbers"]
    assert [n["number"] for n in numbers] == ["+15550100", "+15550199"]


def world_row(**changes: str) -> str:
    """A stored world's JSON text with some members replaced by raw JSON text."""
    members = {"directory": "{}", "stubbed": "[]", "timings": "{}", "scripts": "{}", **changes}
    return "{" + ", ".join(f'"{k}": {v}' for k, v in members.items() if v is not None) + "}"


@pytest.mark.parametrize(("row", "message"), [
    (world_row(timings='{"x": NaN}'), "not strict JSON"),
    (world_row(scripts=None), "exactly directory, stubbed, timings, scripts"),
    (world_row(directory='{"menus": {"m": {"prompt": "p", "options": []}}}'), "menus.m.options"),
    (world_row(stubbed="[1]"), "stubbed must be a list of URLs"),
    (world_row(timings='{"ring_ms": 5}'), "timings.ring_ms"),
    (world_row(timings='{"dial_ms": true}'), "timings.dial_ms"),
    (world_row(scripts='{"a": {"intents": [{"say": 1}], "fallback_reply": null}}'), "scripts.a must hold intents"),
    (world_row(stubbed='["' + "x" * MAX_WORLD_BYTES + '"]'), "larger than"),
])
def test_a_tampered_world_is_one_clear_error_in_the_tui(written, row, message):
    path, sim, _ = written
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE worlds SET data = ? WHERE run_id = 'run_a'", (row,))
    with pytest.raises(StoreError, match=message):
        read_world(row, "run_a")
    source = StoreSource(path)
    call = source.call_rows()[0]
    with pytest.raises(SourceError, match=message):
        source.call_data(call.id, call.run_id)
    source.close()
