"""Test helpers for integrators: drive a call as the far end, and talk to a simulator server.

The same three moves work in-process and over HTTP, so a test reads the same against both
fixtures of `aployee_sim.pytest_plugin`:

    far_end(aployee_sim, call_id).say("I need to check my order status")     # Simulator
    far_end(aployee_server, call_id).say("I need to check my order status")  # AployeeServer
    ... .press("1#") ... .hang_up()

In-process nothing moves until the test runs the engine (`sim.run(seconds=...)`); on a server
in `auto` clock mode the call goes on by itself (use `AployeeServer.wait_for`).

This module imports nothing heavy at import time (httpx is imported when a server is used),
because the pytest plugin imports it at pytest start-up.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from aployee_sim.core.ports import Line
    from aployee_sim.platform.platform import Platform
    from aployee_sim.server.thread import ServerThread


class AployeeServerError(AssertionError):
    """The simulator server crashed while serving a request; the message shows the request and traceback."""


class SimFarEnd:
    """The far end of an in-process call (a `Simulator`/`Platform`), acting right now on virtual time."""

    def __init__(self, sim: Platform, call_id: str) -> None:
        self._line = sim.line(call_id)  # a 404 ApiError for an unknown call, like the HTTP route
        self._sim = sim
        self.call_id = call_id

    def _live(self, action: str) -> Line:
        """The line, or the same 409 the `/_sim/calls/{id}/...` routes answer when the call is not live."""
        from aployee_sim.contract.errors import ApiError

        status = self._sim.record(self.call_id).status
        if status != "in_progress":
            raise ApiError(409, f"The far end can {action} only while the call is in_progress; call "
                                f"{self.call_id!r} is {status}", field="status")
        return self._line

    def say(self, text: str) -> None:
        self._live("speak").say(text)

    def press(self, digits: str) -> None:
        self._live("press keys").press(digits)

    def hang_up(self) -> None:
        from aployee_sim.contract.errors import ApiError
        from aployee_sim.contract.lifecycle import TERMINAL

        status = self._sim.record(self.call_id).status
        if status in TERMINAL:
            raise ApiError(409, f"Call {self.call_id!r} has already ended ({status})", field="status")
        self._line.hang_up()


class HttpFarEnd:
    """The far end of a call on a simulator server, through the `/_sim/calls/{id}/...` routes."""

    def __init__(self, server: AployeeServer, call_id: str) -> None:
        self._server = server
        self.call_id = call_id

    def say(self, text: str) -> None:
        self._server.sim("POST", f"/calls/{self.call_id}/say", {"text": text})

    def press(self, digits: str) -> None:
        self._server.sim("POST", f"/calls/{self.call_id}/digits", {"digits": digits})

    def hang_up(self) -> None:
        self._server.sim("POST", f"/calls/{self.call_id}/hangup")


def far_end(target: Any, call_id: str) -> SimFarEnd | HttpFarEnd:
    """The far end of `call_id` on a `Simulator` (in-process) or an `AployeeServer`."""
    if isinstance(target, AployeeServer):
        return HttpFarEnd(target, call_id)
    return SimFarEnd(target, call_id)


class AployeeServer:
    """A running simulator server as a test sees it: URLs, credentials, clock, webhook log, far ends.

    `client` is an `httpx.Client` on the server root that already sends the API key and the
    organization header; requests made through `v1()`/`sim()` fail the test with the server's own
    traceback when the simulator crashed (a 5xx), instead of a bare 500.
    """

    def __init__(self, thread: ServerThread) -> None:
        self.thread = thread
        self.base_url: str = thread.base_url
        self.root_url: str = thread.root_url
        self.api_key: str = thread.api_key
        self.org_id: str = thread.org_id
        self._client: httpx.Client | None = None
        self._seen_errors = len(thread.errors)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}", "X-Organization-Id": self.org_id}

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(base_url=self.root_url, headers=self.headers, timeout=30)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- requests --------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """`path` from the server root; returns the JSON body. A 4xx raises `ApiError` (the envelope)."""
        from aployee_sim.contract.errors import ApiError

        response = self.client.request(method, path, json=body, params=params or None)
        if response.status_code >= 500:
            self.raise_errors()
        if response.status_code >= 400:
            error = response.json().get("error", {})
            raise ApiError(response.status_code, error.get("message", response.text), code=error.get("code"),
                           details=error.get("details", {}))
        return response.json() if response.content else None

    def v1(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        return self.request(method, "/v1" + path, body, **params)

    def sim(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        return self.request(method, "/_sim" + path, body, **params)

    # --- the control plane -----------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Forget every call, assistant and webhook exchange (`POST /_sim/reset`), optionally reseeding."""
        self.sim("POST", "/reset", {} if seed is None else {"seed": seed})
        self._seen_errors = len(self.thread.errors)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until the engine has run everything requested so far (auto clock mode)."""
        return self.thread.wait_idle(timeout)

    def clock(self) -> dict[str, str]:
        clock: dict[str, str] = self.sim("GET", "/clock")
        return clock

    def advance(self, seconds: float) -> dict[str, str]:
        """Run the server's engine `seconds` of virtual time forward (manual clock mode)."""
        clock: dict[str, str] = self.sim("POST", "/clock/advance", {"seconds": seconds})
        return clock

    def webhooks(self) -> list[dict[str, Any]]:
        """Every webhook exchange so far (`GET /_sim/webhooks`)."""
        exchanges: list[dict[str, Any]] = self.sim("GET", "/webhooks")
        return exchanges

    def far_end(self, call_id: str) -> HttpFarEnd:
        return HttpFarEnd(self, call_id)

    def wait_for(self, call_id: str, *statuses: str, timeout: float = 10.0) -> dict[str, Any]:
        """Poll `GET /v1/calls/{id}` until its status is one of `statuses`; returns the call details."""
        deadline = time.monotonic() + timeout
        while True:
            details: dict[str, Any] = self.v1("GET", f"/calls/{call_id}")
            if details["status"] in statuses:
                return details
            if time.monotonic() > deadline:
                raise AssertionError(f"call {call_id} is still {details['status']} after {timeout} s; "
                                     f"waited for {' or '.join(statuses)}")
            time.sleep(0.01)

    def raise_errors(self) -> None:
        """Fail with every simulator crash since the last check, each with its request and traceback."""
        errors = list(self.thread.errors)[self._seen_errors:]
        self._seen_errors += len(errors)
        if errors:
            raise AployeeServerError(describe_errors(errors))


def describe_errors(errors: list[Any]) -> str:
    parts = [f"the aployee simulator server failed {len(errors)} time(s):"]
    for error in errors:
        describe = getattr(error, "describe", None)
        parts.append("- " + (describe() if describe else repr(error)))
        trace = getattr(error, "traceback", "")
        if trace:
            parts.append("  " + trace.rstrip().replace("\n", "\n  "))
    return "\n".join(parts)
