"""A call's record: identity, the append-only event log, and the few values folded from it.

Every event goes through `append`, which folds it into the cached status, state, times and
dialogue (`_fold`). Rebuilding a record from stored events (`CallRecord.rebuilt`) runs the same
fold, so a record can never disagree with its log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simulator import events as ev
from simulator.lifecycle import IN_PROGRESS, INITIATED, TERMINAL, check_transition

_FOLDED = frozenset({ev.USER_SPEECH, ev.ASSISTANT_SPEECH, ev.STATE_CHANGED, ev.STATUS_CHANGED, ev.CALL_STARTED,
                     ev.CALL_ENDED})

OUTBOUND = "outbound"
INBOUND = "inbound"


class CallRecord:
    __slots__ = ("id", "assistant_id", "to", "from_", "direction", "created_ms", "initial_state",
                 "events", "status", "state", "started_ms", "ended_ms", "end_reason", "dialogue", "_lines")

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
        # The speech events in order (shared with `events`, not copied): the conversation.
        self.dialogue: list[ev.Event] = []
        self._lines: list[dict[str, str]] = []  # `{role, content}` per dialogue event, built on demand

    @classmethod
    def rebuilt(cls, call_id: str, assistant_id: str, to: str, from_: str | None, created_ms: int,
                initial_state: dict[str, Any] | None, direction: str, events: Iterable[ev.Event],
                *, until_ms: int | None = None) -> CallRecord:
        """The record as it stood after `events` (only those at or before `until_ms`, if given)."""
        record = cls(call_id, assistant_id, to, from_, created_ms, initial_state, direction)
        for event in events:
            if until_ms is not None and event[0] > until_ms:
                break
            record.append(event)
        return record

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    # --- appending -----------------------------------------------------------------------------
    def append(self, event: ev.Event) -> None:
        self.events.append(event)
        if event[1] in _FOLDED:
            self._fold(event)

    def _fold(self, event: ev.Event) -> None:
        t_ms, kind, data = event
        if kind == ev.USER_SPEECH or kind == ev.ASSISTANT_SPEECH:
            self.dialogue.append(event)
        elif kind == ev.STATE_CHANGED:
            self.state = data["state"]
        elif kind == ev.STATUS_CHANGED:
            self.status = data["to"]
        elif kind == ev.CALL_STARTED:
            self.started_ms = t_ms
        elif kind == ev.CALL_ENDED:
            self.ended_ms = t_ms
            self.end_reason = data["reason"]

    def log(self, t_ms: int, kind: str, data: dict[str, Any]) -> None:
        event = (t_ms, kind, data)
        self.events.append(event)
        if kind in _FOLDED:
            self._fold(event)

    def change_status(self, t_ms: int, target: str) -> None:
        check_transition(self.status, target)
        self.append((t_ms, ev.STATUS_CHANGED, {"from": self.status, "to": target}))
        if target == IN_PROGRESS:
            self.append((t_ms, ev.CALL_STARTED, {}))

    def end(self, t_ms: int, target: str, reason: str) -> None:
        self.change_status(t_ms, target)
        self.append((t_ms, ev.CALL_ENDED, {"status": target, "reason": reason}))

    def speech(self, t_ms: int, role: str, data: dict[str, Any]) -> None:
        """Someone starts speaking; `data` carries at least `content` and `duration_ms`."""
        self.append((t_ms, ev.USER_SPEECH if role == "user" else ev.ASSISTANT_SPEECH, data))

    def replace_state(self, t_ms: int, state: dict[str, Any]) -> None:
        self.append((t_ms, ev.STATE_CHANGED, {"state": state}))

    # --- reading -------------------------------------------------------------------------------
    def context(self, start: int = 0, end: int | None = None) -> list[dict[str, str]]:
        """Dialogue lines `start:end` as `{role, content}` (the webhook `context`, the transcript)."""
        lines, dialogue = self._lines, self.dialogue
        for event in dialogue[len(lines):len(dialogue) if end is None else end]:
            lines.append({"role": "user" if event[1] == ev.USER_SPEECH else "assistant", "content": event[2]["content"]})
        return lines[start:end]

    def duration_seconds(self, now_ms: int) -> int:
        """Connected time in whole seconds: `ended_at − started_at`, or so far while live."""
        if self.started_ms is None:
            return 0
        end = self.ended_ms if self.ended_ms is not None else now_ms
        # Whole seconds of the two displayed timestamps, so the record never contradicts itself.
        return max(0, end // 1000 - self.started_ms // 1000)

    def of_type(self, kind: str) -> list[ev.Event]:
        return [e for e in self.events if e[1] == kind]
