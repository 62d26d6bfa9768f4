"""A call's record: identity, the append-only event log, and the few values folded from it.

Every event goes through `add`, the one way in: it appends the event (one of the classes of
`contract.events`) and folds it into the cached status, state, times and dialogue. Rebuilding a
record from stored events (`CallRecord.rebuilt`) runs the same fold, so a record can never
disagree with its log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from aployee_sim.contract import events as ev
from aployee_sim.contract.lifecycle import IN_PROGRESS, INITIATED, TERMINAL, check_transition

OUTBOUND = "outbound"
INBOUND = "inbound"

E = TypeVar("E", bound=ev.Logged)


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
        self.events: list[ev.Event] = []  # the log, in time order; appended only through `add`
        self.status = INITIATED
        self.state: dict[str, Any] = self.initial_state
        self.started_ms: int | None = None
        self.ended_ms: int | None = None
        self.end_reason: str | None = None
        # The speech events in order (shared with `events`, not copied): the conversation.
        self.dialogue: list[ev.Speech] = []

    @classmethod
    def rebuilt(cls, call_id: str, assistant_id: str, to: str, from_: str | None, created_ms: int,
                initial_state: dict[str, Any] | None, direction: str, events: Iterable[ev.Event],
                *, until_ms: int | None = None) -> CallRecord:
        """The record as it stood after `events` (only those at or before `until_ms`, if given)."""
        record = cls(call_id, assistant_id, to, from_, created_ms, initial_state, direction)
        for event in events:
            if until_ms is not None and event.t_ms > until_ms:
                break
            record.add(event)
        return record

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    # --- appending -----------------------------------------------------------------------------
    def add(self, event: ev.Event) -> None:
        """Append an event, folding the types that change the record into the cached fields."""
        self.events.append(event)
        match event:
            case ev.UserSpeech() | ev.AssistantSpeech():
                self.dialogue.append(event)
            case ev.StateChanged(state=state):
                self.state = state
            case ev.StatusChanged(to=status):
                self.status = status
            case ev.CallStarted(t_ms=t_ms):
                self.started_ms = t_ms
            case ev.CallEnded(t_ms=t_ms, reason=reason):
                self.ended_ms, self.end_reason = t_ms, reason
            case ev.Routed(assistant_id=assistant_id):  # an IVR choice handed the call on
                self.assistant_id = assistant_id

    def change_status(self, t_ms: int, target: str) -> None:
        check_transition(self.status, target)
        self.add(ev.StatusChanged(t_ms, from_=self.status, to=target))
        if target == IN_PROGRESS:
            self.add(ev.CallStarted(t_ms))

    def end(self, t_ms: int, target: str, reason: str) -> None:
        self.change_status(t_ms, target)
        self.add(ev.CallEnded(t_ms, status=target, reason=reason))

    def replace_state(self, t_ms: int, state: dict[str, Any]) -> None:
        self.add(ev.StateChanged(t_ms, state=state))

    # --- reading -------------------------------------------------------------------------------
    def context(self, start: int = 0, end: int | None = None) -> list[dict[str, str]]:
        """Dialogue lines `start:end` as `{role, content}` (the webhook `context`, the transcript)."""
        return [{"role": line.role, "content": line.content} for line in self.dialogue[start:end]]

    def duration_seconds(self, now_ms: int) -> int:
        """Connected time in whole seconds: `ended_at − started_at`, or so far while live."""
        if self.started_ms is None:
            return 0
        end = self.ended_ms if self.ended_ms is not None else now_ms
        # Whole seconds of the two displayed timestamps, so the record never contradicts itself.
        return max(0, end // 1000 - self.started_ms // 1000)

    def of_type(self, kind: type[E]) -> list[E]:
        """The events of one type, in order: `record.of_type(ev.WebhookCalled)`."""
        return [event for event in self.events if isinstance(event, kind)]
