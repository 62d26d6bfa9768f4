"""Read back what a server stored, so a server restarted on the same file carries on (docs/store.md).

`read_server_state` collects the server's calls (run `''`), each rebuilt from its event rows with
its webhook exchanges, the server's assistants (run `''`, live and deleted), every id the file
holds (calls and assistants of any run), and the latest stored virtual instant. `Platform.resume` then adopts them: the calls are served by
the same projections as live ones, no stored id is issued again, and the clock never goes back.

Times are stored as milliseconds since the writing clock's epoch; a platform with another epoch
gets them shifted onto its own, so every instant stays the same calendar time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aployee_sim.adapters.store.db import StoreError, loads
from aployee_sim.adapters.store.store import NO_RUN, Store, event_from_row
from aployee_sim.contract.strict_json import StrictJsonError
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.mcp_turns import ToolExchange, ToolOutcome
from aployee_sim.core.reasoning_turns import Exchange
from aployee_sim.core.record import CallRecord


@dataclass
class StoredCallState:
    record: CallRecord
    exchanges: list[Exchange | ToolExchange]
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
        rows = conn.execute('SELECT id, assistant_id, "to", "from", direction, epoch, created_ms, updated_ms, '
                            "initial_state FROM calls WHERE run_id = ? ORDER BY created_ms, rowid",
                            (NO_RUN,)).fetchall()
        events: dict[str, list[tuple[int, str, str]]] = defaultdict(list)  # (t_ms, type, data) rows
        for call_id, t_ms, kind, data in conn.execute(
                "SELECT call_id, t_ms, type, data FROM events WHERE run_id = ? ORDER BY call_id, seq", (NO_RUN,)):
            events[call_id].append((t_ms, kind, data))
        exchanges: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for call_id, sent_ms, data in conn.execute(
                "SELECT call_id, sent_ms, data FROM exchanges WHERE run_id = ? ORDER BY call_id, seq", (NO_RUN,)):
            exchanges[call_id].append((sent_ms, loads(data)))
    latest = 0
    for cid, assistant_id, to, from_, direction, epoch, created_ms, updated_ms, initial_state in rows:
        shift = clock.ms_at(VirtualClock(epoch).epoch)
        log = [event_from_row(t + shift, kind, data) for t, kind, data in events.get(cid, ())]
        record = CallRecord.rebuilt(cid, assistant_id, to, from_, created_ms + shift,
                                    loads(initial_state), direction, log)
        stored = [_exchange(record, sent_ms + shift, data) for sent_ms, data in exchanges.get(cid, ())]
        state.calls.append(StoredCallState(record, stored, len(log), len(stored)))
        latest = max(latest, updated_ms + shift, *(e.t_ms for e in log[-1:]))
    for assistant in state.assistants + state.retired:
        latest = max(latest, clock.ms_at(VirtualClock(assistant["updated_at"]).epoch))
    state.latest_ms = latest
    return state


def _exchange(record: CallRecord, sent_ms: int, data: dict[str, Any]) -> Exchange | ToolExchange:
    """The exchange back from its stored dict (an MCP tool call, or a webhook round trip)."""
    if data.get("kind") == "mcp":
        return _tool_exchange(sent_ms, data)
    return _webhook_exchange(record, sent_ms, data)


def _tool_exchange(sent_ms: int, data: dict[str, Any]) -> ToolExchange:
    """A tool call's `result` is None exactly when the transport failed (its `error` is then the outcome's)."""
    result = data["result"]
    wall_ms = data.get("wall_ms")
    outcome = (ToolOutcome(error=data["error"], wall_ms=wall_ms) if result is None else
               ToolOutcome(result["content"], result["structured_content"], result["is_error"], wall_ms=wall_ms))
    return ToolExchange(data["call_id"], data["server"], data["tool"], data["arguments"], sent_ms,
                        data["duration_ms"], outcome, data["error"])


def _webhook_exchange(record: CallRecord, sent_ms: int, data: dict[str, Any]) -> Exchange:
    """The compact exchange back from its stored dict. Its `context` is a window of the dialogue:
    the latest window (ending no later than the request was sent) whose lines are the stored
    ones, so `exchange_dict` rebuilds the same request."""
    request = data["request"]
    context = request["context"]
    lines = record.context()
    size = len(context)
    said = sum(1 for line in record.dialogue if line.t_ms <= sent_ms)
    end = next((e for e in range(min(said, len(lines)), size - 1, -1) if lines[e - size:e] == context), size)
    return Exchange(record.id, data["url"], sent_ms, request["utterance"], request["state"], end - size, end,
                    data["duration_ms"], data["status_code"], data["response"], data["error"])
