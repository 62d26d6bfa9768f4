"""The real-server fixture: URLs and credentials, reset and seed per test, clock control, the webhook log,
far-end helpers over HTTP, and server crashes failing the test with the request shown."""

from __future__ import annotations

import httpx
import pytest

from aployee_sim.api import Simulator
from aployee_sim.contract.errors import ApiError
from aployee_sim.pytest_plugin import far_end

pytest_plugins = ["pytester"]
HOOK = "https://hooks.test/plugin-server"


@pytest.mark.aployee(clock="manual")
def test_manual_clock_far_end_and_webhook_log(aployee_server):
    srv = aployee_server
    assert srv.base_url == srv.root_url + "/v1" and srv.root_url.startswith("http://127.0.0.1:")
    raw = httpx.get(srv.base_url + "/calls", headers={"Authorization": f"Bearer {srv.api_key}",
                                                       "X-Organization-Id": srv.org_id})
    assert raw.status_code == 200 and raw.json()["total"] == 0
    srv.thread.sim.route_webhook(HOOK, lambda req: {"reply": "Noted.", "state": {"heard": req["utterance"]}})
    assistant = srv.v1("POST", "/assistants", {"name": "Alex", "reasoning_mode": "webhook", "webhook_url": HOOK})
    call = srv.v1("POST", "/calls", {"assistant_id": assistant["id"], "to": "+15551234567"})
    line = far_end(srv, call["id"])
    with pytest.raises(ApiError) as caught:
        line.say("too early")
    assert caught.value.status == 409
    before = srv.clock()["now"]
    assert srv.advance(10)["now"] > before and srv.clock()["mode"] == "manual"
    assert srv.v1("GET", f"/calls/{call['id']}")["status"] == "in_progress"
    line.say("I need to check my order status")
    srv.advance(5)
    line.press("1#")
    line.hang_up()
    details = srv.v1("GET", f"/calls/{call['id']}")
    assert details["status"] == "completed" and details["final_state"] == {"heard": "I need to check my order status"}
    exchanges = srv.webhooks()
    assert [x["request"]["utterance"] for x in exchanges] == ["I need to check my order status"]


@pytest.mark.aployee(clock="manual")
def test_each_test_starts_from_a_reset_server(aployee_server):
    assert aployee_server.v1("GET", "/calls")["total"] == 0 and aployee_server.webhooks() == []


@pytest.mark.aployee(seed=5)
def test_auto_clock_and_marker_seed(aployee_server):
    assistant = aployee_server.v1("POST", "/assistants", {"name": "A"})
    assert assistant["id"] == Simulator(seed=5).create_assistant(name="A")["id"]
    call = aployee_server.v1("POST", "/calls", {"assistant_id": assistant["id"], "to": "+15005550004"})
    details = aployee_server.wait_for(call["id"], "completed", "failed")
    assert details["status"] == "completed" and aployee_server.clock()["mode"] == "auto"


def test_api_errors_come_back_as_the_envelope(aployee_server):
    with pytest.raises(ApiError) as caught:
        aployee_server.v1("POST", "/calls", {"to": "+15551234567"})
    assert caught.value.envelope() == {"error": {"code": "invalid_request", "message": "The assistant_id field is required",
                                                 "details": {"field": "assistant_id"}}}


def test_a_server_crash_fails_the_test_with_the_request_shown(pytester):
    pytester.makepyfile("""
        def test_crash(aployee_server, monkeypatch):
            def boom(**query):
                raise RuntimeError("list exploded")
            monkeypatch.setattr(aployee_server.thread.sim, "list_calls", boom)
            response = aployee_server.client.get("/v1/calls", params={"status": "completed"})
            assert response.status_code == 500  # the test itself does not look further

        def test_next_one_is_clean(aployee_server):
            assert aployee_server.v1("GET", "/calls")["total"] == 0
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*GET /v1/calls?status=completed*RuntimeError: list exploded*"])


@pytest.mark.aployee(start="2025-06-01T08:00:00Z", clock="manual")
def test_marker_start_gives_its_own_server(aployee_server):
    assert aployee_server.clock()["now"].startswith("2025-06-01T08:00:00")
    assert aployee_server.v1("POST", "/assistants", {"name": "A"})["created_at"] == "2025-06-01T08:00:00Z"
