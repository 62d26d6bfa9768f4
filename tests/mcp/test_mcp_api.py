"""MCP assistants through the HTTP API: the MCP page's example verbatim, precise 400s for rules that
cannot work, PATCH, and a call whose tool results show on the documented projections."""

from __future__ import annotations

import httpx
import pytest
from mcp_shop import build_shop

from aployee_sim.api import Simulator
from aployee_sim.mcp_serving import McpHttpServer
from aployee_sim.server.thread import ServerThread

EXAMPLE = {"name": "CustomerServiceBot", "reasoning_mode": "mcp", "mcp_config": {
    "server_url": "https://your-mcp-server.com",
    "tools": ["lookup_customer", "check_order_status", "schedule_callback", "create_ticket"]}}


@pytest.fixture(scope="module")
def server():
    with Simulator(seed=2) as served, ServerThread(sim=served, api_key="k", clock="manual") as running:
        yield running


@pytest.fixture
def api(server):
    with httpx.Client(base_url=server.root_url, headers={"Authorization": "Bearer k"}, trust_env=False,
                      timeout=30) as client:
        yield client


def test_the_mcp_page_example_is_accepted_verbatim(api):
    response = api.post("/v1/assistants", json=EXAMPLE)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["reasoning_mode"] == "mcp" and created["mcp_config"] == EXAMPLE["mcp_config"]
    assert api.get(f"/v1/assistants/{created['id']}").json() == created


def test_the_example_works_in_python_too():
    with Simulator() as sim:
        assert sim.create_assistant(EXAMPLE)["mcp_config"] == EXAMPLE["mcp_config"]


def _refused(api, config: dict) -> dict:
    body = {**EXAMPLE, "mcp_config": {**EXAMPLE["mcp_config"], **config}}
    response = api.post("/v1/assistants", json=body)
    assert response.status_code == 400, response.text
    return response.json()["error"]


@pytest.mark.parametrize(("config", "field", "words"), [
    ({"rules": [{"keywords": ["refund"], "tool": "issue_refund"}]}, "mcp_config.rules.0.tool",
     "'issue_refund' is not in the mcp_config.tools allow-list"),
    ({"rules": [{"keywords": ["x"], "calls": [{"tool": "create_ticket", "arguments": {"s": "{ordr}"}}]}]},
     "mcp_config.rules.0.calls.0.arguments", "unknown field {ordr}"),
    ({"rules": [{"pattern": "order (?P<id>\\d+)", "tool": "check_order_status", "reply": "{result.status} {oid}"}]},
     "mcp_config.rules.0.reply", "unknown field {oid}"),
    ({"rules": [{"keywords": ["x"], "tool": "create_ticket", "fallback": "{result}"}]},
     "mcp_config.rules.0.fallback", "unknown field {result}"),
    ({"rules": [{"pattern": "(", "tool": "create_ticket"}]}, "mcp_config.rules.0.pattern", "not a valid regular expression"),
    ({"rules": [{"keywords": ["x"]}]}, "mcp_config.rules.0", "calls no tool"),
    ({"rules": [{"keywords": ["x"], "tool": "create_ticket", "replies": "typo"}]}, "mcp_config.rules.0.replies",
     "Extra inputs are not permitted"),
    ({"tool_latency_ms": {"nope": 5}}, "mcp_config.tool_latency_ms", "not in mcp_config.tools"),
    ({"server_url": None}, "mcp_config.server_url", "required"),
])
def test_rules_that_cannot_work_are_refused_with_the_field(api, config, field, words):
    error = _refused(api, config)
    assert error["details"]["field"] == field and words in error["message"], error


def test_patch_revalidates_and_rebuilds_the_rules(api):
    with McpHttpServer(build_shop()) as url:
        created = api.post("/v1/assistants", json={**EXAMPLE, "mcp_config": {**EXAMPLE["mcp_config"],
                                                                            "server_url": url}}).json()
        rule = {"pattern": r"order (?P<n>\d+)", "tool": "check_order_status", "arguments": {"order_id": "{n}"},
                "reply": "It is {result.status}."}
        bad = api.patch(f"/v1/assistants/{created['id']}", json={"mcp_config": {"server_url": url, "rules": [rule]}})
        assert bad.status_code == 400 and "allow-list (none)" in bad.json()["error"]["message"]
        patched = api.patch(f"/v1/assistants/{created['id']}", json={"mcp_config": {
            **created["mcp_config"], "rules": [rule]}})
        assert patched.status_code == 200, patched.text
        call = api.post("/v1/calls", json={"assistant_id": created["id"], "to": "+15005550006"}).json()
        api.post("/_sim/clock/advance", json={"seconds": 0})  # answered at once
        assert api.post(f"/_sim/calls/{call['id']}/say", json={"text": "where is order 5"}).status_code == 200
        api.post("/_sim/clock/advance", json={"seconds": 5})
        transcript = api.get(f"/v1/calls/{call['id']}/transcript").json()["transcript"]
        timeline = api.get(f"/v1/calls/{call['id']}/timeline").json()["events"]
        exchanges = api.get("/_sim/webhooks").json()
    assert any(line["content"] == "It is shipped." for line in transcript), transcript
    assert [e["tool"] for e in timeline if e["type"] == "mcp_tool_called"] == ["check_order_status"]
    assert [x["tool"] for x in exchanges if x.get("kind") == "mcp"] == ["check_order_status"]
