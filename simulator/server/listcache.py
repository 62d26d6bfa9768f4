"""A cache of `GET /v1/calls` pages, valid while no call has changed.

A page costs a filter and sort over every call plus 20 full projections (~0.6 ms for 200 calls,
growing with the call count), while polling clients ask for the same page again and again. Every
change to a call appends to its event log (docs/architecture.md: events are the truth), so the number of calls
and the total number of events, on the current engine (and the number of calls evicted to the store),
identify the state a page was built from;
the fingerprint is checked on every request, so direct Python-API changes are seen too.
"""

from __future__ import annotations

from aployee_sim.platform.platform import Platform

MAX_PAGES = 64


class ListCache:
    def __init__(self) -> None:
        self._fingerprint: tuple[int, int, int, int] | None = None
        self._pages: dict[str, bytes] = {}

    @staticmethod
    def fingerprint(platform: Platform) -> tuple[int, int, int, int]:
        calls = platform.calls
        evicted = len(platform.eviction.evicted) if platform.eviction is not None else 0  # `serve --keep-calls`
        return id(platform.engine), len(calls), sum([len(p.record.events) for p in calls.values()]), evicted

    def get(self, platform: Platform, query: str) -> bytes | None:
        """The cached body for `query` (call under the platform lock), or None."""
        current = self.fingerprint(platform)
        if current != self._fingerprint:
            self._fingerprint = current
            self._pages.clear()
            return None
        return self._pages.get(query)

    def put(self, query: str, body: bytes) -> None:
        if len(self._pages) >= MAX_PAGES:
            self._pages.clear()
        self._pages[query] = body

    def clear(self) -> None:
        self._fingerprint = None
        self._pages.clear()
