"""A call's record: identity, the append-only event log, and the few values folded from it.

Every event goes through `add`, the one way in: it appends the stored entry (built by the
constructors of `contract.events`, or `events.pack`) and folds it into the cached status, state,
times and dialogue. Rebuilding a record from stored events (`CallRecord.rebuilt`) runs the same
fold, so a record can never disagree with its log.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from aployee_sim.contract import events as ev
from aployee_sim.contract.lifecycle import IN_PROGRESS, INITIATED, TERMINAL, check_transition

OUTBOUND = "outbound"
INBOUND = "inbound"


# The event types that change the record's cached fields (the rest are only appended).
_FOLDED = frozenset({ev.USER_SPEECH, ev.ASSISTANT_SPEECH, ev.STATE_CHANGED, ev.STATUS_CHANGED, ev.CALL_STARTED,
                     ev.CALL_ENDED, ev.ROUTED})


class EventLog(Sequence[ev.Event]):
    """A call's events, read as `(t_ms, type, data)`; stored as `events.pack` entries (compact)."""

    __slots__ = ("entries",)

    def __init__(self, entries: list[ev.Entry]) -> None:
        self.entries = entries

    def __len__(self) -> int:
        return len(self.entries)

    @overload
    def __getitem__(self, index: int) -> ev.Event: ...
    @overload
    def __getitem__(self, index: slice) -> list[ev.Event]: ...
    def __getitem__(self, index: int | slice) -> ev.Event | list[ev.Event]:
        if isinstance(index, slice):
            return [ev.unpack(entry) for entry in self.entries[index]]
        return ev.unpack(self.entries[index])

    def __iter__(self) -> Iterator[ev.Event]:
        return map(ev.unpack, self.entries)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"EventLog({list(self)!r})"


class CallRecord:
    __slots__ = ("id", "assistant_id", "to", "from_", "direction", "created_ms", "initial_state",
                 "entries", "status", "state", "started_ms", "ended_ms", "end_reason", "dialogue")

    def __init__(self, call_id: str, assistant_id: str, to: str, from_: str | None, created_ms: int,
                 initial_state: dict[str, Any] | None, direction: str = OUTBOUND) -> None:
        self.id = call_id
        self.assistant_id = assistant_id
        self.to = to
        self.from_ = from_
        self.direction = direction
        self.created_ms = created_ms
        self.initial_state: dict[str, Any] = dict(initial_state or {})
        self.entries: list[ev.Entry] = []  # the log as stored (see `events.pack`); read it as `events`
        self.status = INITIATED
        self.state: dict[str, Any] = self.initial_state
        self.started_ms: int | None = None
        self.ended_ms: int | None = None
        self.end_reason: str | None = None
        # The speech entries in order (shared with `entries`, not copied): the conversation.
        # Flat: `(t_ms, type, content, duration_ms, …)` per `events.LAYOUTS`.
        self.dialogue: list[ev.Entry] = []

    @classmethod
    def rebuilt(cls, call_id: str, assistant_id: str, to: str, from_: str | None, created_ms: int,
                initial_state: dict[str, Any] | None, direction: str, events: Iterable[ev.Event],
                *, until_ms: int | None = None) -> CallRecord:
        """The record as it stood after `events` (only those at or before `until_ms`, if given)."""
        record = cls(call_id, assistant_id, to, from_, created_ms, initial_state, direction)
        for event in events:
            if until_ms is not None and event[0] > until_ms:
                break
            record.add(ev.pack(*event))
        return record

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL

    @property
    def events(self) -> EventLog:
        return EventLog(self.entries)

    # --- appending -----------------------------------------------------------------------------
    def add(self, entry: ev.Entry) -> None:
        """Append an entry in its stored form (an `events` constructor or `events.pack`), folding the
        types that change the record into the cached fields."""
        self.entries.append(entry)
        kind = entry[1]
        if kind not in _FOLDED:
            return
        if kind == ev.USER_SPEECH or kind == ev.ASSISTANT_SPEECH:
            self.dialogue.append(entry)
        elif kind == ev.STATE_CHANGED:
            self.state = entry[2]
        elif kind == ev.STATUS_CHANGED:
            self.status = entry[3]
        elif kind == ev.CALL_STARTED:
            self.started_ms = entry[0]
        elif kind == ev.CALL_ENDED:
            self.ended_ms = entry[0]
            self.end_reason = entry[3]
        elif kind == ev.ROUTED:  # an IVR choice handed the call on: a rebuilt record names who has it
            self.assistant_id = entry[2]["assistant_id"]

    def change_status(self, t_ms: int, target: str) -> None:
        check_transition(self.status, target)
        self.add(ev.status_changed(t_ms, from_=self.status, to=target))
        if target == IN_PROGRESS:
            self.add(ev.call_started(t_ms))

    def end(self, t_ms: int, target: str, reason: str) -> None:
        self.change_status(t_ms, target)
        self.add(ev.call_ended(t_ms, status=target, reason=reason))

    def replace_state(self, t_ms: int, state: dict[str, Any]) -> None:
        self.add(ev.state_changed(t_ms, state=state))

    # --- reading -------------------------------------------------------------------------------
    def context(self, start: int = 0, end: int | None = None) -> list[dict[str, str]]:
        """Dialogue lines `start:end` as `{role, content}` (the webhook `context`, the transcript)."""
        user = ev.USER_SPEECH
        return [{"role": "user" if entry[1] == user else "assistant", "content": entry[2]}
                for entry in self.dialogue[start:end]]

    def duration_seconds(self, now_ms: int) -> int:
        """Connected time in whole seconds: `ended_at − started_at`, or so far while live."""
        if self.started_ms is None:
            return 0
        end = self.ended_ms if self.ended_ms is not None else now_ms
        # Whole seconds of the two displayed timestamps, so the record never contradicts itself.
        return max(0, end // 1000 - self.started_ms // 1000)

    def of_type(self, kind: str) -> list[ev.Event]:
        return [ev.unpack(entry) for entry in self.entries if entry[1] == kind]
