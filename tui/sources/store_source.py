"""Calls of a store file, opened read-only: the simulator (or another process) may be writing it.

SQLite's WAL mode lets this reader see each committed snapshot without blocking the writer;
`PRAGMA data_version` changes whenever another connection commits, so polling is one cheap
query and the list is re-read only when something changed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from aployee_sim.adapters.store import Store, StoreError
from aployee_sim.adapters.store.world import read_world
from aployee_sim.contract import events as ev
from aployee_sim.tui.model import CallData, CallRow, EventRow
from aployee_sim.tui.sources import SourceError, api_errors

ALL = 1_000_000  # "every call" for the store's paged reader


class StoreSource:
    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise SourceError(f"no store file at {path}: write one with `aployee-sim serve --db {path}` or "
                              f"`aployee-sim run --db {path}`, or check the path")
        self.label = str(path)
        try:  # every other check (a folder, a FIFO, a damaged or newer file) is the store's own, as for serve
            self.store = Store(path, readonly=True)
        except StoreError as exc:
            raise SourceError(str(exc)) from None
        self._guard(lambda: self.store.list_calls(limit=1))  # not a store: say so now, not mid-session

    def _guard(self, fn):
        try:
            with api_errors():
                return fn()
        except sqlite3.DatabaseError as exc:
            raise SourceError(f"{self.label} is not a readable aployee-sim store: {exc}") from None
        except StoreError as exc:
            raise SourceError(str(exc)) from None

    def revision(self) -> Any:
        def version():
            with self.store.read() as conn:
                return conn.execute("PRAGMA data_version").fetchone()[0]
        return self._guard(version)

    def assistant_names(self) -> dict[str, str]:
        return self._guard(self.store.assistant_names)

    def _turns(self) -> dict[tuple[str, str], int]:
        """Spoken lines per (run, call) (the store's list rows do not carry them)."""
        def count():
            with self.store.read() as conn:
                return {(run, call): n for run, call, n in conn.execute(
                    "SELECT run_id, call_id, count(*) FROM events WHERE type IN (?, ?) GROUP BY run_id, call_id",
                    (ev.UserSpeech.type, ev.AssistantSpeech.type))}
        return self._guard(count)

    def call_rows(self) -> list[CallRow]:
        names = self.assistant_names()
        turns = self._turns()
        listed = self._guard(lambda: self.store.list_calls(limit=ALL))["calls"]
        return [CallRow(id=c["id"], status=c["status"], direction=c["direction"], assistant_id=c["assistant_id"],
                        assistant_name=c["assistant_name"] or names.get(c["assistant_id"], ""), to=c["to"],
                        from_=c["from"], created_at=c["created_at"], duration_seconds=c["duration_seconds"],
                        turns=turns.get((c["run_id"] or "", c["id"]), 0), run_id=c["run_id"] or "")
                for c in listed]

    def call_data(self, call_id: str, run_id: str = "") -> CallData:
        """The call with its own run's assistants and world: seeded ids repeat across runs, so an
        assistant is looked up by (run, id), never by id alone."""
        stored = self._guard(lambda: self.store.get_call(call_id, run_id=run_id))
        record, clock = stored.record, stored.clock
        run = stored.run_id or ""
        world = self._guard(lambda: read_world(self.store.world(run), f"{self.label}: the world of run {run!r}"))
        scripts = world.scripts if world else {}
        assistants = {aid: {**a, **scripts.get(aid, {})} for aid, a in self._guard(
            lambda: self.store.run_assistants(run)).items()}
        return CallData(
            details=stored.details(), direction=record.direction, assistant_name=stored.assistant_name or "",
            transcript=stored.transcript()["transcript"],
            events=[EventRow.logged(e, record.created_ms, clock) for e in record.events],
            exchanges=stored.exchanges, latency=stored.latency(), end_reason=record.end_reason,
            initial_state=dict(record.initial_state), assistant=assistants.get(record.assistant_id),
            assistants=assistants, directory=world.directory if world else None,
            in_process_webhooks=set(world.stubbed) if world else set(),
            timings=world.timings if world else {}, run_id=run)

    def close(self) -> None:
        self.store.close()
