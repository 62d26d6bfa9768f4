"""Server mode with real webhooks in flight: the HTTP API keeps answering while the engine waits
for an answer, and a manual advance returns once a dripping answer reaches its deadline."""

from __future__ import annotations

import time

import httpx

from aployee_sim.api import Simulator
from aployee_sim.core.timings import Timings
from aployee_sim.server.thread import ServerThread
from tests.pipeline.receiver import Receiver


def _client(srv: ServerThread) -> httpx.Client:
    return httpx.Client(base_url=srv.root_url, headers=srv.headers, timeout=10, trust_env=False)


def _live_call(api: httpx.Client, url: str) -> str:
    assistant = api.post("/v1/assistants", json={"name": "Alex", "reasoning_mode": "webhook", "webhook_url": url,
                                                 "first_message": "Hi."}).json()
    call = api.post("/v1/calls", json={"assistant_id": assistant["id"], "to": "+15005550006"}).json()
    return call["id"]


def _until(predicate, timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("condition not reached")


def test_the_api_answers_while_the_engine_waits_for_a_webhook():
    with (Receiver() as receiver, Simulator(seed=1) as sim, ServerThread(sim=sim, clock="realtime") as srv,
          _client(srv) as api):
        receiver.hang.add("*")
        cid = _live_call(api, receiver.url)
        _until(lambda: api.get(f"/v1/calls/{cid}").json()["status"] == "in_progress")
        assert api.post(f"/_sim/calls/{cid}/say", json={"text": "Where is my order?"}).status_code == 200
        assert receiver.wait_hanging(1)
        _until(lambda: srv.driver.in_flight)  # the engine reached the answer's due time and waits for it
        assert api.get(f"/v1/calls/{cid}").json()["status"] == "in_progress"  # answered meanwhile
        assert api.get("/v1/calls").status_code == 200 and receiver.hanging == 1
        receiver.release()
        _until(lambda: any(e.type == "webhook_called" for e in sim.events(cid)))
        called = [e for e in sim.events(cid) if e.type == "webhook_called"]
        srv.raise_errors()
    assert called[0].error is None


def test_a_manual_advance_returns_when_a_dripping_answer_times_out():
    timings = Timings().with_overrides({"webhook_timeout_ms": 1_500})
    with (Receiver() as receiver, Simulator(seed=1, timings=timings) as sim, ServerThread(sim=sim, clock="manual") as srv,
          _client(srv) as api):
        receiver.drip.add("*")
        cid = _live_call(api, receiver.url)
        api.post("/_sim/clock/advance", json={"seconds": 1})
        assert api.post(f"/_sim/calls/{cid}/say", json={"text": "Where is my order?"}).status_code == 200
        assert api.post("/_sim/clock/advance", json={"seconds": 10}).status_code == 200
        called = [e for e in sim.events(cid) if e.type == "webhook_called"]
        srv.raise_errors()
    assert [(e.error, e.duration_ms) for e in called] == [("timeout after 1500 ms", 1_500)]
