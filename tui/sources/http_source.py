"""Calls of a running simulator server, read through `/v1` (production routes) and `/_sim`.

`ApiClient` is the one place that talks HTTP: it turns every failure into a `SourceError`
that says what to do (start the server, pass the right key). The internal event log is read
from `/_sim/calls/{id}/events` when the server offers it, else the public timeline is used and
state changes are rebuilt from the webhook exchanges' answers. The world a call's export carries
(numbers, routing, menus, stubbed URLs, timings, built-in scripts) comes from `/_sim/world`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from aployee_sim.adapters.store import StoreError
from aployee_sim.adapters.store.world import World, world_from
from aployee_sim.contract import events as ev
from aployee_sim.contract.exchanges import shown_kind
from aployee_sim.core.clock import parse_instant
from aployee_sim.tui.model import CallData, CallRow, EventRow, ms_between
from aployee_sim.tui.sources import SourceError

MAX_CALLS = 2000      # the list reads at most this many of the newest calls (100 per request)
PAGE = 100


def items_of(body: Any) -> list[dict[str, Any]]:
    """A list body, or the `data` of an envelope."""
    if isinstance(body, dict):
        body = body.get("data", [])
    return body if isinstance(body, list) else []


class ApiClient:
    def __init__(self, base_url: str, api_key: str, *, timeout: float = 5.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        root = base_url.rstrip("/")
        if root.endswith("/v1"):
            root = root[:-3]
        if not root.startswith(("http://", "https://")):
            raise SourceError(f"--url must start with http:// or https://, got {base_url!r}")
        self.root = root
        self._http = httpx.Client(base_url=root, timeout=timeout, transport=transport,
                                  headers={"Authorization": f"Bearer {api_key}"})

    def request(self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        try:
            response = self._http.request(method, path, json=body, params=params)
        except httpx.TimeoutException:
            raise SourceError(f"the simulator at {self.root} did not answer {method} {path} in time") from None
        except httpx.HTTPError as exc:
            raise SourceError(f"cannot reach the simulator at {self.root} ({type(exc).__name__}): "
                              f"is `aployee-sim serve` running there?") from None
        if response.status_code == 401:
            raise SourceError(f"the simulator at {self.root} refused the API key (401): pass the server's key "
                              f"with --key")
        if response.status_code >= 400:
            raise SourceError(f"{method} {path} failed with {response.status_code}: {_error_message(response)}",
                              status=response.status_code)
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"{method} {path} did not return JSON: is {self.root} an aployee-sim server?") from None

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, body)

    def assistants(self) -> list[dict[str, Any]]:
        return items_of(self.get("/v1/assistants"))

    def clock_now(self) -> str:
        return str(self.get("/_sim/clock").get("now", ""))

    def close(self) -> None:
        self._http.close()


def _error_message(response: httpx.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return response.text[:200] or response.reason_phrase


class HttpSource:
    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.label = client.root
        self._names: dict[str, str] = {}
        self._assistants: list[dict[str, Any]] = []
        client.get("/v1/health")  # fail now, with a clear message, when the server is not there

    def revision(self) -> Any:
        total = self.client.get("/v1/calls", limit=1).get("total")
        return total, self.client.clock_now()

    def assistant_names(self) -> dict[str, str]:
        self._assistants = self.client.assistants()
        self._names = {a["id"]: a.get("name", "") for a in self._assistants}
        return self._names

    def provisioned_numbers(self) -> set[str]:
        """The organization's phone numbers (inbound calls are placed to them)."""
        numbers: set[str] = set()
        offset = 0
        while offset < MAX_CALLS:
            page = self.client.get("/v1/phone-numbers", limit=PAGE, offset=offset)
            numbers.update(n["number"] for n in items_of(page) if isinstance(n.get("number"), str))
            if not page.get("has_more"):
                break
            offset += PAGE
        return numbers

    def call_rows(self) -> list[CallRow]:
        names = self.assistant_names()
        # The call resource has no direction: a call to one of the organization's numbers came in.
        inbound = self.provisioned_numbers()
        rows: list[CallRow] = []
        offset = 0
        while offset < MAX_CALLS:
            page = self.client.get("/v1/calls", limit=PAGE, offset=offset)
            for call in page.get("data", []):
                rows.append(CallRow(id=call["id"], status=call["status"],
                                    direction="inbound" if call["to"] in inbound else "outbound",
                                    assistant_id=call["assistant_id"],
                                    assistant_name=names.get(call["assistant_id"], ""), to=call["to"],
                                    from_=call.get("from"), created_at=call["created_at"],
                                    duration_seconds=call.get("duration_seconds"),
                                    turns=len(call.get("transcript") or [])))
            if not page.get("has_more"):
                break
            offset += PAGE
        return rows

    def call_data(self, call_id: str, run_id: str = "") -> CallData:
        client = self.client
        names = self.assistant_names()
        details = client.get(f"/v1/calls/{call_id}")
        exchanges = [x for x in items_of(client.get("/_sim/webhooks")) if x.get("call_id") == call_id]
        created = details["created_at"]
        try:
            raw = client.get(f"/_sim/calls/{call_id}/events")["events"]
        except SourceError:
            raw = client.get(f"/v1/calls/{call_id}/timeline")["events"] + _state_events(exchanges)
        events = sorted((self._row(created, e) for e in raw), key=lambda e: e.t_ms)
        ended = next((e.event for e in events if isinstance(e.event, ev.CallEnded)), None)
        first_request: dict[str, Any] = next((x["request"] for x in exchanges if shown_kind(x) == "webhook"), {})
        world = self._world()
        numbers = {n["number"] for n in world.directory.get("phone_numbers", [])} if world \
            else self.provisioned_numbers()
        scripts = world.scripts if world else {}
        assistants = {a["id"]: {**a, **scripts.get(a["id"], {})} for a in self._assistants if "id" in a}
        return CallData(
            details=details, direction="inbound" if details["to"] in numbers else "outbound",
            assistant_name=names.get(details["assistant_id"], ""),
            transcript=client.get(f"/v1/calls/{call_id}/transcript")["transcript"], events=events,
            exchanges=exchanges, latency=client.get(f"/v1/calls/{call_id}/latency"),
            end_reason=ended.reason if ended else None,
            initial_state=dict(first_request.get("state") or {}),
            assistant=assistants.get(details["assistant_id"]), assistants=assistants,
            directory=world.directory if world else None,
            in_process_webhooks=set(world.stubbed) if world else set(),
            timings=world.timings if world else {},
        )

    def _row(self, created: str, shown: dict[str, Any]) -> EventRow:
        """An event as `/_sim/calls/{id}/events` (or the timeline) shows it, back as a row."""
        data = {k: v for k, v in shown.items() if k not in ("type", "timestamp")}
        try:
            return EventRow(shown["timestamp"], ev.from_json(ms_between(created, shown["timestamp"]), shown["type"], data))
        except ev.EventError as exc:
            raise SourceError(f"{self.label}: the server sent an event this version does not know: {exc}") from None

    def _world(self) -> World | None:
        """The server's world (None from a server too old to have `/_sim/world`), checked as a stored
        one is. Any other failure is an error: an export without its routing would test the wrong flow."""
        try:
            data = self.client.get("/_sim/world")
        except SourceError as exc:
            if exc.status == 404:
                return None
            raise
        try:
            return world_from(data, f"{self.label}/_sim/world")
        except StoreError as exc:
            raise SourceError(str(exc)) from None

    def close(self) -> None:
        self.client.close()


def _state_events(exchanges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`state_changed` events rebuilt from successful webhook answers (the public timeline has none)."""
    out = []
    for x in exchanges:
        response = x.get("response")
        if x.get("error") is None and isinstance(response, dict) and isinstance(response.get("state"), dict):
            out.append({"type": ev.StateChanged.type, "timestamp": _plus_ms(x["sent_at"], x.get("duration_ms") or 0),
                        "state": response["state"]})
    return out


def _plus_ms(iso: str, ms: int) -> str:
    at = parse_instant(iso) + timedelta(milliseconds=ms)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
