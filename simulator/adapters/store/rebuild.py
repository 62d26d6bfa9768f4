"""Rebuild a `CallRecord` from its identity and its event log, so stored calls reuse the projections.

Events are the truth (docs/architecture.md): status, start and end times, end reason, state and dialogue
are all replayed from the log instead of being read from columns. That is what lets the store
serve byte-identical resources without a second copy of the projection logic, and what lets the
TUI (or a golden test) look at a call as it was at any virtual instant (`until_ms`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aployee_sim.contract import events as ev
from aployee_sim.core.record import CallRecord


def rebuild_record(call_id: str, assistant_id: str, to: str, from_: str | None, created_ms: int,
                   initial_state: dict[str, Any] | None, direction: str, events: Iterable[ev.Event],
                   *, until_ms: int | None = None) -> CallRecord:
    """A record equal to the live one after the given events (those at or before `until_ms`)."""
    return CallRecord.rebuilt(call_id, assistant_id, to, from_, created_ms, initial_state, direction, events,
                              until_ms=until_ms)


def record_at(record: CallRecord, until_ms: int) -> CallRecord:
    """The call as it stood at virtual time `until_ms` (events are appended in time order)."""
    return rebuild_record(record.id, record.assistant_id, record.to, record.from_, record.created_ms,
                          record.initial_state, record.direction, record.events, until_ms=until_ms)
