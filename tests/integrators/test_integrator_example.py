"""The README's integrator example (example_client.py + example_webhook.py) against both fixtures:
in-process (the Platform API, the webhook app reached through route_webhook) and a real server
with the webhook app on a real port."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn
from example_client import AployeeClient, AployeeError
from example_webhook import SUPPORT_LINE, app, decide
from hypothesis import given, settings

from aployee_sim.fakes.callers import ScriptedCaller, expect, say
from aployee_sim.pytest_plugin import far_end
from aployee_sim.strategies import webhook_requests

HERE = Path(__file__).parent
DOC = HERE.parents[1] / "README.md"


@pytest.fixture
def webhook_url():
    """The example webhook app served by uvicorn on 127.0.0.1 and a free port, stopped afterwards."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the webhook receiver did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/reason"
    server.should_exit = True
    thread.join(10)
    sock.close()


def call_app(request: dict) -> dict:
    """POST one webhook request to the real Starlette app in-process (ASGI, no socket)."""
    async def post() -> dict:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
            response = await client.post("/reason", json=request)
            response.raise_for_status()
            return response.json()
    return asyncio.run(post())


def test_in_process_with_the_webhook_app_through_route_webhook(aployee_sim):
    hook = "https://example.test/reason"
    aployee_sim.route_webhook(hook, call_app)
    assistant = aployee_sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=hook)
    caller = ScriptedCaller([expect("help"), say("Where is my order?"), expect("arrives tomorrow"),
                             say("Thanks. Can I talk to a human agent about a refund?")])
    call = aployee_sim.start_call(assistant["id"], "+15551234567", initial_state={"order_id": "ord_1001"},
                                  caller=caller)
    aployee_sim.run()
    details = aployee_sim.call_details(call["id"])
    assert caller.failures == []
    assert details["status"] == "transferred"
    assert details["final_state"] == {"order_id": "ord_1001", "intent": "order_status", "handoff": "requested"}
    transfer = [e for e in aployee_sim.timeline(call["id"])["events"] if e["type"] == "transfer_initiated"]
    assert transfer[0]["target"] == SUPPORT_LINE and transfer[0]["trigger"] == "webhook"


@pytest.mark.aployee(clock="manual")
def test_real_server_with_a_real_webhook_receiver(aployee_server, webhook_url):
    srv = aployee_server
    assistant = srv.v1("POST", "/assistants", {"name": "Alex", "reasoning_mode": "webhook", "webhook_url": webhook_url})
    client = AployeeClient(srv.base_url, srv.api_key)
    try:
        with pytest.raises(AployeeError) as caught:
            client.start_call(assistant["id"], "555-1234")
        assert caught.value.status == 400 and caught.value.details == {"field": "to"}
        call = client.start_call(assistant["id"], "+15551234567", caller_id="+15559876543",
                                 initial_state={"order_id": "ord_1001"})
        assert call["status"] == "initiated"
        srv.advance(8)  # dialled, rang, answered, greeted
        far_end(srv, call["id"]).say("Where is my order?")
        srv.advance(6)
        live = client.live_state(call["id"])
        assert live["current_state"]["intent"] == "order_status"
        assert any("arrives tomorrow" in line["content"] for line in live["transcript"])
        far_end(srv, call["id"]).say("Can I talk to a human agent?")
        srv.advance(30)
        details = client.wait_until_finished(call["id"], timeout=10)
        assert details["status"] == "transferred" and details["final_state"]["handoff"] == "requested"
        assert client.list_calls(status="transferred")["total"] == 1
    finally:
        client.close()
    exchanges = srv.webhooks()
    assert [x["url"] for x in exchanges] == [webhook_url, webhook_url]
    assert [x["status_code"] for x in exchanges] == [200, 200]


@settings(max_examples=30, deadline=None)
@given(webhook_requests())
def test_the_webhook_logic_answers_every_valid_request(request):
    response = decide(request)
    assert isinstance(response["state"], dict)
    assert set(response) <= {"reply", "state", "action", "target"}


def test_the_doc_shows_exactly_this_code():
    doc = DOC.read_text()
    for name in ("example_client.py", "example_webhook.py"):
        assert (HERE / name).read_text() in doc, f"README.md's integrator example is out of date with tests/integrators/{name}"
