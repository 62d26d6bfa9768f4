"""A deliberately buggy reasoning webhook on a real loopback server, and scenario files pointing at it.

The webhook crashes (HTTP 500) only when the caller's third utterance mentions a refund; flipping
`mode["fixed"]` makes it answer that too, so a written failure can be run against both.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

SCENARIO = """\
name: refund desk
seed: 5
assistants:
  desk:
    name: Riley
    reasoning_mode: webhook
    webhook_url: {url}
    first_message: Hi, this is Riley from Acme. How can I help?
    end_call_phrases: [talk soon]
    transfer_target: "+15550009999"
calls:
  - assistant: desk
    to: +15551234567
    initial_state: {{customer: c1}}
explore:
  vocabulary:
    phrases: [hello, what is my balance, bye now]
    templates: ["I want a refund for order {{order}}"]
    values: {{order: [A1, B7]}}
    digits: "12#"
  max_steps: 6
  always:
    transcript: {{excludes: [traceback]}}
"""


def decide(body: dict, fixed: bool) -> dict:
    utterance = body["utterance"].lower()
    state = dict(body["state"])
    users = sum(1 for line in body["context"] if line["role"] == "user")
    if "refund" in utterance:
        if users == 3 and not fixed:
            raise RuntimeError("refund on the third utterance")  # the bug
        state["topic"] = "refund"
        return {"reply": "I can start that refund.", "state": state}
    if "balance" in utterance:
        return {"reply": "Your balance is ten dollars.", "state": {**state, "asked": "balance"}}
    if "bye" in utterance:
        return {"reply": "Thanks for calling, talk soon!", "state": state}
    return {"state": state}


@pytest.fixture(scope="module")
def webhook():
    """(url, mode): the webhook served by uvicorn on 127.0.0.1 and a free port, stopped afterwards.
    `mode["delay"]()`: the wall seconds each answer waits; `mode["max_active"]`: requests in progress at once;
    `mode["requests"]`: how many it answered."""
    mode = {"fixed": False, "delay": lambda: 0.0, "active": 0, "max_active": 0, "requests": 0}

    async def reason(request: Request) -> JSONResponse:
        mode["requests"] += 1
        mode["active"] += 1
        mode["max_active"] = max(mode["max_active"], mode["active"])
        try:
            await asyncio.sleep(mode["delay"]())
            return JSONResponse(decide(await request.json(), mode["fixed"]))
        except RuntimeError as exc:
            return JSONResponse({"error": str(exc)}, status_code=500)
        finally:
            mode["active"] -= 1

    app = Starlette(routes=[Route("/reason", reason, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning"))
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    give_up = time.monotonic() + 10
    while not server.started and runner.is_alive() and time.monotonic() < give_up:
        time.sleep(0.01)
    assert server.started, "the webhook did not start"
    port = server.servers[0].sockets[0].getsockname()[1]  # port 0: uvicorn bound a free one
    try:
        yield f"http://127.0.0.1:{port}/reason", mode
    finally:
        server.should_exit = True
        runner.join(10)

@pytest.fixture
def refund_desk(webhook, tmp_path) -> Path:
    """The refund desk scenario against the webhook; the webhook starts buggy."""
    url, mode = webhook
    mode.update(fixed=False, delay=lambda: 0.0, max_active=0)
    path = tmp_path / "refund.scenario.yaml"
    path.write_text(SCENARIO.format(url=url), encoding="utf-8")
    return path
