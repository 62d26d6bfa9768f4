"""Every error against the real server: the envelope on every non-2xx, never a 5xx for bad input."""

from __future__ import annotations

import httpx
import pytest
from server_helpers import assert_error, client_for, make_assistant, make_call

from aployee_sim.server.thread import ServerThread

PROTECTED = [("GET", "/v1/health"), ("GET", "/v1/calls"), ("POST", "/v1/calls"), ("GET", "/v1/calls/call_x"),
             ("GET", "/v1/assistants"), ("GET", "/v1/organizations"), ("GET", "/v1/phone-numbers"),
             ("GET", "/_sim/clock"), ("POST", "/_sim/reset"), ("GET", "/_sim/webhooks")]


@pytest.mark.parametrize("method,path", PROTECTED)
@pytest.mark.parametrize("authorization", [None, "Basic dGVzdC1rZXk6", "Bearer", "Bearer wrong-key"])
def test_authentication_is_required_everywhere(auto_server, method, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = httpx.request(method, auto_server.root_url + path, headers=headers, trust_env=False)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_organization_header_must_name_the_keys_organization(api, auto_server):
    assert api.get("/v1/calls", headers={"X-Organization-Id": auto_server.org_id}).status_code == 200
    assert_error(api.get("/v1/calls", headers={"X-Organization-Id": "org_other"}), 403, "forbidden",
                 "X-Organization-Id")


def test_unknown_routes_and_wrong_methods(api):
    assert_error(api.get("/v1/nowhere"), 404, "not_found")
    assert_error(api.get("/"), 404, "not_found")
    assert_error(api.get("/v1/calls/"), 404, "not_found")
    response = api.delete("/v1/calls")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]
    assert_error(api.put("/v1/assistants/asst_x", json={}), 405, "method_not_allowed")


@pytest.mark.parametrize("content,content_type,status,field", [
    (b'{"assistant_id": ', "application/json", 400, "body"),
    (b'{"a": NaN}', "application/json", 400, "body"),
    (b'{"a": Infinity}', "application/json", 400, "body"),
    (b'"\\ud800"', "application/json", 400, "body"),
    (b"\xff\xfe", "application/json", 400, "body"),
    (b"[" * 100000 + b"]" * 100000, "application/json", 400, "body"),
    (b"", "application/json", 400, "body"),
    (b"[]", "application/json", 400, None),
    (b"assistant_id=asst_x", "application/x-www-form-urlencoded", 415, "Content-Type"),
    (b'{"assistant_id": "a", "to": "+1555"}', "text/plain", 415, "Content-Type"),
])
def test_malformed_bodies(api, content, content_type, status, field):
    response = api.post("/v1/calls", content=content, headers={"Content-Type": content_type})
    assert_error(response, status, "invalid_request", field)


def test_bodies_over_one_mebibyte(api):
    big = b'{"name": "' + b"x" * (1 << 20) + b'"}'
    assert_error(api.post("/v1/assistants", content=big, headers={"Content-Type": "application/json"}),
                 413, "invalid_request", "body")

    def chunks():  # no Content-Length: the limit holds while streaming
        for _ in range(20):
            yield b"x" * 65536

    assert_error(api.post("/v1/assistants", content=chunks(), headers={"Content-Type": "application/json"}),
                 413, "invalid_request", "body")


def test_validation_errors_name_the_field(api):
    assistant = make_assistant(api)
    cases = [({"to": "+15551234567"}, 400, "assistant_id"),
             ({"assistant_id": assistant["id"]}, 400, "to"),
             ({"assistant_id": assistant["id"], "to": "5551234567"}, 400, "to"),
             ({"assistant_id": assistant["id"], "to": "tel:+15551234567"}, 400, "to"),
             ({"assistant_id": assistant["id"], "to": "+１５５５"}, 400, "to"),
             ({"assistant_id": assistant["id"], "to": "+15551234567", "from": "nope"}, 400, "from"),
             ({"assistant_id": assistant["id"], "to": "+15551234567", "initial_state": [1]}, 400, "initial_state"),
             ({"assistant_id": "asst_missing", "to": "+15551234567"}, 404, "assistant_id")]
    for body, status, field in cases:
        assert_error(api.post("/v1/calls", json=body), status, "invalid_request" if status == 400 else "not_found",
                     field)
    assert_error(api.post("/v1/assistants", json={}), 400, "invalid_request", "name")
    assert_error(api.post("/v1/assistants", json=[1]), 400, "invalid_request", "body")
    assert_error(api.post("/v1/assistants", json={"name": "A", "reasoning_mode": "webhook"}), 400,
                 "invalid_request", "webhook_url")
    assert_error(api.patch(f"/v1/assistants/{assistant['id']}", json={"personality": {"formality": "rude"}}),
                 400, "invalid_request")
    assert_error(api.post("/v1/organizations", json={}), 400, "invalid_request", "name")
    for params, field in [({"limit": 0}, "limit"), ({"limit": "ten"}, "limit"), ({"offset": -1}, "offset"),
                          ({"status": "done"}, "status"), ({"from_date": "yesterday"}, "from_date"),
                          ({"to_date": "9999-12-31T23:59:59-23:59"}, "to_date")]:
        assert_error(api.get("/v1/calls", params=params), 400, "invalid_request", field)


def test_unknown_resources(api):
    for path in ("/v1/calls/call_nope", "/v1/calls/call_nope/live-state", "/v1/calls/call_nope/transcript",
                 "/v1/calls/call_nope/timeline", "/v1/calls/call_nope/latency", "/v1/assistants/asst_nope",
                 "/v1/organizations/org_nope", "/v1/phone-numbers/pn_nope"):
        assert_error(api.get(path), 404, "not_found")
    assert_error(api.delete("/v1/assistants/asst_nope"), 404, "not_found")
    assert_error(api.post("/_sim/calls/call_nope/say", json={"text": "hi"}), 404, "not_found")


def test_rate_limit_answers_429_with_retry_after():
    with ServerThread(api_key="k", plan="3:5") as srv, client_for(srv) as api:
        assert [api.get("/v1/health").status_code for _ in range(3)] == [200, 200, 200]
        response = api.get("/v1/calls")
        error = assert_error(response, 429, "rate_limited")
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert "3 requests per minute" in error["message"]
        assert api.get("/_sim/clock").status_code == 200  # the control plane is not counted
        srv.raise_errors()


def test_concurrent_call_limit_creates_no_call():
    with ServerThread(api_key="k", plan="100:2", clock="manual") as srv, client_for(srv) as api:
        assistant = make_assistant(api)
        first, second = make_call(api, assistant["id"]), make_call(api, assistant["id"])
        response = api.post("/v1/calls", json={"assistant_id": assistant["id"], "to": "+15551234567"})
        assert_error(response, 429, "concurrency_limit")
        assert response.headers["retry-after"] == "1"
        assert api.get("/v1/calls").json()["total"] == 2
        api.post(f"/_sim/calls/{first['id']}/hangup")  # ends while still dialing: a slot frees up
        assert make_call(api, assistant["id"])["status"] == "initiated"
        assert second["id"] != first["id"]
        srv.raise_errors()


def test_free_and_pro_plans_have_the_documented_limits():
    from aployee_sim.server.plans import parse_plan

    assert (parse_plan("free").requests_per_minute, parse_plan("free").concurrent_calls) == (60, 2)
    assert (parse_plan("pro").requests_per_minute, parse_plan("pro").concurrent_calls) == (600, 20)
    for bad in ("gold", "10", "0:1", "a:b"):
        with pytest.raises(ValueError, match="RPM:CONCURRENT"):
            parse_plan(bad)
