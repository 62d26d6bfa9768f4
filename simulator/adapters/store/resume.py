"""Read back what a server stored, so a server restarted on the same file carries on (docs/store.md).

`read_server_state` collects the server's calls (run `''`), each rebuilt from its event rows with
its exchanges (webhook and MCP, each read back as the typed value the call recorded), the server's assistants (run `''`, live and deleted), every id the file
holds (calls and assistants of any run), and the latest stored virtual instant. `Platform.resume` then adopts them: the calls are served by
the same projections as live ones, no stored id is issued again, and the clock never goes back.

Times are stored as milliseconds since the writing clock's epoch; a platform with another epoch
gets them shifted onto its own, so every instant stays the same calendar time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aployee_sim.adapters.store.db import StoreError, loads
from aployee_sim.adapters.store.store import NO_RUN, Store, event_from_row, exchange_from_row
from aployee_sim.contract.exchanges import Exchange
from aployee_sim.contract.strict_json import StrictJsonError
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.record import CallRecord


@dataclass
class StoredCallState:
    record: CallRecord
    exchanges: list[Exchange]
    stored_events: int
    stored_exchanges: int


@dataclass
class ServerState:
    """Everything `Platform.resume` needs, read in one snapshot."""

    assistants: list[dict[str, Any]] = field(default_factory=list)
    retired: list[dict[str, Any]] = field(default_factory=list)
    calls: list[StoredCallState] = field(default_factory=list)
    taken_ids: set[str] = field(default_factory=set)
    latest_ms: int = 0


def read_server_state(store: Store, clock: VirtualClock) -> ServerState:
    """The server's stored calls, assistants, taken ids and latest instant, on `clock`'s time line.

    Raises `StoreError` for a row that is not strict JSON (a file edited by hand)."""
    try:
        return _read(store, clock)
    except StrictJsonError as exc:
        raise StoreError(f"the store {store.path} holds a value that is not strict JSON: {exc}") from None


def _read(store: Store, clock: VirtualClock) -> ServerState:
    state = ServerState()
    with store.read() as conn:
        retired = {aid for (aid,) in conn.execute("SELECT id FROM retired_assistants WHERE run_id = ?", (NO_RUN,))}
        for aid, data in conn.execute("SELECT id, data FROM assistants WHERE run_id = ? ORDER BY rowid", (NO_RUN,)):
            (state.retired if aid in retired else state.assistants).append(loads(data))
        state.taken_ids = {cid for (cid,) in conn.execute("SELECT DISTINCT id FROM calls")}
        state.taken_ids.update(aid for (aid,) in conn.execute("SELECT DISTINCT id FROM assistants"))
        rows = conn.execute(f"SELECT {_COLUMNS} FROM calls WHERE run_id = ? ORDER BY created_ms, rowid",
                            (NO_RUN,)).fetchall()
        events: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # (t_ms, type, data) rows
        for call_id, t_ms, kind, data in conn.execute(
                "SELECT call_id, t_ms, type, data FROM events WHERE run_id = ? ORDER BY call_id, seq", (NO_RUN,)):
            events[call_id].append((t_ms, kind, data))
        exchanges: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # (sent_ms, kind, data) rows
        for call_id, sent_ms, kind, data in conn.execute(
                "SELECT call_id, sent_ms, kind, data FROM exchanges WHERE run_id = ? ORDER BY call_id, seq",
                (NO_RUN,)):
            exchanges[call_id].append((sent_ms, kind, data))
    latest = 0
    for row in rows:
        call, updated_ms = _rebuilt(row, events.get(row[0], ()), exchanges.get(row[0], ()), clock)
        state.calls.append(call)
        latest = max(latest, updated_ms, *(e.t_ms for e in call.record.events[-1:]))
    for assistant in state.assistants + state.retired:
        latest = max(latest, clock.ms_at(VirtualClock(assistant["updated_at"]).epoch))
    state.latest_ms = latest
    return state


_COLUMNS = 'id, assistant_id, "to", "from", direction, epoch, created_ms, updated_ms, initial_state'


def _rebuilt(row: tuple[Any, ...], events: Iterable[tuple[int, str, str]], exchanges: Iterable[tuple[int, str, str]],
             clock: VirtualClock) -> tuple[StoredCallState, int]:
    """One stored call of the server, on `clock`'s time line, and its last update there."""
    cid, assistant_id, to, from_, direction, epoch, created_ms, updated_ms, initial_state = row
    shift = clock.ms_at(VirtualClock(epoch).epoch)
    log = [event_from_row(t + shift, kind, data) for t, kind, data in events]
    record = CallRecord.rebuilt(cid, assistant_id, to, from_, created_ms + shift, loads(initial_state), direction, log)
    stored = [exchange_from_row(record, sent + shift, kind, data) for sent, kind, data in exchanges]
    return StoredCallState(record, stored, len(log), len(stored)), updated_ms + shift


def read_call(store: Store, clock: VirtualClock, call_id: str) -> tuple[CallRecord, list[Exchange]] | None:
    """One of the server's stored calls with its exchanges, on `clock`'s time line (None: not
    stored): how `serve --keep-calls` reads back a call it evicted from memory."""
    with store.read() as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM calls WHERE run_id = ? AND id = ?", (NO_RUN, call_id)).fetchone()
        if row is None:
            return None
        events = conn.execute("SELECT t_ms, type, data FROM events WHERE run_id = ? AND call_id = ? ORDER BY seq",
                              (NO_RUN, call_id)).fetchall()
        exchanges = conn.execute("SELECT sent_ms, kind, data FROM exchanges WHERE run_id = ? AND call_id = ? "
                                 "ORDER BY seq", (NO_RUN, call_id)).fetchall()
    try:
        call, _ = _rebuilt(row, events, exchanges, clock)
    except StrictJsonError as exc:
        raise StoreError(f"the store {store.path} holds a value that is not strict JSON: {exc}") from None
    return call.record, call.exchanges
