"""Driving a real server against the hostile receiver: every response is checked to be strict JSON.

`StrictApi` wraps an httpx client: each answer must not be a 5xx and its body must parse with a
strict parser (no NaN/Infinity), or the test fails right there with the request shown.
"""

from __future__ import annotations

from typing import Any

import httpx
from hostile_receiver import strict_parse

TERMINAL = {"completed", "failed", "transferred"}


class StrictApi:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.requests = 0

    def send(self, method: str, path: str, *, json: Any = None, content: bytes | None = None) -> httpx.Response:
        headers = {"Content-Type": "application/json"} if content is not None else None
        response = self.client.request(method, path, json=json, content=content, headers=headers)
        self.requests += 1
        assert response.status_code < 500, f"{method} {path} answered {response.status_code}: {response.text[:500]}"
        if response.content:
            strict_parse(response.content)  # raises on NaN, Infinity or malformed text
        return response

    def get(self, path: str) -> Any:
        response = self.send("GET", path)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:300]}"
        return response.json()

    def advance(self, seconds: float) -> None:
        assert self.send("POST", "/_sim/clock/advance", json={"seconds": seconds}).status_code == 200

    def webhook_assistant(self, url: str) -> str:
        response = self.send("POST", "/v1/assistants", json={"name": "Hostile", "reasoning_mode": "webhook",
                                                            "webhook_url": url, "first_message": "Hello."})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def connected_call(self, assistant_id: str, body: dict[str, Any] | None = None) -> str:
        response = self.send("POST", "/v1/calls", json={"assistant_id": assistant_id, "to": "+15551234567",
                                                        **(body or {})})
        assert response.status_code == 201, response.text
        call_id = response.json()["id"]
        for _ in range(20):
            if self.get(f"/v1/calls/{call_id}")["status"] == "in_progress":
                return call_id
            self.advance(1)
        raise AssertionError(f"call {call_id} never connected")

    def say(self, call_id: str, text: str) -> None:
        self.send("POST", f"/_sim/calls/{call_id}/say", json={"text": text})
        self.advance(4)

    def hang_up_and_settle(self, call_id: str) -> dict[str, Any]:
        """End the call (if it is still going), advance, and return its details: never stuck."""
        if self.get(f"/v1/calls/{call_id}")["status"] not in TERMINAL:
            self.send("POST", f"/_sim/calls/{call_id}/hangup")
        self.advance(30)
        details = self.get(f"/v1/calls/{call_id}")
        assert details["status"] in TERMINAL, details
        assert self.get(f"/v1/calls/{call_id}/live-state")["reasoning_status"]["active"] is False
        return details

    def check_every_view(self, call_id: str) -> None:
        for view in ("", "/live-state", "/transcript", "/timeline", "/latency"):
            self.get(f"/v1/calls/{call_id}{view}")
        self.get(f"/_sim/calls/{call_id}/events")
        self.get("/v1/calls")
        self.get("/_sim/webhooks")

    def webhook_events(self, call_id: str) -> list[dict[str, Any]]:
        return [e for e in self.get(f"/v1/calls/{call_id}/timeline")["events"] if e["type"] == "webhook_called"]
