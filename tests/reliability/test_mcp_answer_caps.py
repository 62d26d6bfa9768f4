"""The MCP answer cap is enforced on the bytes as they arrive (docs/contract.md §7): a 400 MB tool
result or a `tools/list` of 100,000 tools, over stdio and over streamable HTTP, is one recorded
failure naming the cap, and the simulator's memory stays bounded.

The simulator runs in a subprocess that reports its own peak RSS, so neither the test process nor
the hostile server (huge_mcp_server.py, another process) is counted. The peak is `VmHWM` of
/proc/self/status, not `ru_maxrss`: Linux keeps `ru_maxrss` across fork and exec, so a subprocess of
a large pytest worker would report the worker's size (`VmHWM` belongs to the new address space).
The bound is loose (300 MB for a 400 MB answer, about 85 MB measured); reading the answer whole
took 0.4 GB over stdio and 2.5 GB over HTTP.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVER = str(Path(__file__).with_name("huge_mcp_server.py"))
CAP = "over 1114112 bytes"
DRIVER = """
import json, sys
from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say
config = json.loads(sys.argv[1])
rule = {"pattern": r"order (?P<n>\\d+)", "tool": "check_order_status", "arguments": {"order_id": "{n}"},
        "reply": "Order {result}.", "fallback": "The order system is down."}
with Simulator(seed=1) as sim:
    bot = sim.create_assistant({"name": "Huge", "reasoning_mode": "mcp", "mcp_config": {
        **config, "tools": ["check_order_status"], "rules": [rule]}})["id"]
    call = sim.start_call(bot, "+15551234567", caller=ScriptedCaller([say("order 7 please"), say("bye"), hang_up()]))
    sim.run()
    errors = [e.get("error") for e in sim.timeline(call["id"])["events"] if e["type"] == "mcp_tool_called"]
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"errors": errors, "max_rss_mb": peak_kb // 1024}))
"""


def simulate(config: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(config)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@contextmanager
def http_server(*options: str) -> Iterator[str]:
    """The hostile server over HTTP, in a subprocess killed at the end: its URL."""
    server = subprocess.Popen([sys.executable, SERVER, "http", *options], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("PORT "), line
        yield f"http://127.0.0.1:{line.split()[1]}/mcp"
    finally:
        server.kill()
        server.wait(timeout=10)


@pytest.mark.parametrize("options", [["--result-mb", "400"], ["--tools", "100000"]], ids=["result", "tools_list"])
@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_a_huge_answer_is_a_recorded_failure_and_memory_stays_bounded(transport, options):
    if transport == "stdio":
        report = simulate({"command": [sys.executable, SERVER, "stdio", *options]})
    else:
        with http_server(*options) as url:
            report = simulate({"server_url": url})
    assert len(report["errors"]) == 1 and CAP in report["errors"][0], report
    assert report["errors"][0].startswith("connection closed: the server sent a message over"), report
    assert report["max_rss_mb"] < 300, report  # about 85 MB here; reading the answer whole took 0.4-2.5 GB


def test_a_compressed_answer_is_refused_before_it_is_inflated():
    """A gzip bomb (400 MiB in about 400 KB on the wire): its size in memory cannot be known from
    its size on the wire, so it is refused, though the client asked for `Accept-Encoding: identity`."""
    with http_server("--result-mb", "400", "--gzip") as url:
        report = simulate({"server_url": url})
    assert len(report["errors"]) == 1 and "compressed its answer (Content-Encoding: gzip)" in report["errors"][0], report
    assert report["max_rss_mb"] < 300, report
