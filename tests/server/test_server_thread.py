"""ServerThread: crashes captured with the request, real webhooks while requests keep being served,
and a clean stop."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from server_helpers import assert_error, client_for, make_assistant, make_call

from aployee_sim.api import Simulator
from aployee_sim.server.thread import ServerError, ServerThread


class BrokenSimulator(Simulator):
    def latency(self, call_id):
        raise RuntimeError("latency exploded")

    def create_assistant(self, body=None, **fields):
        if body and body.get("name") == "boom":
            raise KeyError("boom")
        return super().create_assistant(body, **fields)


def test_handler_crashes_are_500_envelopes_recorded_with_the_request():
    with ServerThread(sim=BrokenSimulator(seed=1), api_key="k") as srv, client_for(srv) as api:
        assert_error(api.get("/v1/calls/call_x/latency"), 500, "internal_error")
        assert_error(api.post("/v1/assistants", json={"name": "boom"}), 500, "internal_error")
        assert api.post("/v1/assistants", json={"name": "fine"}).status_code == 201
        first, second = srv.errors
        assert (first.method, first.path) == ("GET", "/v1/calls/call_x/latency")
        assert isinstance(first.exception, RuntimeError) and "latency exploded" in first.traceback
        assert second.body_excerpt == '{"name":"boom"}'
        assert "POST /v1/assistants with body" in second.describe()
        with pytest.raises(ServerError, match="latency exploded"):
            srv.raise_errors()


def test_engine_crashes_are_recorded():
    with ServerThread(api_key="k") as srv:
        def explode(_):
            raise ValueError("engine bug")

        with srv.driver.lock:
            srv.sim.engine.schedule(0, explode)
        srv.driver.kick()
        assert srv.wait_idle()
        assert [(e.path, type(e.exception)) for e in srv.errors] == [("engine", ValueError)]


class Hook(BaseHTTPRequestHandler):
    """A webhook that, while the simulator waits for it, reads the call back from the simulator."""

    simulator: ServerThread | None = None
    seen: list = []

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv = Hook.simulator
        during = httpx.get(f"{srv.base_url}/calls/{request['call_id']}/live-state", headers=srv.headers,
                           timeout=5, trust_env=False)
        Hook.seen.append((request, during.status_code, during.json()))
        body = json.dumps({"reply": "Your order ships tomorrow.", "state": {**request["state"], "intent": "order"}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Hook.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/reason"
    server.shutdown()
    server.server_close()


def test_real_webhook_while_requests_keep_being_served(hook_url):
    with Simulator(seed=5) as served, ServerThread(sim=served, api_key="k", clock="manual") as srv, client_for(srv) as api:
        Hook.simulator = srv
        assistant = make_assistant(api, reasoning_mode="webhook", webhook_url=hook_url)
        call = make_call(api, assistant["id"], "+15005550006", initial_state={"customer_id": "c1"})
        api.post("/_sim/clock/advance", json={"seconds": 0})
        api.post(f"/_sim/calls/{call['id']}/say", json={"text": "Where is my order?"})
        api.post("/_sim/clock/advance", json={"seconds": 5})
        (request, status, live), = Hook.seen
        assert status == 200 and live["reasoning_status"]["active"] is True  # served mid-webhook
        assert request["utterance"] == "Where is my order?" and request["state"] == {"customer_id": "c1"}
        exchanges = api.get("/_sim/webhooks").json()
        assert [(x["url"], x["status_code"], x["error"]) for x in exchanges] == [(hook_url, 200, None)]
        assert exchanges[0]["request"]["context"][-1] == {"role": "user", "content": "Where is my order?"}
        after = api.get(f"/v1/calls/{call['id']}/live-state").json()
        assert after["current_state"] == {"customer_id": "c1", "intent": "order"}
        assert after["transcript"][-1]["content"] == "Your order ships tomorrow."
        srv.raise_errors()


def test_stop_leaves_nothing_running():
    before = set(threading.enumerate())
    srv = ServerThread(api_key="k").start()
    url = srv.base_url
    assert httpx.get(url + "/health", headers=srv.headers, trust_env=False).status_code == 200
    srv.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/health", headers=srv.headers, trust_env=False)
    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []


class HangingUpHook(BaseHTTPRequestHandler):
    """A webhook during whose answer the far end hangs up (sent from another thread, not awaited),
    answering 0.3 s later: the hang-up arrives while the engine waits for this answer."""

    simulator: ServerThread
    hangups: list[threading.Thread] = []

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv = HangingUpHook.simulator
        hangup = threading.Thread(target=lambda: HangingUpHook.answers.append(httpx.post(
            f"{srv.root_url}/_sim/calls/{request['call_id']}/hangup", headers=srv.headers, timeout=10,
            trust_env=False)))
        hangup.start()
        HangingUpHook.hangups.append(hangup)
        threading.Event().wait(0.3)
        body = json.dumps({"reply": "One moment.", "state": request["state"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_hang_up_while_the_engine_waits_for_an_answer_is_recorded_after_it():
    """The engine waits for a webhook answer with the lock released, mid-turn; a far-end action
    arriving then is run once the turn is done, so the log reads as with a synchronous answer:
    the exchange, then the end (before, the hang-up was applied mid-turn and logged before it)."""
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), HangingUpHook)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    HangingUpHook.answers, HangingUpHook.hangups = [], []
    try:
        with Simulator(seed=5) as served, ServerThread(sim=served, api_key="k", clock="manual") as srv, \
                client_for(srv) as api:
            HangingUpHook.simulator = srv
            assistant = make_assistant(api, reasoning_mode="webhook",
                                       webhook_url=f"http://127.0.0.1:{receiver.server_address[1]}/reason")
            call = make_call(api, assistant["id"], "+15005550006")
            api.post("/_sim/clock/advance", json={"seconds": 0})
            api.post(f"/_sim/calls/{call['id']}/say", json={"text": "Where is my order?"})
            api.post("/_sim/clock/advance", json={"seconds": 5})
            for hangup in HangingUpHook.hangups:
                hangup.join(15)
            assert [a.status_code for a in HangingUpHook.answers] == [200], HangingUpHook.answers
            kinds = [e["type"] for e in api.get(f"/_sim/calls/{call['id']}/events").json()["events"]]
            assert kinds.index("webhook_called") < kinds.index("reasoning_completed") < kinds.index("call_ended"), kinds
            assert api.get(f"/v1/calls/{call['id']}").json()["status"] == "completed"
            srv.raise_errors()
    finally:
        receiver.shutdown()
        receiver.server_close()
