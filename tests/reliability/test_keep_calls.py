"""`serve --keep-calls N` (issue 22 item 8): ended calls beyond the newest N leave memory and are
read back from the store, so a long-running server stays bounded while every route answers
exactly what it answered with all calls in memory (docs/server.md, "Memory")."""

from __future__ import annotations

import subprocess
import sys

from serve_process import Served

from aployee_sim.adapters.store import Store, StoreWriter
from aployee_sim.adapters.store.resume import read_call
from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say

ROUTES = ("", "/live-state", "/transcript", "/timeline", "/latency")


def _campaign(sim: Simulator) -> list[str]:
    """Eight short calls, placed 20 s apart (each ends before the next few start), and one left live."""
    sim.route_webhook("https://hooks.example.test/r", lambda request: {"reply": "Noted.", "state": {"n": 1}})
    assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook",
                                     webhook_url="https://hooks.example.test/r")["id"]
    ids = []
    for n in range(8):
        caller = ScriptedCaller([say(f"This is caller {n}."), say("Thanks."), hang_up()])
        ids.append(sim.start_call(assistant, f"+1555123000{n}", caller=caller)["id"])
        sim.run(seconds=20)
    ids.append(sim.start_call(assistant, "+15551239999", caller=ScriptedCaller([say("Still here.")]))["id"])
    sim.run(seconds=5)
    return ids


def _everything(sim: Simulator, ids: list[str]) -> dict[str, object]:
    return {"details": [sim.call_details(i) for i in ids], "timeline": [sim.timeline(i) for i in ids],
            "events": [[e.type for e in sim.events(i)] for i in ids],
            "exchanges": [sim.exchanges(i, wall_clock=False) for i in ids],
            "pages": [sim.list_calls(limit=3, offset=k) for k in (0, 3, 6)],
            "completed": sim.list_calls(status="completed", limit=100)}


def test_evicted_calls_answer_exactly_as_in_memory(tmp_path):
    with Simulator(seed=5) as plain:
        expected = _everything(plain, ids := _campaign(plain))
    with Simulator(seed=5) as sim:
        writer = StoreWriter(Store(tmp_path / "calls.db")).attach(sim)
        sim.keep_ended_calls(2, lambda call_id: read_call(writer.store, sim.clock, call_id))
        assert _campaign(sim) == ids  # eviction changes no id
        assert len(sim.calls) == 3  # the two newest ended calls and the live one
        assert _everything(sim, ids) == expected
        writer.detach()
        writer.store.close()


def test_a_server_with_keep_calls_serves_every_call(tmp_path):
    def run(args: list[str]) -> dict[str, object]:
        with Served(["--clock", "manual", *args]) as server, server.client() as api:
            assistant = api.post("/v1/assistants", json={"name": "Alex"}).json()["id"]
            ids = []
            for _ in range(5):
                ids.append(api.post("/v1/calls", json={"assistant_id": assistant, "to": "+15551234567"}).json()["id"])
                api.post("/_sim/clock/advance", json={"seconds": 10})
                api.post(f"/_sim/calls/{ids[-1]}/hangup")
                api.post("/_sim/clock/advance", json={"seconds": 1})
            return {"calls": {i: [api.get(f"/v1/calls/{i}{route}").text for route in ROUTES] for i in ids},
                    "list": api.get("/v1/calls?limit=2&offset=1").text, "missing": api.get("/v1/calls/call_x").status_code}

    kept = run(["--db", str(tmp_path / "kept.db"), "--keep-calls", "1"])
    assert kept == run(["--db", str(tmp_path / "all.db")])
    assert kept["missing"] == 404


def test_keep_calls_without_a_store_is_one_line_and_exit_2():
    done = subprocess.run([sys.executable, "-m", "aployee_sim.cli", "serve", "--port", "0", "--keep-calls", "5"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("--keep-calls needs --db FILE: the ended calls it takes "
                                                         "out of memory are read back from the store")
