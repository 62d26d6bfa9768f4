"""The other ways to reach tools: a stdio server (a subprocess), an SDK server in-process
(`route_mcp`, no socket), a server on an older protocol version, declarative stubs, and the
error an MCP assistant gets when the `[mcp]` extra is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import converse, mcp_assistant, said, tool_events
from legacy_server import legacy_app
from mcp_shop import build_shop

from aployee_sim.api import Simulator
from aployee_sim.core.mcp_turns import EXTRA_MISSING
from aployee_sim.mcp_serving import McpHttpServer

ORDER_RULE = {"pattern": r"order (?P<order_id>\d+)", "tool": "check_order_status",
              "arguments": {"order_id": "{order_id}"}, "reply": "Order {order_id}: {result.status}.",
              "update": {"status": "{result.status}"}}
SHOP_SCRIPT = str(Path(__file__).with_name("mcp_shop.py"))


def test_a_stdio_server_started_as_a_command(sim):
    bot = sim.create_assistant({"name": "Local", "reasoning_mode": "mcp", "mcp_config": {
        "command": [sys.executable, SHOP_SCRIPT], "tools": ["check_order_status"], "rules": [ORDER_RULE]}})["id"]
    call = converse(sim, bot, "order 7 please", "and order 8?")
    assert "Order 7: shipped." in said(sim, call) and "Order 8: shipped." in said(sim, call)
    exchanges = sim.exchanges(call)
    assert [x["server"] for x in exchanges] == [f"stdio:{sys.executable} {SHOP_SCRIPT}"] * 2
    assert sim.call_details(call)["final_state"] == {"status": "shipped"}


def test_a_missing_stdio_command_is_a_connection_error(sim):
    bot = sim.create_assistant({"name": "Local", "reasoning_mode": "mcp", "mcp_config": {
        "command": ["/nonexistent/mcp-server"], "tools": ["check_order_status"], "rules": [ORDER_RULE]}})["id"]
    call = converse(sim, bot, "order 7 please")
    assert tool_events(sim, call)[0]["error"].startswith("connection error")


def test_an_sdk_server_in_process(sim):
    sim.route_mcp("https://shop.test/mcp", build_shop())
    bot = mcp_assistant(sim, "https://shop.test/mcp", [ORDER_RULE])
    call = converse(sim, bot, "where is order 9")
    assert "Order 9: shipped." in said(sim, call)
    assert sim.exchanges(call)[0]["result"]["content"][0]["type"] == "text"


def test_a_server_on_an_older_protocol_version(sim):
    with McpHttpServer(legacy_app(), path="/") as url:
        bot = mcp_assistant(sim, url, [ORDER_RULE])
        call = converse(sim, bot, "order 11?")
    assert "Order 11: delivered." in said(sim, call)


def test_declarative_stubs_fail_on_demand(sim):
    sim.route_mcp("https://stub.test/mcp", [
        {"tool": "check_order_status", "match": {"order_id": "1"}, "result": {"status": "packed"}, "delay_ms": 800},
        {"tool": "check_order_status", "match": {"order_id": "2"}, "fail": "timeout"},
        {"tool": "check_order_status", "match": {"order_id": "3"}, "fail": "connection_error"},
        {"tool": "check_order_status", "match": {"order_id": "4"}, "text": "oops", "is_error": True},
    ])
    bot = mcp_assistant(sim, "https://stub.test/mcp", [{**ORDER_RULE, "fallback": "No luck with {order_id}."}])
    call = converse(sim, bot, "order 1", "order 2", "order 3", "order 4", "order 5")
    lines = said(sim, call)
    assert "Order 1: packed." in lines
    assert [f"No luck with {n}." in lines for n in "2345"] == [True] * 4
    events = tool_events(sim, call)
    assert events[0]["duration_ms"] == 800 and "error" not in events[0]
    assert events[1]["duration_ms"] == 30_000 and events[1]["error"].startswith("timeout")  # the whole deadline
    assert events[2]["error"].startswith("connection error") and events[3]["error"] == "tool error: oops"
    assert events[4]["error"].startswith("tool error: no stub of check_order_status")


WITHOUT_MCP = """
import sys
sys.modules["mcp"] = None  # as if the [mcp] extra were not installed: `import mcp` raises ImportError
from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say
with Simulator() as sim:
    bot = sim.create_assistant({"name": "B", "reasoning_mode": "mcp", "mcp_config": {
        "server_url": "http://127.0.0.1:9/mcp", "tools": ["t"], "rules": [{"keywords": ["x"], "tool": "t"}]}})
    call = sim.start_call(bot["id"], "+15551234567", caller=ScriptedCaller([say("x"), say("bye"), hang_up()]))
    sim.run()
    print([e.error for e in sim.events(call["id"]) if e.type == "mcp_tool_called"])
"""


def test_without_the_extra_an_mcp_assistant_gets_one_clear_error():
    done = subprocess.run([sys.executable, "-c", WITHOUT_MCP], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr([EXTRA_MISSING]) and "aployee-sim[mcp]" in EXTRA_MISSING


@pytest.mark.parametrize("seed", [1, 2])
def test_in_process_runs_replay_identically(seed):
    def run() -> list:
        with Simulator(seed=seed) as sim:
            sim.route_mcp("https://shop.test/mcp", build_shop())
            bot = mcp_assistant(sim, "https://shop.test/mcp", [ORDER_RULE])
            call = converse(sim, bot, "order 3", "order 4")
            return [sim.timeline(call), sim.exchanges(call, wall_clock=False), sim.latency(call)]

    assert run() == run()


def _requires_token(app, token: str):
    """An ASGI wrapper answering 401 unless `Authorization: Bearer <token>` is sent."""
    async def guarded(scope, receive, send):
        if scope["type"] == "http" and (b"authorization", f"Bearer {token}".encode()) not in scope["headers"]:
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b"unauthorized"})
            return
        await app(scope, receive, send)
    return guarded


def test_the_bearer_token_is_sent(sim):
    app = _requires_token(build_shop().streamable_http_app(), "s3cret")
    with McpHttpServer(app, path="/mcp") as url:
        good = mcp_assistant(sim, url, [ORDER_RULE], bearer_token="s3cret")
        assert "Order 1: shipped." in said(sim, converse(sim, good, "order 1"))
        bad = mcp_assistant(sim, url, [ORDER_RULE], bearer_token="wrong")
        [event] = tool_events(sim, converse(sim, bad, "order 2"))
    assert event["error"] == "protocol error: Server returned an error response"  # the SDK's word for the 401
