"""The plain data the TUI shows, whatever the source: rows of the calls list and one call in full.

Sources build these from the platform, a store file or HTTP responses, so the view-models and
screens never know where a call came from. Times stay ISO strings (as the API serves them)
plus virtual milliseconds since the call was created, for ordering and offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from aployee_sim.contract import events as ev
from aployee_sim.core.clock import VirtualClock, parse_instant


@dataclass(frozen=True, slots=True)
class CallRow:
    """One line of the calls list."""

    id: str
    status: str
    direction: str          # "outbound" | "inbound" | "" when the source cannot tell
    assistant_id: str
    assistant_name: str
    to: str
    from_: str | None
    created_at: str
    duration_seconds: int | None
    turns: int
    run_id: str = ""        # the scenario run that made it (store files); "" elsewhere

    @property
    def key(self) -> str:
        """Unique in the list: seeded ids repeat across scenarios and runs, so a store's row is (run, call)."""
        return f"{self.run_id}/{self.id}" if self.run_id else self.id


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event of a call's log: public timeline types and the simulator's internal ones."""

    at: str                 # ISO 8601 with milliseconds
    event: ev.Event         # its `t_ms` counted from the call's creation, whatever the source

    @property
    def t_ms(self) -> int:
        """Virtual ms since the call was created."""
        return self.event.t_ms

    @classmethod
    def logged(cls, event: ev.Event, created_ms: int, clock: VirtualClock) -> EventRow:
        """A row of an in-process or stored log (times on the engine's clock)."""
        return cls(clock.iso_millis(event.t_ms), replace(event, t_ms=event.t_ms - created_ms))


@dataclass(slots=True)
class CallData:
    """Everything the call view shows about one call."""

    details: dict[str, Any]                 # the `GET /v1/calls/{id}` resource
    direction: str
    assistant_name: str
    transcript: list[dict[str, Any]]        # `/transcript` entries: role, content, timestamp, confidence
    events: list[EventRow]
    exchanges: list[dict[str, Any]]         # `/_sim/webhooks` items for this call
    latency: dict[str, Any] | None = None
    end_reason: str | None = None
    initial_state: dict[str, Any] = field(default_factory=dict)
    assistant: dict[str, Any] | None = None    # the assistant resource, for scenario export
    assistants: dict[str, dict[str, Any]] = field(default_factory=dict)  # every assistant of its world, by id
    directory: dict[str, Any] | None = None    # numbers, routing, menus (`Directory.routing_config`), for export
    in_process_webhooks: set[str] = field(default_factory=set)   # webhook/MCP URLs served in-process (stubbed)
    timings: dict[str, Any] = field(default_factory=dict)        # the platform's timing overrides, for export
    run_id: str = ""                        # the store run that made it ("" elsewhere): ids repeat across runs

    @property
    def id(self) -> str:
        return self.details["id"]


@dataclass(slots=True)
class LiveView:
    """A role-play snapshot: what the caller sees of the call right now."""

    call_id: str
    status: str
    now: str
    duration_seconds: int
    transcript: list[dict[str, Any]]        # live-state lines: role, content, timestamp
    state: dict[str, Any]
    reasoning_active: bool
    on_hold: bool = False
    caller_note: str | None = None          # a persona caller's progress or failure (role-play only)

    @property
    def ended(self) -> bool:
        return self.status in ("completed", "failed", "transferred")


def ms_between(start_iso: str, at_iso: str) -> int:
    """Milliseconds from one ISO instant to another (events read over HTTP carry only ISO times)."""
    return round((parse_instant(at_iso) - parse_instant(start_iso)).total_seconds() * 1000)
