"""A real MCP server over streamable HTTP on 127.0.0.1 for the module's tests, and helpers to
place a call on an MCP assistant and read back what it did."""

from __future__ import annotations

from typing import Any

import pytest
from mcp_shop import build_shop

from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say
from aployee_sim.mcp_serving import McpHttpServer

TOOLS = ["lookup_customer", "check_order_status", "schedule_callback", "create_ticket", "slow_lookup",
         "product_photo"]


@pytest.fixture(scope="module")
def shop_url():
    with McpHttpServer(build_shop()) as url:
        yield url


def mcp_assistant(sim: Simulator, server_url: str, rules: list[dict[str, Any]], **config: Any) -> str:
    body = {"name": "CustomerServiceBot", "reasoning_mode": "mcp",
            "mcp_config": {"server_url": server_url, "tools": TOOLS, "rules": rules, **config}}
    return sim.create_assistant(body)["id"]


def converse(sim: Simulator, assistant_id: str, *lines: str, initial_state: dict | None = None) -> str:
    steps = [say(line) for line in lines] + [say("Thanks, bye"), hang_up()]  # the last reply is heard first
    call = sim.start_call(assistant_id, "+15551234567", initial_state=initial_state, caller=ScriptedCaller(steps))
    sim.run()
    return call["id"]


def said(sim: Simulator, call_id: str) -> list[str]:
    return [line["content"] for line in sim.transcript(call_id)["transcript"] if line["role"] == "assistant"]


def tool_events(sim: Simulator, call_id: str) -> list[dict[str, Any]]:
    return [e for e in sim.timeline(call_id)["events"] if e["type"] == "mcp_tool_called"]


@pytest.fixture
def sim():
    with Simulator(seed=5) as simulator:
        yield simulator
