"""Nothing blocks the API (issue 20 item 3): while the engine waits on the outside world (a real
MCP tool, a real webhook, each taking 2 s of wall time), `GET /v1/calls/{id}` answers at once,
because every port waits through the outside loop and the server releases its lock around such
waits in one place (`ServerThread` hands `Driver.outside_wait` to the loop). Before, only webhooks
released it and a GET waited 1.6-2.1 s for a tool. The bound is generous (0.5 s against 2 s)."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
from mcp.server.mcpserver import MCPServer

from aployee_sim.api import Simulator
from aployee_sim.mcp_serving import McpHttpServer
from aployee_sim.server.thread import ServerThread
from tests.pipeline.receiver import Receiver

SLOW_S = 2.0
PROMPT_S = 0.5


def _slow_server(started: threading.Event, finished: threading.Event) -> MCPServer:
    server = MCPServer("slow")

    @server.tool()
    async def slow_lookup(seconds: float) -> str:
        """Answers after `seconds` of wall time."""
        started.set()
        await asyncio.sleep(seconds)
        finished.set()
        return "found it"

    return server


def _until(predicate, timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")


def _get_seconds(api: httpx.Client, call_id: str) -> float:
    started = time.perf_counter()
    assert api.get(f"/v1/calls/{call_id}").status_code == 200
    return time.perf_counter() - started


def _live_call(api: httpx.Client, assistant: dict) -> str:
    assistant_id = api.post("/v1/assistants", json=assistant).json()["id"]
    call_id = api.post("/v1/calls", json={"assistant_id": assistant_id, "to": "+15005550006"}).json()["id"]
    _until(lambda: api.get(f"/v1/calls/{call_id}").json()["status"] == "in_progress")
    return call_id


def test_a_get_answers_promptly_while_a_real_mcp_tool_runs():
    started, finished = threading.Event(), threading.Event()
    rule = {"keywords": ["slow"], "tool": "slow_lookup", "arguments": {"seconds": SLOW_S}, "reply": "Got it."}
    with (McpHttpServer(_slow_server(started, finished)) as url, Simulator(seed=1) as sim,
          ServerThread(sim=sim, clock="realtime") as srv,
          httpx.Client(base_url=srv.root_url, headers=srv.headers, timeout=10, trust_env=False) as api):
        call_id = _live_call(api, {"name": "Bot", "reasoning_mode": "mcp", "first_message": "Hi.", "mcp_config": {
            "server_url": url, "tools": ["slow_lookup"], "rules": [rule]}})
        assert api.post(f"/_sim/calls/{call_id}/say", json={"text": "be slow"}).status_code == 200
        assert started.wait(10)
        _until(lambda: srv.driver.in_flight)
        seconds = _get_seconds(api, call_id)
        assert not finished.is_set()  # the GET really overlapped the tool call
        assert seconds < PROMPT_S, seconds
        _until(lambda: any(e.type == "mcp_tool_called" for e in sim.events(call_id)))
        srv.raise_errors()


def test_a_get_answers_promptly_while_a_real_webhook_takes_its_time():
    with (Receiver() as receiver, Simulator(seed=1) as sim, ServerThread(sim=sim, clock="realtime") as srv,
          httpx.Client(base_url=srv.root_url, headers=srv.headers, timeout=10, trust_env=False) as api):
        receiver.delay = lambda body: SLOW_S if body["utterance"] else 0.0
        call_id = _live_call(api, {"name": "Alex", "reasoning_mode": "webhook", "webhook_url": receiver.url,
                                   "first_message": "Hi."})
        assert api.post(f"/_sim/calls/{call_id}/say", json={"text": "Where is my order?"}).status_code == 200
        _until(lambda: srv.driver.in_flight)
        seconds = _get_seconds(api, call_id)
        assert not any(e.type == "webhook_called" for e in sim.events(call_id))  # still waiting for the answer
        assert seconds < PROMPT_S, seconds
        _until(lambda: any(e.type == "webhook_called" for e in sim.events(call_id)))
        srv.raise_errors()
