"""A server restarted on its store carries on: stored calls served, no id reissued, clock never back.

The minimal case of the data-loss report: start `serve --db`, create an assistant and a call, stop,
start again with the same seed, create again. Before the fix the second server issued the same
`asst_…`/`call_…` ids and overwrote the first call.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hostile_receiver import HostileReceiver
from mcp.server.mcpserver import MCPServer
from serve_process import Served
from store_versions import as_schema_3

from aployee_sim.adapters.store import Store, StoreWriter
from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say
from aployee_sim.mcp_serving import McpHttpServer

CREATED_FIELDS = ("id", "assistant_id", "to", "from", "created_at")


def _create_both(api, name: str) -> tuple[dict, dict]:
    assistant = api.post("/v1/assistants", json={"name": name})
    assert assistant.status_code == 201, assistant.text
    call = api.post("/v1/calls", json={"assistant_id": assistant.json()["id"], "to": "+15551234567",
                                       "initial_state": {"who": name}})
    assert call.status_code == 201, call.text
    return assistant.json(), call.json()


def test_a_restarted_server_serves_its_calls_and_issues_new_ids(tmp_path):
    db = tmp_path / "calls.db"
    with Served(["--db", str(db)]) as first, first.client() as api:
        assistant1, call1 = _create_both(api, "First")
        assert api.post("/_sim/clock/advance", json={"seconds": 120}).status_code == 200
        details1 = api.get(f"/v1/calls/{call1['id']}").json()
        timeline1 = api.get(f"/v1/calls/{call1['id']}/timeline").json()
        latest_event = max(e["timestamp"] for e in timeline1["events"])
    with Served(["--db", str(db)]) as second, second.client() as api:
        assert f"store:           {db}: 1 stored call and 1 assistant resumed" in second.banner
        assert api.get("/_sim/clock").json()["now"] >= latest_event  # the virtual clock did not go back
        assert api.get(f"/v1/calls/{call1['id']}").json() == details1
        assert api.get(f"/v1/calls/{call1['id']}/timeline").json() == timeline1
        assert api.get(f"/v1/assistants/{assistant1['id']}").json() == assistant1
        assistant2, call2 = _create_both(api, "Second")
        assert assistant2["id"] != assistant1["id"] and call2["id"] != call1["id"]
        listed = [c["id"] for c in api.get("/v1/calls").json()["data"]]
        assert set(listed) == {call1["id"], call2["id"]}
        assert api.get(f"/v1/calls/{call1['id']}").json() == details1  # not overwritten
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_fresh_store_gives_the_same_ids_as_no_store(tmp_path):
    def ids(store: Store | None) -> list[str]:
        sim = Simulator(seed=11)
        if store is not None:
            StoreWriter(store).attach(sim, resume=True)
        assistant = sim.create_assistant(name="Alex")["id"]
        return [assistant] + [sim.start_call(assistant, "+15551234567")["id"] for _ in range(3)]

    with Store(tmp_path / "fresh.db") as store:
        assert ids(store) == ids(None)


def test_a_call_live_at_the_restart_ends_interrupted_and_its_webhooks_are_kept(tmp_path):
    db = tmp_path / "calls.db"
    hook = "https://hooks.test/r"
    with Store(db) as store:
        sim = Simulator(seed=2)
        writer = StoreWriter(store).attach(sim)
        assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=hook)["id"]
        sim.route_webhook(hook, lambda req: {"reply": "Noted.", "state": {**req["state"], "n": 1}})
        done = sim.start_call(assistant, "+15551234567", caller=ScriptedCaller([say("Hi there"), hang_up()]))["id"]
        live = sim.start_call(assistant, "+15551234568", caller=ScriptedCaller([say("Still here")]))["id"]
        sim.run(seconds=12)
        writer.flush()  # what the server's engine hook does; then the process "dies" (nothing more is written)
        writer_exchanges = sim.exchanges()
        details_done, live_before = sim.call_details(done), sim.call_details(live)
        assert live_before["status"] == "in_progress"
    with Store(db) as store:
        sim2 = Simulator(seed=2)
        writer2 = StoreWriter(store).attach(sim2, resume=True)
        assert sim2.now_ms >= max(e.t_ms for cid in (done, live) for e in sim2.events(cid)[:-1])
        assert sim2.call_details(done) == details_done
        ended = sim2.call_details(live)
        assert ended["status"] == "failed" and sim2.record(live).end_reason == "interrupted"
        assert ended["summary"].startswith("Outbound call to +15551234568 failed: the simulator stopped")
        assert [x for x in sim2.exchanges() if x["call_id"] == done] == \
               [x for x in writer_exchanges if x["call_id"] == done]
        writer2.flush()
        assert store.get_call(live).details() == ended  # the interruption is stored too
    with Store(db) as store:  # and a third start sees the same
        sim3 = Simulator(seed=2)
        StoreWriter(store).attach(sim3, resume=True)
        assert sim3.call_details(live) == ended and sim3.call_details(done) == details_done


def test_a_deleted_assistant_stays_deleted_after_a_restart(tmp_path):
    db = tmp_path / "calls.db"
    with Store(db) as store:
        sim = Simulator(seed=4)
        StoreWriter(store).attach(sim)
        gone = sim.create_assistant(name="Gone")["id"]
        call = sim.start_call(gone, "+15005550002")["id"]
        sim.run()
        sim.delete_assistant(gone)
        details = sim.call_details(call)
    with Store(db) as store:
        sim2 = Simulator(seed=4)
        StoreWriter(store).attach(sim2, resume=True)
        assert gone not in sim2.assistants and sim2.call_details(call) == details
        assert store.assistants() == []
        assert sim2.create_assistant(name="New")["id"] != gone


def test_run_db_appends_runs(tmp_path, capsys):
    from aployee_sim.cli import main

    scenario = Path(__file__).parents[2] / "scenarios" / "busy.scenario.yaml"
    db = tmp_path / "runs.db"
    assert main(["run", str(scenario), "--db", str(db)]) == 0
    assert main(["run", str(scenario), "--db", str(db)]) == 0
    capsys.readouterr()
    with Store(db) as store:
        runs = store.runs()
        assert len(runs) == 2 and len({r["id"] for r in runs}) == 2
        assert sorted(c["run_id"] for c in store.list_calls()["calls"]) == sorted(r["id"] for r in runs)


def test_a_reset_on_a_resumed_platform_reissues_no_stored_id(tmp_path):
    with Store(tmp_path / "calls.db") as store:
        sim = Simulator(seed=6)
        StoreWriter(store).attach(sim, resume=True)
        first = sim.create_assistant(name="A")["id"]
        call = sim.start_call(first, "+15005550002", initial_state={"n": 1})["id"]
        sim.run()
        stored = store.get_call(call).details()
        sim.reset()  # forgets the calls in memory; the store keeps them and their ids stay taken
        again = sim.create_assistant(name="A")["id"]
        assert again != first and sim.start_call(again, "+15005550002")["id"] != call
        sim.run()
        assert store.get_call(call).details() == stored


def _shop() -> MCPServer:
    """A real MCP server with one tool that answers structured content."""
    shop = MCPServer("shop")

    @shop.tool()
    def check_order_status(order_id: str) -> dict:
        """An order's status (a dict: sent as JSON text)."""
        return {"order_id": order_id, "status": "shipped"}

    return shop


