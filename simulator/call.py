"""A call's record: identity, the append-only event log, and the few values cached from it.

Only `CallRecord` methods append events, so the cached status, state and times can never
disagree with the log (a property test rebuilds them from the log and compares).
"""

from __future__ import annotations

from typing import Any

from simulator import events as ev
from simulator.lifecycle import IN_PROGRESS, INITIATED, TERMINAL, check_transition

OUTBOUND = "outbound"
INBOUND = "inbound"


class CallRecord:
    __slots__ = ("id", "assistant_id", "to", "from_", "direction", "created_ms", "initial_state",
                 "events", "status", "state", "started_ms", "ended_ms", "end_reason", "dialogue")

    def __init__(self, call_id: str, assistant_id: str, to: str, from_: str | None, created_ms: int,
                 initial_state: dict[str, Any] | None, direction: str = OUTBOUND) -> None:
        self.id = call_id
        self.assistant_id = assistant_id
        self.to = to
        self.from_ = from_
        self.direction = direction
        self.created_ms = created_ms
        self.initial_state: dict[str, Any] = dict(initial_state or {})
        self.events: list[ev.Event] = []
        self.status = INITIATED
        self.state: dict[str, Any] = self.initial_state
        self.started_ms: int | None = None
        self.ended_ms: int | None = None
        self.end_reason: str | None = None
        # The dialogue as webhook `context` lines, shared (not copied) into each request.
        self.dialogue: list[dict[str, str]] = []

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    def log(self, t_ms: int, kind: str, data: dict[str, Any]) -> None:
        self.events.append((t_ms, kind, data))

    def change_status(self, t_ms: int, target: str) -> None:
        check_transition(self.status, target)
        self.events.append((t_ms, ev.STATUS_CHANGED, {"from": self.status, "to": target}))
        self.status = target
        if target == IN_PROGRESS:
            self.started_ms = t_ms
            self.events.append((t_ms, ev.CALL_STARTED, {}))

    def end(self, t_ms: int, target: str, reason: str) -> None:
        self.change_status(t_ms, target)
        self.ended_ms = t_ms
        self.end_reason = reason
        self.events.append((t_ms, ev.CALL_ENDED, {"status": target, "reason": reason}))

    def replace_state(self, t_ms: int, state: dict[str, Any]) -> None:
        self.state = state
        self.events.append((t_ms, ev.STATE_CHANGED, {"state": state}))

    def speech(self, t_ms: int, role: str, content: str, data: dict[str, Any]) -> None:
        kind = ev.USER_SPEECH if role == "user" else ev.ASSISTANT_SPEECH
        self.events.append((t_ms, kind, data))
        self.dialogue.append({"role": role, "content": content})

    def duration_seconds(self, now_ms: int) -> int:
        """Connected time in whole seconds: `ended_at − started_at`, or so far while live."""
        if self.started_ms is None:
            return 0
        end = self.ended_ms if self.ended_ms is not None else now_ms
        # Whole seconds of the two displayed timestamps, so the record never contradicts itself.
        return max(0, end // 1000 - self.started_ms // 1000)

    def of_type(self, kind: str) -> list[ev.Event]:
        return [e for e in self.events if e[1] == kind]
