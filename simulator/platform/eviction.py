"""A bound on a long-running server's memory: ended calls beyond the newest N leave memory and
are read back from the store when asked for (`serve --keep-calls N`, docs/server.md).

An ended call holds about 2.5 KB (its record, events and exchanges); a server that runs for days
grows without end. Once the store has written an ended call (the store writer does so before the
call's `ended` listeners return), memory needs only what `GET /v1/calls` filters and sorts by:
an `Evicted` summary of about 150 bytes. Every per-call route still answers exactly: the call is
rebuilt from the store, the same way a restarted server rebuilds it (`adapters.store.resume`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from aployee_sim.contract.exchanges import Exchange
from aployee_sim.core.record import CallRecord

Archive = Callable[[str], "tuple[CallRecord, list[Exchange]] | None"]
"""Reads one stored call back (the store adapter's `read_call`), or None when it holds none."""


class Evicted(NamedTuple):
    """What listing needs of a call that left memory."""

    id: str
    assistant_id: str
    status: str
    created_ms: int


class Eviction:
    """Which ended calls are still in memory (the newest `keep`), and which left it."""

    def __init__(self, keep: int, archive: Archive) -> None:
        if keep < 1:
            raise ValueError(f"keep must be at least 1, got {keep}")
        self.keep = keep
        self.archive = archive
        self._ended: deque[str] = deque()  # ended calls in memory, oldest first
        self.evicted: dict[str, Evicted] = {}

    def ended(self, record: CallRecord) -> list[str]:
        """Note an ended call; returns the ids that must now leave memory (the oldest ended)."""
        self._ended.append(record.id)
        leaving = []
        while len(self._ended) > self.keep:
            leaving.append(self._ended.popleft())
        return leaving

    def evict(self, record: CallRecord) -> None:
        self.evicted[record.id] = Evicted(record.id, record.assistant_id, record.status, record.created_ms)

    def load(self, call_id: str) -> tuple[CallRecord, list[Exchange]] | None:
        """The evicted call rebuilt from the store (None: not evicted, or the store lost it)."""
        return self.archive(call_id) if call_id in self.evicted else None