def _converse(api, assistant: dict, utterance: str) -> str:
    """One call on `assistant` (manual clock): it connects, the caller says `utterance`, the
    assistant reasons (a real webhook or a real MCP tool) and answers, then the caller hangs up."""
    created = api.post("/v1/assistants", json={"first_message": "Hi.", **assistant})
    assert created.status_code == 201, created.text
    call = api.post("/v1/calls", json={"assistant_id": created.json()["id"], "to": "+15005550006"})
    assert call.status_code == 201, call.text
    call_id = call.json()["id"]
    assert api.post("/_sim/clock/advance", json={"seconds": 9}).status_code == 200  # answered, greeted
    said = api.post(f"/_sim/calls/{call_id}/say", json={"text": utterance})
    assert said.status_code == 200, said.text
    assert api.post("/_sim/clock/advance", json={"seconds": 5}).status_code == 200
    assert api.post(f"/_sim/calls/{call_id}/hangup").status_code == 200
    assert api.post("/_sim/clock/advance", json={"seconds": 5}).status_code == 200
    return call_id


def _served_bytes(api, call_ids: list[str]) -> dict[str, bytes]:
    """Every resource a stored call is served as, byte for byte (documented routes and /_sim)."""
    paths = ["/_sim/webhooks", "/v1/calls"]
    for call_id in call_ids:
        paths += [f"/v1/calls/{call_id}{tail}" for tail in ("", "/transcript", "/timeline", "/latency",
                                                             "/live-state")]
        paths.append(f"/_sim/calls/{call_id}/events")
    answers = {path: api.get(path) for path in paths}
    assert all(r.status_code == 200 for r in answers.values()), {p: r.text for p, r in answers.items()}
    return {path: r.content for path, r in answers.items()}


@pytest.mark.parametrize("written_by", ["this version", "schema 3"])
def test_a_restart_serves_stored_webhook_and_mcp_exchanges_byte_for_byte(tmp_path, written_by):
    """A store holding a real webhook exchange and a real MCP tool call resumes: before the fix
    the second server exited with `KeyError: 'request'` (resume read every exchange as a webhook's).
    A file of schema 3 (exchanges stored as their projected dicts) resumes the same."""
    db = tmp_path / "calls.db"
    order_rule = {"keywords": ["order"], "tool": "check_order_status", "arguments": {"order_id": "42"},
                  "reply": "Order 42 is {result.status}."}
    with HostileReceiver() as receiver, McpHttpServer(_shop()) as mcp_url:
        with Served(["--db", str(db), "--clock", "manual"]) as first, first.client() as api:
            hooked = _converse(api, {"name": "Hooked", "reasoning_mode": "webhook", "webhook_url": receiver.url},
                               "Where is my parcel?")
            tooled = _converse(api, {"name": "Tooled", "reasoning_mode": "mcp", "mcp_config": {
                "server_url": mcp_url, "tools": ["check_order_status"], "rules": [order_rule]}}, "my order please")
            exchanges = api.get("/_sim/webhooks").json()
            assert sorted(x.get("kind", "webhook") for x in exchanges) == ["mcp", "webhook"], exchanges
            assert all(x["error"] is None for x in exchanges), exchanges
            before = _served_bytes(api, [hooked, tooled])
        if written_by == "schema 3":
            as_schema_3(db)
        with Served(["--db", str(db), "--clock", "manual"]) as second, second.client() as api:
            assert "2 stored calls and 2 assistants resumed" in second.banner, second.banner
            after = _served_bytes(api, [hooked, tooled])
    assert after == before
