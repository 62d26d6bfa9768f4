"""stdio MCP servers that misbehave (docs/mcp.md, "A server started as a command"): children left
running, a server that exits early, garbage on stdout.

Real subprocesses throughout. A child's pid is written to a file by the server, so the test can
check that the child is gone (dead, or a zombie waiting for its reaper) once the call is over.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say

SHOP = Path(__file__).parents[1] / "mcp" / "mcp_shop.py"
RULE = {"pattern": r"order (?P<order_id>\d+)", "tool": "check_order_status", "arguments": {"order_id": "{order_id}"},
        "reply": "Order {order_id}: {result.status}.", "fallback": "The order system is down."}


def alive(pid: int) -> bool:
    """Running (a zombie counts as gone: it no longer runs, only its parent's reaping is left)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def child_pid(pidfile: Path) -> int:
    return int(pidfile.read_text().split()[0])


def tool_calls(command: list[str]) -> list[dict]:
    """One call saying one order number to an MCP assistant on `command`; its mcp_tool_called events."""
    with Simulator(seed=3) as sim:
        bot = sim.create_assistant({"name": "Local", "reasoning_mode": "mcp", "mcp_config": {
            "command": command, "tools": ["check_order_status"], "rules": [RULE]}})["id"]
        call = sim.start_call(bot, "+15551234567", caller=ScriptedCaller([say("order 7 please"), say("bye"), hang_up()]))
        sim.run()
        return [e for e in sim.timeline(call["id"])["events"] if e["type"] == "mcp_tool_called"]


def test_a_server_that_exits_leaving_a_child_is_a_closed_connection_and_the_child_is_killed(tmp_path):
    pidfile = tmp_path / "child.pid"
    events = tool_calls(["sh", "-c", f"sleep 777 & echo $! > {shlex.quote(str(pidfile))}; exit 0"])
    assert [e["error"].split(":")[0] for e in events] == ["connection closed"], events
    assert "exited (status 0)" in events[0]["error"]
    assert not alive(child_pid(pidfile)), "the server's child `sleep 777` is still running"


def test_a_working_server_s_child_ends_with_the_session(tmp_path):
    pidfile = tmp_path / "child.pid"
    script = f"sleep 777 & echo $! > {shlex.quote(str(pidfile))}; exec {shlex.quote(sys.executable)} {shlex.quote(str(SHOP))}"
    events = tool_calls(["sh", "-c", script])
    assert [e.get("error") for e in events] == [None], events
    assert not alive(child_pid(pidfile)), "the server's child `sleep 777` outlived the session"


GARBAGE_SERVER = textwrap.dedent("""\
    import sys, time
    for n in range(20000):
        sys.stdout.write(f"garbage line {n}: not JSON-RPC\\n")
    sys.stdout.flush()
    time.sleep(30)
    """)


def test_garbage_on_stdout_is_one_error_and_a_quiet_stderr(tmp_path):
    server = tmp_path / "garbage_server.py"
    server.write_text(GARBAGE_SERVER)
    scenario = tmp_path / "garbage.scenario.yaml"
    scenario.write_text(textwrap.dedent(f"""\
        name: garbage on stdout
        assistants:
          bot:
            name: Local
            reasoning_mode: mcp
            mcp_config:
              command: [{sys.executable!r}, {str(server)!r}]
              tools: [check_order_status]
              rules: [{{pattern: 'order (?P<order_id>\\d+)', tool: check_order_status,
                       arguments: {{order_id: "{{order_id}}"}}, reply: "Order {{result.status}}.",
                       fallback: The order system is down.}}]
        calls:
          - assistant: bot
            to: "+15551234567"
            caller:
              - say: order 7 please
              - expect: order system is down
              - hangup
            expect:
              mcp: {{count: 1, failed: 1, calls: [{{tool: check_order_status, error: "not JSON-RPC"}}]}}
        """))
    done = subprocess.run([sys.executable, "-m", "aployee_sim", "run", str(scenario)], capture_output=True,
                          timeout=120, cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout.decode()[-3000:] + done.stderr.decode()[-3000:]
    assert len(done.stderr) < 2048, done.stderr.decode()[:3000]


def test_sdk_logging_is_silenced_only_while_our_sessions_are_open(caplog):
    """The `mcp` loggers are held above CRITICAL while a session is open, and given back after."""
    sdk_logger = logging.getLogger("mcp.client.session")
    with Simulator(seed=3) as sim:
        bot = sim.create_assistant({"name": "Local", "reasoning_mode": "mcp", "mcp_config": {
            "command": [sys.executable, str(SHOP)], "tools": ["check_order_status"], "rules": [RULE]}})["id"]
        sim.start_call(bot, "+15551234567", caller=ScriptedCaller([say("order 7 please"), say("bye"), hang_up()]))
        sim.run()  # the session stays open until the simulator closes
        sdk_logger.error("while our session is open")
    sdk_logger.error("after it closed")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("mcp")] == ["after it closed"]
    assert logging.getLogger("mcp").level == logging.NOTSET
