"""The /_sim control plane and the three clock modes, against the real server."""

from __future__ import annotations

import time

from server_helpers import assert_error, client_for, make_assistant, make_call

from aployee_sim.api import Simulator
from aployee_sim.server.thread import ServerThread

EPOCH = "2024-01-15T10:30:00.000Z"


def poll(api, call_id, *statuses, timeout=10.0):
    """Bounded poll of GET /v1/calls/{id} until the status is one of `statuses`."""
    for _ in range(int(timeout / 0.01)):
        details = api.get(f"/v1/calls/{call_id}").json()
        if details["status"] in statuses:
            return details
        time.sleep(0.01)
    raise AssertionError(f"{call_id} still {details['status']}")


def test_manual_clock_moves_only_when_advanced(manual_api, manual_server):
    assert manual_api.get("/_sim/clock").json() == {"now": EPOCH, "mode": "manual"}
    call = make_call(manual_api, make_assistant(manual_api)["id"], "+15005550003")  # no answer
    manual_server.wait_idle()
    assert manual_api.get(f"/v1/calls/{call['id']}").json()["status"] == "initiated"
    assert manual_api.post("/_sim/clock/advance", json={"seconds": 5}).json() == {
        "now": "2024-01-15T10:30:05.000Z", "mode": "manual"}
    assert manual_api.get(f"/v1/calls/{call['id']}").json()["status"] == "ringing"
    manual_api.post("/_sim/clock/advance", json={"seconds": 30})
    assert manual_api.get(f"/v1/calls/{call['id']}").json()["status"] == "failed"
    for bad in ({}, {"seconds": -1}, {"seconds": "5"}, {"seconds": True}, {"seconds": 10**9}):
        assert_error(manual_api.post("/_sim/clock/advance", json=bad), 400, "invalid_request", "seconds")


def test_driving_the_far_end_of_a_live_call(manual_api, manual_server):
    call = make_call(manual_api, make_assistant(manual_api)["id"], "+15005550006")  # answers at once
    cid = call["id"]
    assert_error(manual_api.post(f"/_sim/calls/{cid}/say", json={"text": "hi"}), 409, "conflict", "status")
    manual_api.post("/_sim/clock/advance", json={"seconds": 0})
    live = manual_api.post(f"/_sim/calls/{cid}/say", json={"text": "I need to check my order status"}).json()
    assert live["status"] == "in_progress"
    assert live["transcript"][-1]["role"] == "user"
    manual_api.post("/_sim/clock/advance", json={"seconds": 5})
    transcript = manual_api.get(f"/v1/calls/{cid}").json()["transcript"]
    assert [line["role"] for line in transcript] == ["assistant", "user", "assistant"]
    assert manual_api.post(f"/_sim/calls/{cid}/digits", json={"digits": "1#"}).status_code == 200
    assert ("digits" in [e.type for e in manual_server.sim.events(cid)])
    for bad in ({"digits": ""}, {"digits": "12x"}, {"digits": 1}):
        assert_error(manual_api.post(f"/_sim/calls/{cid}/digits", json=bad), 400, "invalid_request", "digits")
    assert_error(manual_api.post(f"/_sim/calls/{cid}/say", json={"text": " "}), 400, "invalid_request", "text")
    ended = manual_api.post(f"/_sim/calls/{cid}/hangup").json()
    assert ended["status"] == "completed"
    assert manual_api.get(f"/v1/calls/{cid}/timeline").json()["events"][-1]["reason"] == "hangup_user"
    assert_error(manual_api.post(f"/_sim/calls/{cid}/hangup"), 409, "conflict")


def test_reset_forgets_everything_and_replays_identically(manual_api):
    first = make_call(manual_api, make_assistant(manual_api)["id"])
    manual_api.post("/_sim/clock/advance", json={"seconds": 60})
    reset = manual_api.post("/_sim/reset").json()
    assert reset == {"seed": 3, "now": EPOCH, "mode": "manual"}
    assert manual_api.get("/v1/calls").json()["total"] == 0
    assert manual_api.get("/v1/assistants").json()["data"] == []
    assert make_call(manual_api, make_assistant(manual_api)["id"])["id"] == first["id"]
    assert manual_api.post("/_sim/reset", json={"seed": 4}).json()["seed"] == 4
    assert make_call(manual_api, make_assistant(manual_api)["id"])["id"] != first["id"]
    assert_error(manual_api.post("/_sim/reset", json={"seed": "x"}), 400, "invalid_request", "seed")
    manual_api.post("/_sim/reset", json={"seed": 3})


