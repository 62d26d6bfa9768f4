"""A real HTTP round trip: a local webhook server on 127.0.0.1 answers reply+state, then transfer."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aployee_sim.api import Simulator
from aployee_sim.contract.events import to_json
from aployee_sim.fakes.callers import ScriptedCaller, expect, say


class Receiver(BaseHTTPRequestHandler):
    received: list = []
    answers: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        body = json.loads(self.rfile.read(length))
        Receiver.received.append((self.headers["Content-Type"], body))
        status, payload = Receiver.answers.pop(0)
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received, Receiver.answers = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_real_webhook_reply_state_then_transfer(receiver):
    Receiver.answers = [
        (200, {"reply": "Let me get someone.", "state": {"customer_id": "cust_12345", "intent": "human"}}),
        (200, {"state": {"customer_id": "cust_12345", "intent": "human", "handoff": True},
               "action": "transfer", "target": "+15557654321"}),
    ]
    with Simulator(seed=3) as sim:
        assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=receiver)
        call = sim.start_call(assistant["id"], "+15551234567", initial_state={"customer_id": "cust_12345"},
                              caller=ScriptedCaller([say("I have a problem"), expect("someone"), say("ok")]))
        sim.run()
        details = sim.call_details(call["id"])
    assert details["status"] == "transferred"
    assert details["final_state"] == {"customer_id": "cust_12345", "intent": "human", "handoff": True}
    assert [body["utterance"] for _, body in Receiver.received] == ["I have a problem", "ok"]
    content_type, first = Receiver.received[0]
    assert content_type == "application/json"
    assert list(first) == ["call_id", "assistant_id", "utterance", "state", "context", "timestamp"]


def test_real_webhook_failures_are_recorded_not_raised(receiver):
    Receiver.answers = [(500, {"error": "boom"}), (200, b"not json"), (200, b"[1, 2]")]
    with Simulator(seed=3) as sim:
        assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=receiver)
        call = sim.start_call(assistant["id"], "+15551234567", initial_state={"k": 1},
                              caller=ScriptedCaller([say("one"), say("two"), say("three"), expect(".")]))
        sim.run(until_ms=120_000)
        errors = [e.error for e in sim.events(call["id"]) if e.type == "webhook_called"]
        assert sim.live_state(call["id"])["current_state"] == {"k": 1}
    assert errors[0] == "HTTP 500"
    assert errors[1].startswith("invalid JSON")
    assert errors[2] == "response is not a JSON object (got list)"


def test_connection_refused_is_a_recorded_error():
    with Simulator(seed=3) as sim:
        assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url="http://127.0.0.1:9/hook")
        call = sim.start_call(assistant["id"], "+15005550006", caller=ScriptedCaller([say("hello")]))
        sim.run(until_ms=30_000)
        [event] = [to_json(e) for e in sim.events(call["id"]) if e.type == "webhook_called"]
    assert event["error"].startswith("connection error")


def test_hostile_answers_are_recorded_failures(receiver):
    deep = b'{"a":' * 1000 + b"1" + b"}" * 1000
    Receiver.answers = [(200, b'{"reply": "hi", "state": {"x": NaN}}'), (200, b'{"state": {"x": 1e999}}'),
                        (200, deep), (200, b" " * (1 << 20) + b"{}"), (302, {"reply": "moved"})]
    with Simulator(seed=3) as sim:
        assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=receiver)
        call = sim.start_call(assistant["id"], "+15551234567", initial_state={"k": 1},
                              caller=ScriptedCaller([say("one"), say("two"), say("three"), say("four"),
                                                     say("five"), expect(".")]))
        sim.run(until_ms=300_000)
        errors = [e.error for e in sim.events(call["id"]) if e.type == "webhook_called"]
        assert sim.live_state(call["id"])["current_state"] == {"k": 1}
    assert errors[0].startswith("invalid JSON: NaN is not JSON")
    assert errors[1].startswith("invalid JSON: the number 1e999 is too large")
    assert errors[2] == "invalid JSON: " + ("$" + ".a" * 64)[:80] + "...: nested deeper than 64 levels"
    assert errors[3] == "response over 1048576 bytes"
    assert errors[4] == "HTTP 302"  # redirects are not followed
    assert len(Receiver.received) == 5
