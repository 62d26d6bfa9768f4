"""`Store`: the rows (calls, events, webhook exchanges, assistants, runs) and the queries the TUI needs.

A stored call is served through the same projections as a live one: `StoredCall` rebuilds the
`CallRecord` from its event rows (`aployee_sim.adapters.store.rebuild`) and calls `aployee_sim.platform.projections`,
so `GET /v1/calls/{id}` from the store and from the running platform are byte-identical JSON.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from aployee_sim.adapters.store.db import Database, StoreError, dumps, loads
from aployee_sim.adapters.store.legacy import exchange_from_projected
from aployee_sim.adapters.store.rebuild import rebuild_record, record_at
from aployee_sim.contract import events as ev
from aployee_sim.contract import exchanges
from aployee_sim.contract.errors import invalid, not_found
from aployee_sim.contract.exchanges import Exchange, WebhookExchange
from aployee_sim.contract.lifecycle import STATUSES, TERMINAL
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.record import CallRecord
from aployee_sim.platform import projections

_CALL_COLUMNS = ('id, run_id, assistant_id, assistant_name, direction, "to", "from", status, epoch, created_at, '
                 'created_ms, started_ms, ended_ms, updated_ms, end_reason, initial_state, state, turns')
NO_RUN = ""  # the run of calls placed outside a scenario run (the server)
_MUTABLE = ("assistant_id", "assistant_name", "status", "started_ms", "ended_ms", "updated_ms", "end_reason", "state", "turns")
# An upsert, not INSERT OR REPLACE: an update touches only the indexes of the columns that changed.
_UPSERT_CALL = (f"INSERT INTO calls ({_CALL_COLUMNS}) VALUES ({', '.join('?' * 18)}) "
                f"ON CONFLICT (run_id, id) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _MUTABLE))


def event_from_row(t_ms: int, kind: str, data: str) -> ev.Event:
    """An `events` row back as its event; `StoreError` for a row that is not one (a file edited by hand)."""
    try:
        return ev.from_json(t_ms, kind, loads(data))
    except ev.EventError as exc:
        raise StoreError(f"the store holds an event row that is not an event: {exc}") from None


def exchange_from_row(record: CallRecord, sent_ms: int, kind: str, data: str) -> Exchange:
    """An `exchanges` row back as its typed exchange (kind `''`: a row written before schema 4);
    `StoreError` for a row that is not one (a file edited by hand)."""
    try:
        if kind == "":
            return exchange_from_projected(record, sent_ms, loads(data))
        return exchanges.from_json(record.id, sent_ms, kind, loads(data))
    except (exchanges.ExchangeError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"the store holds an exchange row that is not an exchange: {exc!r}") from None


@dataclass
class StoredCall:
    """One call read back from the store: its record (rebuilt from events), exchanges and bookkeeping."""

    record: CallRecord
    clock: VirtualClock
    assistant_name: str | None
    run_id: str | None
    updated_ms: int
    made: list[Exchange] = field(default_factory=list)  # its exchanges, as the call recorded them

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def exchanges(self) -> list[dict[str, Any]]:
        """The exchanges as `GET /_sim/webhooks` shows them (the same projection as a live call's)."""
        return [projections.exchange_view(x, self.record, self.clock) for x in self.made]

    @property
    def events(self) -> list[ev.Event]:
        return list(self.record.events)

    def details(self) -> dict[str, Any]:
        return projections.call_details(self.record, self.clock)

    def live_state(self) -> dict[str, Any]:
        """As of the last write (the end, for a finished call)."""
        now = self.record.ended_ms if self.record.ended_ms is not None else self.updated_ms
        return projections.live_state(self.record, self.clock, now)

    def transcript(self) -> dict[str, Any]:
        return projections.transcript(self.record, self.clock)

    def timeline(self) -> dict[str, Any]:
        return projections.timeline(self.record, self.clock)

    def latency(self) -> dict[str, Any]:
        return projections.latency(self.record)

    def at(self, t_ms: int) -> StoredCall:
        """The call as it stood at virtual time `t_ms` (for scrubbing through a call)."""
        return StoredCall(record_at(self.record, t_ms), self.clock, self.assistant_name, self.run_id,
                          min(t_ms, self.updated_ms), [x for x in self.made if x.sent_ms <= t_ms])


class Store(Database):
    """`Store("calls.db")` (a WAL-mode file) or `Store()` (memory). See `Database` for the durability rules."""

    # --- writes (used by StoreWriter and the scenario runner) ----------------------------------
    @staticmethod
    def put_call(conn: sqlite3.Connection, record: CallRecord, clock: VirtualClock, *, assistant_name: str | None,
                 run_id: str | None, updated_ms: int, fresh: bool = False) -> None:
        """Insert or update the call's row; `fresh` replaces a same-id call of the same run (a reset replay)."""
        run = run_id or NO_RUN
        if fresh:
            conn.execute("DELETE FROM calls WHERE run_id = ? AND id = ?", (run, record.id))
            conn.execute("DELETE FROM events WHERE run_id = ? AND call_id = ?", (run, record.id))
            conn.execute("DELETE FROM exchanges WHERE run_id = ? AND call_id = ?", (run, record.id))
        conn.execute(_UPSERT_CALL,
            (record.id, run, record.assistant_id, assistant_name, record.direction, record.to, record.from_,
             record.status, clock.epoch.isoformat(), clock.iso_millis(record.created_ms), record.created_ms,
             record.started_ms, record.ended_ms, updated_ms, record.end_reason, dumps(record.initial_state),
             dumps(record.state), len(record.dialogue)))

    @staticmethod
    def put_events(conn: sqlite3.Connection, run_id: str | None, call_id: str, events: list[ev.Event],
                   first_seq: int) -> None:
        """One row per event: its time, type and `to_json` object (read back by `event_from_row`)."""
        conn.executemany("INSERT OR REPLACE INTO events (run_id, call_id, seq, t_ms, type, data) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         [(run_id or NO_RUN, call_id, first_seq + i, e.t_ms, e.type, dumps(ev.to_json(e)))
                          for i, e in enumerate(events)])

    @staticmethod
    def put_exchanges(conn: sqlite3.Connection, run_id: str | None, call_id: str, made: list[Exchange],
                      first_seq: int) -> None:
        """One row per exchange: its time, kind and compact `to_json` object (read back by
        `exchange_from_row`); an MCP tool call's `url` column holds its server."""
        conn.executemany("INSERT OR REPLACE INTO exchanges (run_id, call_id, seq, sent_ms, url, kind, data) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [(run_id or NO_RUN, call_id, first_seq + i, x.sent_ms,
                           x.url if isinstance(x, WebhookExchange) else x.server, x.kind, dumps(exchanges.to_json(x)))
                          for i, x in enumerate(made)])

    @staticmethod
    def put_assistant(conn: sqlite3.Connection, run_id: str | None, assistant: dict[str, Any]) -> None:
        """The assistant resource as the run's platform holds it (seeded ids repeat across runs)."""
        conn.execute("INSERT OR REPLACE INTO assistants (run_id, id, name, data) VALUES (?, ?, ?, ?)",
                     (run_id or NO_RUN, assistant["id"], assistant["name"], dumps(assistant)))

    @staticmethod
    def retire_assistant(conn: sqlite3.Connection, run_id: str | None, assistant_id: str) -> None:
        """The assistant was deleted: its row stays for the calls that name it, out of `assistants()`."""
        conn.execute("INSERT OR IGNORE INTO retired_assistants (run_id, id) VALUES (?, ?)",
                     (run_id or NO_RUN, assistant_id))

    @staticmethod
    def put_world(conn: sqlite3.Connection, run_id: str | None, world: dict[str, Any]) -> None:
        """The run's world as `aployee_sim.adapters.store.world` describes it (the latest replaces the last)."""
        conn.execute("INSERT OR REPLACE INTO worlds (run_id, data) VALUES (?, ?)", (run_id or NO_RUN, dumps(world)))

    def new_run_id(self, base: str) -> str:
        """`base`, or `base_2`, `base_3`… when a run already has it: a run is appended, never replaced."""
        with self.read() as conn:
            taken = {rid for (rid,) in conn.execute("SELECT id FROM runs")}
        run_id, n = base, 1
        while run_id in taken:
            n += 1
            run_id = f"{base}_{n}"
        return run_id

    def save_run(self, run_id: str, *, name: str, started: str, passed: bool, result: Any,
                 seed: int | None = None) -> str:
        """Record (or update: same `run_id`) one scenario run; `started` is an ISO 8601 instant.

        Call it once when the run starts (passed=False, result={}) and again when it ends, and
        give the same `run_id` to `StoreWriter(store, run_id=...)` so its calls link to the run.
        """
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO runs (id, started, seed, name, passed, result) VALUES (?, ?, ?, ?, ?, ?)",
                         (run_id, started, seed, name, int(bool(passed)), dumps(result)))
        return run_id

    def delete_run(self, run_id: str) -> None:
        """Forget a run and its calls (before re-running it under the same id, so no stale calls stay)."""
        with self.transaction() as conn:
            for table, column in (("runs", "id"), ("calls", "run_id"), ("events", "run_id"), ("exchanges", "run_id"),
                                  ("assistants", "run_id"), ("retired_assistants", "run_id"), ("worlds", "run_id")):
                conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (run_id,))

    # --- reads ---------------------------------------------------------------------------------
    def list_calls(self, *, status: str | None = None, assistant: str | None = None, text: str | None = None,
                   run_id: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """Newest first: `{"calls": [summary rows], "total": n}`.

        `assistant` matches an assistant id or name; `text` (case-insensitive) matches the call id,
        numbers, assistant name, end reason or anything said on the call.
        """
        if status is not None and status not in STATUSES:
            raise invalid("status", f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        if limit < 1 or offset < 0:
            raise invalid("limit", f"limit must be at least 1 and offset at least 0, got {limit} and {offset}")
        where, args = [], []
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if assistant:
            where.append("(assistant_id = ? OR assistant_name = ?)")
            args += [assistant, assistant]
        if run_id is not None:
            where.append("run_id = ?")
            args.append(run_id or NO_RUN)
        if text:
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            like = "LIKE ? ESCAPE '\\'"
            where.append(f'(id {like} OR "to" {like} OR "from" {like} OR assistant_name {like} OR end_reason {like}'
                         f" OR EXISTS (SELECT 1 FROM events e WHERE e.run_id = calls.run_id AND e.call_id = calls.id"
                         f" AND e.type IN ('{ev.UserSpeech.type}', '{ev.AssistantSpeech.type}') AND e.data {like}))")
            args += [pattern] * 6
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self.read() as conn:
            total = conn.execute(f"SELECT count(*) FROM calls{clause}", args).fetchone()[0]
            rows = conn.execute(f"SELECT {_CALL_COLUMNS} FROM calls{clause} ORDER BY created_at DESC, id, run_id "
                                "LIMIT ? OFFSET ?", [*args, limit, offset]).fetchall()
        return {"calls": [_summary(row) for row in rows], "total": total}

    def get_call(self, call_id: str, *, run_id: str | None = None) -> StoredCall:
        """One call with its events and exchanges; a 404 `ApiError` when it was never stored.

        The same id can exist in several runs (same seed): give the list row's `run_id` to pick
        one; without it, the most recently created call with that id is returned.
        """
        with self.read() as conn:
            if run_id is None:
                row = conn.execute(f"SELECT {_CALL_COLUMNS} FROM calls WHERE id = ? ORDER BY rowid DESC LIMIT 1",
                                   (call_id,)).fetchone()
            else:
                row = conn.execute(f"SELECT {_CALL_COLUMNS} FROM calls WHERE run_id = ? AND id = ?",
                                   (run_id or NO_RUN, call_id)).fetchone()
            if row is None:
                raise not_found("Call", call_id)
            run = row[1]
            events = [event_from_row(t, kind, data) for t, kind, data in
                      conn.execute("SELECT t_ms, type, data FROM events WHERE run_id = ? AND call_id = ? ORDER BY seq",
                                   (run, call_id))]
            rows = conn.execute("SELECT sent_ms, kind, data FROM exchanges WHERE run_id = ? AND call_id = ? "
                                "ORDER BY seq", (run, call_id)).fetchall()
        (cid, _run, assistant_id, assistant_name, direction, to, from_, _status, epoch, _created_at, created_ms,
         _started, _ended, updated_ms, _reason, initial_state, _state, _turns) = row
        record = rebuild_record(cid, assistant_id, to, from_, created_ms, loads(initial_state), direction, events)
        made = [exchange_from_row(record, sent_ms, kind, data) for sent_ms, kind, data in rows]
        return StoredCall(record, VirtualClock(epoch), assistant_name, run or None, updated_ms, made)

    def call_runs(self, call_id: str) -> list[str | None]:
        """The runs that stored a call with this id, newest first (None: the server's calls): the same
        seed gives the same ids, so an id alone can name a call of several runs."""
        with self.read() as conn:
            return [run or None for (run,) in conn.execute(
                "SELECT run_id FROM calls WHERE id = ? ORDER BY rowid DESC", (call_id,))]

    def call_ids(self) -> list[str]:
        """Every stored call id, oldest first (an id appears once per run that made it)."""
        with self.read() as conn:
            return [cid for (cid,) in conn.execute("SELECT id FROM calls ORDER BY created_at, id, run_id")]

    def assistants(self, run_id: str = NO_RUN) -> list[dict[str, Any]]:
        """The live (not deleted) assistants of one run (`''`: the server's), by name."""
        with self.read() as conn:
            return [loads(data) for (data,) in conn.execute(
                "SELECT data FROM assistants a WHERE run_id = ? AND NOT EXISTS (SELECT 1 FROM retired_assistants r "
                "WHERE r.run_id = a.run_id AND r.id = a.id) ORDER BY name, id", (run_id or NO_RUN,))]

    def run_assistants(self, run_id: str | None) -> dict[str, dict[str, Any]]:
        """Every assistant a run's calls may name (deleted ones too), by id.

        A run without assistant rows of its own (written before schema 3, which kept one row per id
        for everyone) reads the rows of run `''`, where the migration put them."""
        with self.read() as conn:
            for run in dict.fromkeys((run_id or NO_RUN, NO_RUN)):
                rows = conn.execute("SELECT id, data FROM assistants WHERE run_id = ? ORDER BY rowid", (run,)).fetchall()
                if rows:
                    return {aid: loads(data) for aid, data in rows}
        return {}

    def assistant_names(self) -> dict[str, str]:
        """Every stored assistant's name by id, all runs together (a seeded id that several runs made
        shows the name written last): the TUI's assistant filter."""
        with self.read() as conn:
            return dict(conn.execute("SELECT id, name FROM assistants ORDER BY rowid").fetchall())

    def world(self, run_id: str | None) -> str | None:
        """The run's stored world as its JSON text (None: not stored); `aployee_sim.adapters.store.world`
        checks and reads it."""
        with self.read() as conn:
            row = conn.execute("SELECT data FROM worlds WHERE run_id = ?", (run_id or NO_RUN,)).fetchone()
        return None if row is None else row[0]

    def runs(self, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Newest first: `{id, started, seed, name, passed, result}`."""
        with self.read() as conn:
            rows = conn.execute("SELECT id, started, seed, name, passed, result FROM runs "
                                "ORDER BY started DESC, id LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return [{"id": rid, "started": started, "seed": seed, "name": name, "passed": bool(passed),
                 "result": loads(result)} for rid, started, seed, name, passed, result in rows]


def _summary(row: tuple) -> dict[str, Any]:
    """A list row for the TUI's call table (not a production resource)."""
    (cid, run_id, assistant_id, assistant_name, direction, to, from_, status, epoch, _created_at, created_ms,
     started_ms, ended_ms, _updated, end_reason, _initial, _state, turns) = row
    clock = VirtualClock(epoch)
    record = CallRecord(cid, assistant_id, to, from_, created_ms, None, direction)
    record.started_ms, record.ended_ms = started_ms, ended_ms
    duration = record.duration_seconds(ended_ms) if status in TERMINAL else None
    return {"id": cid, "run_id": run_id or None, "assistant_id": assistant_id, "assistant_name": assistant_name,
            "direction": direction, "to": to, "from": from_, "status": status,
            "created_at": clock.iso_seconds(created_ms), "duration_seconds": duration, "end_reason": end_reason,
            "turns": turns}
