"""MCP benchmark: tool calls per second through the simulator beside the bare SDK client, same run.

    .venv/bin/python bench/mcp_bench.py [--calls 300] [--repeats 5] [--json]

One SDK `MCPServer` with one tool (`check_order_status`) serves streamable HTTP on 127.0.0.1, in a
child process (so the server does not share the clients' interpreter lock). Three workloads make
`--calls` tool calls each:

- sdk: the bare SDK client, one session, `call_tool` in a loop on a uvloop loop like the
  simulator's (the floor: what the tool call costs);
- simulator: one simulated call whose caller asks about an order `--calls` times; every turn's rule
  makes one real tool call over HTTP (virtual time held meanwhile), weaves the result into the
  reply and updates the state, so this includes the whole call around the tool calls;
- in-process: the same simulated call with the server routed in-process (`sim.route_mcp(url, server)`:
  no socket, no HTTP).

The machine is shared, so the workloads are interleaved and each figure is the median of the
repeats; compare the ratio, not absolute figures. Target: simulator / sdk wall time <= 1.3x.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from mcp import Client
from mcp.server.mcpserver import MCPServer

from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say
from aployee_sim.mcp_serving import McpHttpServer

RULE = {"pattern": r"order (?P<n>\d+)", "tool": "check_order_status", "arguments": {"order_id": "{n}"},
        "reply": "Order {n} is {result.status}.", "update": {"status": "{result.status}"}}


def build_server() -> MCPServer:
    server = MCPServer("bench")

    @server.tool()
    def check_order_status(order_id: str) -> dict:
        return {"order_id": order_id, "status": "shipped"}

    return server


def bare_sdk(url: str, calls: int) -> float:
    async def run() -> float:
        async with Client(url) as client:
            await client.list_tools()
            started = time.perf_counter()
            for n in range(calls):
                result = await client.call_tool("check_order_status", {"order_id": str(n)})
                assert not result.is_error
            return time.perf_counter() - started

    try:  # the same kind of loop the simulator's OutsideLoop runs (uvloop comes with uvicorn[standard])
        import uvloop
        factory = uvloop.new_event_loop
    except ImportError:
        factory = asyncio.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(run())


def simulated(url: str, calls: int, server: MCPServer | None = None) -> float:
    """Wall seconds for one simulated call making `calls` tool calls (session set up beforehand)."""
    with Simulator(seed=1) as sim:
        if server is not None:
            sim.route_mcp(url, server)
        bot = sim.create_assistant({"name": "Bench", "reasoning_mode": "mcp", "mcp_config": {
            "server_url": url, "tools": ["check_order_status"], "rules": [RULE], "latency_ms": 0}})["id"]
        warm = sim.start_call(bot, "+15551234567", caller=ScriptedCaller([say("order 0"), hang_up()]))["id"]
        sim.run()  # lists tools and opens the session, like the SDK loop's `async with` + list_tools
        steps = [say(f"order {n}", pause_ms=0) for n in range(calls)] + [hang_up()]
        call = sim.start_call(bot, "+15551234567", caller=ScriptedCaller(steps))["id"]
        started = time.perf_counter()
        sim.run()
        elapsed = time.perf_counter() - started
        made = [x for x in sim.exchanges(call) if x["error"] is None]
        assert len(made) == calls and warm, f"{len(made)} of {calls} tool calls succeeded"
        return elapsed


def serve() -> None:
    """The child process: serve until stdin closes (the parent ending, even by a crash, stops it)."""
    logging.disable(logging.INFO)
    with McpHttpServer(build_server()) as url:
        print(url, flush=True)
        sys.stdin.read()


@contextmanager
def server_process() -> Iterator[str]:
    child = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        url = child.stdout.readline().strip() if child.stdout else ""
        if not url.startswith("http://127.0.0.1:"):
            raise SystemExit(f"the MCP server did not start (got {url!r})")
        yield url
    finally:
        if child.stdin:
            child.stdin.close()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    logging.disable(logging.INFO)  # the SDK logs every HTTP request at INFO: measure the protocol, not the log
    times: dict[str, list[float]] = {"sdk": [], "simulator": [], "in-process": []}
    with server_process() as url:
        for repeat in range(args.repeats):
            order = ["sdk", "simulator"] if repeat % 2 == 0 else ["simulator", "sdk"]  # alternate who goes first
            for name in order:
                times[name].append(bare_sdk(url, args.calls) if name == "sdk" else simulated(url, args.calls))
            times["in-process"].append(simulated("https://bench.test/mcp", args.calls, build_server()))
    medians = {name: statistics.median(values) for name, values in times.items()}
    figures = {name: {"tool_calls_per_s": round(args.calls / seconds, 1), "median_s": round(seconds, 4)}
               for name, seconds in medians.items()}
    figures["overhead_ratio"] = round(medians["simulator"] / medians["sdk"], 3)  # type: ignore[assignment]
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{args.calls} tool calls, median of {args.repeats} interleaved repeats")
    for name in times:
        print(f"  {name:<11} {figures[name]['tool_calls_per_s']:>9.1f} tool calls/s")
    print(f"  overhead    simulator / sdk = {figures['overhead_ratio']}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
