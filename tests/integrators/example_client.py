"""A small Aployee Calls API client, as an integrator would write it (httpx).

Point it at production (`https://api.aployee.com/v1`) or at the simulator's base URL: the code
cannot tell the difference.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

TERMINAL = {"completed", "failed", "transferred"}


class AployeeError(Exception):
    """An API error: the HTTP status and the `{"error": {code, message, details}}` envelope."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any]) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.details = status, code, message, details


class AployeeClient:
    def __init__(self, base_url: str, api_key: str, *, timeout: float = 10.0) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout,
                                  headers={"Authorization": f"Bearer {api_key}"})

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            error = response.json()["error"]
            raise AployeeError(response.status_code, error["code"], error["message"], error.get("details", {}))
        return response.json()

    def start_call(self, assistant_id: str, to: str, *, caller_id: str | None = None,
                   initial_state: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"assistant_id": assistant_id, "to": to}
        if caller_id is not None:
            body["from"] = caller_id
        if initial_state is not None:
            body["initial_state"] = initial_state
        return self._call("POST", "/calls", json=body)

    def get_call(self, call_id: str) -> dict[str, Any]:
        return self._call("GET", f"/calls/{call_id}")

    def live_state(self, call_id: str) -> dict[str, Any]:
        return self._call("GET", f"/calls/{call_id}/live-state")

    def list_calls(self, **filters: Any) -> dict[str, Any]:
        return self._call("GET", "/calls", params=filters)

    def wait_until_finished(self, call_id: str, *, timeout: float = 60.0, poll: float = 0.2) -> dict[str, Any]:
        """Poll the call until it is completed, failed or transferred; returns its details."""
        deadline = time.monotonic() + timeout
        while True:
            call = self.get_call(call_id)
            if call["status"] in TERMINAL:
                return call
            if time.monotonic() > deadline:
                raise TimeoutError(f"call {call_id} is still {call['status']} after {timeout} s")
            time.sleep(poll)
