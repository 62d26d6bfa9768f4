"""The HTTP server's own edges: header caps, the key before anything else, malformed requests,
and internal errors that are really recorded. A real server on 127.0.0.1; raw sockets where the
request must be one no HTTP client would send.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from pathlib import Path

import httpx
import pytest

from aployee_sim.api import Simulator
from aployee_sim.server.errorlog import MAX_RECENT
from aployee_sim.server.limits import MAX_HEAD_BYTES, MAX_HEADER_COUNT
from aployee_sim.server.thread import ServerThread

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from server_helpers import ServeProcess, assert_error  # noqa: E402

KEY = "edge-key"
AUTH = f"Authorization: Bearer {KEY}\r\n".encode()


@pytest.fixture(scope="module")
def srv():
    with Simulator(seed=1) as served, ServerThread(sim=served, api_key=KEY, clock="manual") as server:
        yield server


@pytest.fixture
def api(srv):
    with httpx.Client(base_url=srv.root_url, headers=srv.headers, timeout=10, trust_env=False) as client:
        yield client


def exchange(srv: ServerThread, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read until the server closes: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}
    return int(status_line.split()[1]), headers, body


def assert_envelope(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict:
    assert status == expected, body
    assert headers["content-type"] == "application/json"
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message", "details"} and error["message"]
    return error


def request(path: str = "/v1/health", *extra: bytes) -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + b"".join(extra) + \
        b"Connection: close\r\n\r\n"


def peak_memory_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc/self/status")


def test_a_100_mb_header_is_refused_in_bounded_memory_while_others_are_served(srv, api):
    try:
        Path("/proc/self/clear_refs").write_text("5")  # restart the peak-memory count here
    except OSError:
        pytest.skip("cannot reset the peak resident set size on this system")
    before = peak_memory_kib()
    answer: list[bytes] = []

    def send_huge_header() -> None:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + b"X-Huge: ")
            chunk, sent = b"a" * 65536, 0
            try:
                while sent < 100 << 20:
                    sock.sendall(chunk)
                    sent += len(chunk)
            except OSError:  # the server stopped listening once it had answered
                pass
            while piece := sock.recv(65536):
                answer.append(piece)

    sender = threading.Thread(target=send_huge_header)
    sender.start()
    assert api.get("/v1/health").status_code == 200  # another client meanwhile
    sender.join(30)
    assert not sender.is_alive()
    head, _, body = b"".join(answer).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 ")
    assert json.loads(body)["error"]["details"] == {"field": "headers"}
    assert peak_memory_kib() - before < 32 * 1024, "the refused header was buffered"


def test_too_many_headers(srv):
    many = [b"X-H%d: v\r\n" % i for i in range(MAX_HEADER_COUNT + 1)]
    error = assert_envelope(*exchange(srv, request("/v1/health", *many)), 431)
    assert error["code"] == "invalid_request" and str(MAX_HEADER_COUNT) in error["message"]


def test_headers_just_under_the_caps_are_served(srv):
    assert exchange(srv, request("/v1/health", *[b"X-H%d: v\r\n" % i for i in range(MAX_HEADER_COUNT - 4)]))[0] == 200
    big = b"X-Big: " + b"a" * (MAX_HEAD_BYTES - 200) + b"\r\n"
    assert exchange(srv, request("/v1/health", big))[0] == 200


def test_bodies_do_not_count_against_the_head_cap(srv):
    # Keep-alive: a large body, then a second request on the same connection, in one write.
    body = json.dumps({"seconds": 0, "pad": "a" * (4 * MAX_HEAD_BYTES)}).encode()
    post = (b"POST /_sim/clock/advance HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + b"Content-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body)
    status, _, answer = exchange(srv, post + request("/v1/health"))
    assert status == 200 and answer.count(b"HTTP/1.1 200 OK") == 1 and answer.endswith(b'{"status":"ok"}')


def test_a_long_url_counts_against_the_head_cap(srv):
    assert_envelope(*exchange(srv, request("/v1/calls?x=" + "a" * MAX_HEAD_BYTES)), 431)


@pytest.mark.parametrize("method, path", [("GET", "/nowhere"), ("DELETE", "/v1/health"), ("PUT", "/_sim/clock"),
                                          ("GET", "/_sim/errors")])
@pytest.mark.parametrize("key", [None, "wrong"])
def test_the_key_is_checked_before_the_route(srv, method, path, key):
    headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    response = httpx.request(method, srv.root_url + path, headers=headers, trust_env=False)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_with_the_key_unknown_routes_and_methods_are_404_and_405(api):
    assert_error(api.get("/nowhere"), 404, "not_found")
    assert_error(api.delete("/v1/health"), 405, "method_not_allowed")


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header Name: x\r\n\r\n",
    b"POST /v1/calls HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: twelve\r\n\r\n",
    b"POST /v1/calls HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
], ids=["no-request-line", "space-in-header-name", "non-numeric-length", "bad-chunk", "http2-preface"])
def test_requests_the_parser_rejects_get_the_envelope(srv, raw):
    error = assert_envelope(*exchange(srv, raw), 400)
    assert error["code"] == "invalid_request" and "not valid HTTP" in error["message"]


def _break(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> list:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(sim, "exchanges", broken)


def test_internal_errors_are_listed_under_sim_errors(srv, api, monkeypatch):
    seen = srv.context.error_log.total
    _break(srv.sim, monkeypatch)
    failed = api.get("/_sim/webhooks")
    assert_error(failed, 500, "internal_error")
    listing = api.get("/_sim/errors").json()
    assert listing["total"] == seen + 1
    latest = listing["errors"][-1]
    assert (latest["number"], latest["method"], latest["path"]) == (seen + 1, "GET", "/_sim/webhooks")
    assert (latest["exception"], latest["message"]) == ("RuntimeError", "injected fault")
    assert "Traceback (most recent call last)" in latest["traceback"]
    srv.errors.clear()  # expected here: not a failure of the next test


def test_a_bug_outside_any_handler_is_the_same_recorded_500(srv, api, monkeypatch):
    def broken(request) -> None:
        raise RuntimeError("broken key check")

    monkeypatch.setattr(srv.context, "authorize", broken)  # reached by the 404 handler, outside routes
    seen = srv.context.error_log.total
    assert_error(api.get("/nowhere"), 500, "internal_error")
    monkeypatch.undo()
    latest = api.get("/_sim/errors").json()["errors"][-1]
    assert (latest["number"], latest["path"], latest["message"]) == (seen + 1, "/nowhere", "broken key check")
    srv.errors.clear()


def test_the_error_list_is_bounded(srv, api, monkeypatch):
    _break(srv.sim, monkeypatch)
    for _ in range(MAX_RECENT + 5):
        assert api.get("/_sim/webhooks").status_code == 500
    listing = api.get("/_sim/errors").json()
    assert len(listing["errors"]) == MAX_RECENT
    numbers = [e["number"] for e in listing["errors"]]
    assert numbers == list(range(listing["total"] - MAX_RECENT + 1, listing["total"] + 1))
    srv.errors.clear()


def test_serve_prints_the_request_line_and_traceback_of_a_500(tmp_path, monkeypatch):
    # A fault injected into a real `aployee-sim serve` process (a sitecustomize module it imports).
    (tmp_path / "sitecustomize.py").write_text(
        "from aployee_sim.api import Simulator\n"
        "def _broken(self):\n    raise RuntimeError('injected fault')\n"
        "Simulator.exchanges = _broken\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    proc = ServeProcess()
    try:
        response = httpx.get(proc.root_url + "/_sim/webhooks?page=2", headers={"Authorization": f"Bearer {proc.key}"},
                             trust_env=False)
        assert_error(response, 500, "internal_error")
    finally:
        proc.proc.terminate()
        stderr = proc.proc.stderr.read()
        proc.stop()
    assert "aployee-sim: internal error #1: GET /_sim/webhooks?page=2 raised RuntimeError: injected fault" in stderr
    assert "Traceback (most recent call last)" in stderr and "_broken" in stderr


def test_a_head_that_does_not_arrive_in_time_is_a_408_and_idle_keep_alive_is_not(srv, api, monkeypatch):
    """A connection that sends nothing, or drips its headers, is answered 408 at the head deadline
    (uvicorn alone held both for good); a keep-alive client idle between requests is not affected,
    and other clients are served meanwhile."""
    from aployee_sim.server import limits

    monkeypatch.setattr(limits, "HEAD_DEADLINE_SECONDS", 0.3)
    silent = exchange(srv, b"")
    error = assert_envelope(*silent, 408)
    assert error["code"] == "invalid_request" and error["details"]["field"] == "headers", error

    def drip() -> int:
        """Send a request a byte every 50 ms; the status the server answers with."""
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
            for byte in request():
                try:
                    sock.sendall(bytes([byte]))
                except OSError:  # the server answered and closed: stop dripping
                    break
                threading.Event().wait(0.05)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        return int(received.split()[1])

    dripped: list[int] = []
    worker = threading.Thread(target=lambda: dripped.append(drip()))
    worker.start()
    assert api.get("/v1/health").status_code == 200  # served while the drip goes on
    worker.join(20)
    assert not worker.is_alive() and dripped == [408], dripped

    keep_alive = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + b"\r\n"
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as sock:
        for _ in range(2):  # the same connection, idle past the head deadline in between
            sock.sendall(keep_alive)
            answer = sock.recv(65536)
            assert answer.startswith(b"HTTP/1.1 200"), answer
            threading.Event().wait(0.6)  # (well within uvicorn's 5 s keep-alive)
