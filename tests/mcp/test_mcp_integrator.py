"""An integrator's tests, written from README.md and docs/mcp.md alone: their own MCP server, the
plugin's fixtures, the documented rule syntax and exchange shape; and the README example as is."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer

from aployee_sim.fakes.callers import ScriptedCaller, expect, hang_up, say

ROOT = Path(__file__).parents[2]


def build_my_server() -> MCPServer:
    server = MCPServer("acme-orders")

    @server.tool()
    def check_order_status(order_id: str) -> dict:
        return {"order_id": order_id, "status": "shipped" if order_id != "13" else "lost"}

    @server.tool()
    def create_ticket(subject: str) -> str:
        return f"ticket for {subject}"

    return server


def test_order_status_is_spoken(aployee_sim, aployee_mcp_server):
    url = aployee_mcp_server(build_my_server())
    bot = aployee_sim.create_assistant({"name": "CustomerServiceBot", "reasoning_mode": "mcp", "mcp_config": {
        "server_url": url, "tools": ["check_order_status", "create_ticket"],
        "rules": [{"pattern": r"order (?P<n>\d+)", "tool": "check_order_status",
                   "arguments": {"order_id": "{n}"}, "reply": "Order {n} is {result.status}.",
                   "update": {"status": "{result.status}"}},
                  {"keywords": ["ticket"], "tool": "create_ticket", "arguments": {"subject": "{state.status}"}}]}})
    call = aployee_sim.start_call(bot["id"], "+15551234567", caller=ScriptedCaller(
        [say("Where is order 13?"), expect("lost"), say("open a ticket"), expect("ticket for lost"), hang_up()]))
    aployee_sim.run()
    exchanges = aployee_sim.exchanges(call["id"])
    assert [x["tool"] for x in exchanges] == ["check_order_status", "create_ticket"]
    assert exchanges[0]["arguments"] == {"order_id": "13"} and exchanges[1]["arguments"] == {"subject": "lost"}
    timeline = aployee_sim.timeline(call["id"])["events"]
    assert [e["tool"] for e in timeline if e["type"] == "mcp_tool_called"] == ["check_order_status", "create_ticket"]
    assert aployee_sim.latency(call["id"])["components"]["mcp"]["count"] == 2


def test_a_tool_exception_reaches_the_call_as_docs_mcp_says(aployee_sim):
    """docs/mcp.md: the SDK replaces an exception's text with `Error executing tool NAME`; a
    `ToolError` keeps its message after that prefix."""
    from mcp.server.mcpserver.exceptions import ToolError

    server = MCPServer("acme-orders")

    @server.tool()
    def check_order_status(order_id: str) -> dict:
        if order_id == "13":
            raise ToolError("order 13 is unknown")
        raise ValueError("database password is hunter2")

    aployee_sim.route_mcp("https://your-mcp-server.com", server)
    bot = aployee_sim.create_assistant({"name": "Bot", "reasoning_mode": "mcp", "mcp_config": {
        "server_url": "https://your-mcp-server.com", "tools": ["check_order_status"],
        "rules": [{"pattern": r"order (?P<n>\d+)", "tool": "check_order_status", "arguments": {"order_id": "{n}"},
                   "reply": "Order {n} is {result.status}.", "fallback": "I can't reach the order system."}]}})
    call = aployee_sim.start_call(bot["id"], "+15551234567", caller=ScriptedCaller(
        [say("Where is order 42?"), expect("can't reach"), say("And order 13?"), expect("can't reach"), hang_up()]))
    aployee_sim.run()
    assert [x["error"] for x in aployee_sim.exchanges(call["id"])] == [
        "tool error: Error executing tool check_order_status",
        "tool error: Error executing tool check_order_status: order 13 is unknown"]


def test_the_readme_example_runs_as_printed():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## MCP assistants", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["Order 42 is shipped.", "{'order_status': 'shipped'}"]
