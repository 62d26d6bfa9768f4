"""`Database`: one SQLite file (WAL mode) holding calls, their events, webhook exchanges, assistants, runs
and each run's world (its numbers, routing and menus).

Why these settings:
- **WAL** lets readers in other processes (the TUI) read while a run writes: readers see the
  last committed snapshot and never block the writer, the writer never blocks them.
- **`synchronous=NORMAL`** (the default here): in WAL mode a commit is written to the WAL with
  `write()` before `commit()` returns, so it survives the process being killed (`kill -9`): the
  data is in the kernel, which finishes the write. Only a power loss or OS crash can lose the
  last commits. That is the durability the simulator promises ("a call the API acknowledged
  survives a crash of the simulator") at ~20 µs per commit instead of an fsync per call.
  Pass `synchronous="FULL"` to survive power loss too (one fsync per commit).
- **`busy_timeout` + `BEGIN IMMEDIATE` + short transactions**: a writer takes the write lock up
  front (no read-to-write upgrade, which SQLite cannot wait for), holds it for one small batch,
  and anyone else waits up to `busy_timeout_ms` instead of failing with "database is locked".

Calls and assistants are keyed by (run, id): ids come from the seeded random source, so two
scenario runs with the same seed make the same ids and must not overwrite each other. Calls
outside a run (the server) have the run `''`; a same-seed replay after a reset replaces its
earlier namesake.

Schema versions (`PRAGMA user_version`): 2 kept one assistant row per id for every run; 3 keys
assistants (and their retirements) by run and adds `worlds`; 4 stores each exchange in its compact
typed form (`contract.exchanges.to_json`) with its `kind`, where 3 stored the projected dict (such
rows keep kind `''` and are read by `adapters.store.legacy`). A schema-2 file is migrated when it
is opened for writing: its assistant rows become the rows of run `''` (the server's, as a server
restart read them before), and a run without assistant rows of its own reads those. Opened
read-only (the TUI), a schema-2 file is shown through temporary views of the same shape, so it is
never written by a reader.

Every opening of a file goes through `opening.py` first: it must be a regular file, a writer
takes the file's one writer lock (a second writer is refused, naming the first), and `PRAGMA
quick_check` must pass; then the schema version must be one this build reads (docs/store.md).

Without a path the store is in memory (unit tests, `serve` without `--db`). One object
may be shared by threads (the server's engine thread writes, request handlers read): every use
of the connection holds a lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from aployee_sim.adapters.store.errors import StoreError
from aployee_sim.adapters.store.opening import WriterLock, check_file, check_integrity
from aployee_sim.contract import strict_json

__all__ = ["SCHEMA_VERSION", "Database", "StoreError", "dumps", "loads"]

SCHEMA_VERSION = 4
_MIGRATED_FROM = 2  # the oldest schema this one converts (older ones are development formats)

_DDL = """
CREATE TABLE IF NOT EXISTS calls (
    run_id TEXT NOT NULL DEFAULT '',
    id TEXT NOT NULL,
    assistant_id TEXT NOT NULL,
    assistant_name TEXT,
    direction TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "from" TEXT,
    status TEXT NOT NULL,
    epoch TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    started_ms INTEGER,
    ended_ms INTEGER,
    updated_ms INTEGER NOT NULL,
    end_reason TEXT,
    initial_state TEXT NOT NULL,
    state TEXT NOT NULL,
    turns INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, id)
);
CREATE INDEX IF NOT EXISTS calls_by_id ON calls (id);
CREATE INDEX IF NOT EXISTS calls_by_created ON calls (created_at DESC, id);
CREATE INDEX IF NOT EXISTS calls_by_status ON calls (status);
CREATE INDEX IF NOT EXISTS calls_by_assistant ON calls (assistant_id);
CREATE TABLE IF NOT EXISTS events (
    run_id TEXT NOT NULL DEFAULT '',
    call_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    t_ms INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, call_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS exchanges (
    run_id TEXT NOT NULL DEFAULT '',
    call_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sent_ms INTEGER NOT NULL,
    url TEXT NOT NULL,
    data TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, call_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS assistants (
    run_id TEXT NOT NULL DEFAULT '',
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, id)
);
CREATE TABLE IF NOT EXISTS retired_assistants (
    run_id TEXT NOT NULL DEFAULT '',
    id TEXT NOT NULL,
    PRIMARY KEY (run_id, id)
);
CREATE TABLE IF NOT EXISTS worlds (
    run_id TEXT PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    seed INTEGER,
    name TEXT NOT NULL,
    passed INTEGER NOT NULL,
    result TEXT NOT NULL
);
"""

# Schema 2 -> 3: the assistant tables gain their run; every old row becomes a row of run ''.
_FROM_2 = """
ALTER TABLE assistants RENAME TO assistants_v2;
ALTER TABLE retired_assistants RENAME TO retired_assistants_v2;
CREATE TABLE assistants (run_id TEXT NOT NULL DEFAULT '', id TEXT NOT NULL, name TEXT NOT NULL,
                         data TEXT NOT NULL, PRIMARY KEY (run_id, id));
CREATE TABLE retired_assistants (run_id TEXT NOT NULL DEFAULT '', id TEXT NOT NULL, PRIMARY KEY (run_id, id));
INSERT INTO assistants (run_id, id, name, data) SELECT '', id, name, data FROM assistants_v2 ORDER BY rowid;
INSERT INTO retired_assistants (run_id, id) SELECT '', id FROM retired_assistants_v2;
DROP TABLE assistants_v2;
DROP TABLE retired_assistants_v2
"""
# Schema 3 -> 4: exchange rows gain their kind; a row of an older schema has kind '' (see store.py).
_FROM_3 = """
ALTER TABLE exchanges ADD COLUMN kind TEXT NOT NULL DEFAULT ''
"""
# The same shapes over an older file opened read-only: temporary views (nothing is written).
_READ_2 = """
CREATE TEMP VIEW assistants AS SELECT '' AS run_id, id, name, data, rowid AS rowid FROM main.assistants;
CREATE TEMP VIEW retired_assistants AS SELECT '' AS run_id, id FROM main.retired_assistants;
CREATE TEMP TABLE worlds (run_id TEXT PRIMARY KEY, data TEXT NOT NULL)
"""
_READ_3 = """
CREATE TEMP VIEW exchanges AS SELECT run_id, call_id, seq, sent_ms, url, data, '' AS kind FROM main.exchanges
"""


def _script(conn: sqlite3.Connection, script: str) -> None:
    """Statements one by one (`executescript` would commit the open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def dumps(value: Any) -> str:
    """Compact strict JSON (docs/contract.md §7), key order kept, so stored values load back to equal
    dicts and a row can always be read and sent again."""
    return strict_json.dumps(value)


def loads(text: str) -> Any:
    """A stored JSON value, read with the strict policy (at the depth `dumps` allows)."""
    return strict_json.loads(text, max_depth=strict_json.EMITTED_DEPTH)


class Database:
    """The connection: `Database("calls.db")` for a file, `Database()` for memory.

    Writes go through `transaction()`, multi-query reads through `read()`. The rows and
    queries themselves are `aployee_sim.adapters.store.store.Store`'s; this module is about the connection.
    """

    def __init__(self, path: str | Path | None = None, *, synchronous: str = "NORMAL",
                 busy_timeout_ms: int = 10_000, readonly: bool = False) -> None:
        if synchronous.upper() not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, got {synchronous!r}")
        self.path = None if path is None else Path(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        self._writer_lock: WriterLock | None = None
        if self.path is not None:  # the same checks for every command (opening.py), before SQLite opens it
            check_file(self.path, readonly=readonly)
            if not readonly:
                self._writer_lock = WriterLock(self.path)
        try:
            if self.path is None:
                self._conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            elif readonly:
                uri = self.path.resolve().as_uri() + "?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                                             timeout=busy_timeout_ms / 1000)
            else:
                self._conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                             timeout=busy_timeout_ms / 1000)
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            if self.path is not None:
                check_integrity(self._conn, self.path)
            if readonly:
                self._read_older()
            else:
                if self.path is not None:
                    self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute(f"PRAGMA synchronous = {synchronous.upper()}")
                self._migrate()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError(f"cannot open the store {self.path or ':memory:'}: {exc}") from None
        except StoreError:
            self.close()
            raise

    def _version(self, conn: sqlite3.Connection) -> int:
        """The file's schema version, refused (for readers and writers alike) unless this build reads it."""
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"the store {self.path} was written by a newer aployee-sim "
                             f"(schema {version}, this one reads {SCHEMA_VERSION})")
        if 0 < version < _MIGRATED_FROM:
            raise StoreError(f"the store {self.path} has an older development format (schema {version}); "
                             f"delete it (and its -wal/-shm files) and write it again")
        return version

    def _migrate(self) -> None:
        with self.transaction() as conn:
            version = self._version(conn)
            if version == _MIGRATED_FROM:
                _script(conn, _FROM_2)
            if version in (2, 3):
                _script(conn, _FROM_3)
            _script(conn, _DDL)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _read_older(self) -> None:
        """A read-only look at a schema-2 or -3 file: the current tables' shape over its rows."""
        with self._lock:
            version = self._version(self._conn)
            if version == _MIGRATED_FROM:
                _script(self._conn, _READ_2)
            if version in (2, 3):
                _script(self._conn, _READ_3)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction: the write lock is taken at BEGIN, committed on exit."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several queries (a deferred transaction never takes the write lock)."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    def integrity_check(self) -> str:
        with self._lock:
            return self._conn.execute("PRAGMA integrity_check").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            conn = getattr(self, "_conn", None)
            if conn is not None:
                conn.close()
            if self._writer_lock is not None:  # after the connection: no write can follow the unlock
                self._writer_lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