def test_inbound_call_to_a_provisioned_number():
    config = {"phone_numbers": [{"number": "+15550100000", "assistant": "Alex"}]}
    with ServerThread(api_key="k", clock="manual", config=config) as srv, client_for(srv) as api:
        make_assistant(api)
        response = api.post("/_sim/inbound", json={"from": "+15557654321", "to": "+15550100000"})
        assert response.status_code == 201, response.text
        created = response.json()
        assert list(created) == ["id", "assistant_id", "status", "to", "from", "created_at"]
        assert created["status"] == "initiated" and created["to"] == "+15550100000"
        api.post("/_sim/clock/advance", json={"seconds": 10})
        assert api.get(f"/v1/calls/{created['id']}").json()["status"] == "in_progress"
        assert_error(api.post("/_sim/inbound", json={"from": "+15557654321", "to": "+15550100009"}),
                     404, "not_found", "to")
        assert_error(api.post("/_sim/inbound", json={"to": "+15550100000"}), 400, "invalid_request", "from")
        srv.raise_errors()


def test_auto_clock_skips_idle_time(api, auto_server):
    call = make_call(api, make_assistant(api)["id"], "+15005550003")
    assert auto_server.wait_idle()
    assert api.get(f"/v1/calls/{call['id']}").json()["status"] == "failed"  # 30 s ring timeout, skipped
    clock = api.get("/_sim/clock").json()
    assert clock["mode"] == "auto" and clock["now"] > "2024-01-15T10:30:31"


def test_realtime_clock_runs_calls_at_scaled_wall_speed():
    with Simulator(seed=2) as served, ServerThread(sim=served, api_key="k", clock="realtime", speed=2000) as srv, \
            client_for(srv) as api:
        call = make_call(api, make_assistant(api)["id"], "+15005550004")  # hangs up after the greeting
        details = poll(api, call["id"], "completed")
        assert details["duration_seconds"] >= 1
        before = api.get("/_sim/clock").json()["now"]
        for _ in range(500):  # the clock keeps moving with the wall even when nothing is scheduled
            if api.get("/_sim/clock").json()["now"] > before:
                break
            time.sleep(0.01)
        else:
            raise AssertionError("the realtime clock did not move")
        later = make_call(api, make_assistant(api, name="Sam")["id"], "+15005550002")
        assert later["created_at"] >= before[:19]  # stamped with the wall-paced clock, not a stale one
        jumped = api.post("/_sim/clock/advance", json={"seconds": 3600}).json()
        assert jumped["mode"] == "realtime" and jumped["now"] >= "2024-01-15T11:30"
        srv.raise_errors()


def test_scripted_callee_configured_for_the_number_answers_api_calls():
    from aployee_sim.fakes.callers import ScriptedCaller, expect, hang_up, say

    sim = Simulator(seed=6)
    sim.callees["+15551230001"] = lambda record: ScriptedCaller([expect("help"), say("Where is my order?"), hang_up()])
    with ServerThread(sim=sim, api_key="k") as srv, client_for(srv) as api:
        scripted = make_call(api, make_assistant(api)["id"], "+15551230001")
        live = make_call(api, make_assistant(api)["id"], "+15551230002")
        srv.wait_idle()
        details = api.get(f"/v1/calls/{scripted['id']}").json()
        assert {"role": "user", "content": "Where is my order?"} in details["transcript"]
        assert api.get(f"/v1/calls/{scripted['id']}/timeline").json()["events"][-1]["reason"] == "hangup_user"
        assert [line["role"] for line in api.get(f"/v1/calls/{live['id']}").json()["transcript"]] == [
            "assistant", "assistant"]  # the live callee stayed silent: greeting, then the silence prompt
        srv.raise_errors()
