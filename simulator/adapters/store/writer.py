"""`StoreWriter`: keeps a `Store` up to date with a running `Platform`, incrementally.

    writer = StoreWriter(store).attach(platform)
    platform.create_call(...)   # committed before create_call returns (the created listener)
    platform.run(seconds=5)
    writer.flush()              # new events, exchanges and changed call rows, one short transaction

Durability rule: a call the API acknowledged is on disk before the acknowledgement is sent,
so the created listener writes the call row and its first events in its own transaction,
synchronously; an assistant created, changed or deleted is written the same way. A call that ends is written at once too (the ended listener), so finished calls
are complete in the store without anyone calling `flush()`. Everything else (events of live
calls) is written by `flush()`, which the server calls after it has run the engine; only what
is new since the last write is inserted: per call we remember how many events and exchanges
are already stored. Assistants are stored under the writer's run (seeded ids repeat across runs),
and so is the run's world (`aployee_sim.adapters.store.world`: numbers, routing, menus, stubbed
webhooks and MCP servers, timings, built-in scripts), rewritten whenever it changed. Batch runs (`batch=True`) skip the per-call transactions and write only on
`flush()`.

`attach(platform, resume=True)` (a server restarted on its file) first hands the stored calls,
assistants and ids to `Platform.resume` (see `aployee_sim.adapters.store.resume`): they are
served again, counted as written, and never overwritten, since no stored id is issued again;
each id written from then on is reserved too, so not even `POST /_sim/reset` reissues one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aployee_sim.adapters.store.resume import read_server_state
from aployee_sim.adapters.store.store import Store
from aployee_sim.core.record import CallRecord
from aployee_sim.platform.world import world_of

if TYPE_CHECKING:
    from aployee_sim.platform.platform import Platform


@dataclass(slots=True)
class _Written:
    """How much of one call is already stored."""

    events: int = 0
    exchanges: int = 0
    fresh: bool = True  # no row yet from this writer: replace whatever a same-id call left


class StoreWriter:
    def __init__(self, store: Store, *, run_id: str | None = None, batch: bool = False) -> None:
        """`batch=True` (scenario runs, where nobody waits for an acknowledgement): the listeners
        only take note and `flush()` writes everything in one transaction, ~8x faster per call."""
        self.store = store
        self.run_id = run_id
        self.batch = batch
        self.platform: Platform | None = None
        self._lock = threading.RLock()
        self._live: dict[str, _Written] = {}
        self._assistants: dict[str, Any] = {}  # id -> the Assistant object last stored (replaced on PATCH)
        self._engine: object = None
        self._world: tuple[Any, ...] | None = None  # what the stored world was made of (`_world_key`)
        self._reserve = False  # resumed: every id written is kept out of reach of a later reset's replay

    def attach(self, platform: Platform, *, resume: bool = False) -> StoreWriter:
        """Listen to `platform` and store every call it already has; returns self.

        `resume=True`: first adopt what the store holds (the server's calls, assistants and ids),
        so the platform carries on from the stored state instead of overwriting it."""
        if self.platform is not None:
            raise RuntimeError("this StoreWriter is already attached to a platform")
        self.platform = platform
        self._engine = platform.engine
        with self._lock:
            self._live = {cid: _Written() for cid in platform.calls}
            if resume:
                self._resume(platform)
                self._reserve = True
        platform.created_listeners.append(self._created)
        platform.ended_listeners.append(self._ended)
        platform.assistant_listeners.append(self._assistant_changed)
        self.flush()
        return self

    def _resume(self, platform: Platform) -> None:
        state = read_server_state(self.store, platform.clock)
        stored = {c.record.id: c for c in state.calls}
        ended = platform.resume(assistants=state.assistants, retired=state.retired, taken_ids=state.taken_ids,
                                calls=[(c.record, c.exchanges) for c in state.calls], now_ms=state.latest_ms)
        self._assistants.update(platform.assistants)
        for record in ended:  # their new `call_ended` is written by the flush that follows
            call = stored[record.id]
            self._live[record.id] = _Written(call.stored_events, call.stored_exchanges, fresh=False)

    def detach(self) -> None:
        platform = self.platform
        if platform is not None:
            platform.created_listeners.remove(self._created)
            platform.ended_listeners.remove(self._ended)
            platform.assistant_listeners.remove(self._assistant_changed)
            self.platform = None

    # --- listeners -----------------------------------------------------------------------------
    def _created(self, record: CallRecord) -> None:
        with self._lock:
            self._check_reset()
            written = _Written()
            if self.batch:
                self._live[record.id] = written
                return
            with self.store.transaction() as conn:
                self._write_assistants(conn)
                self._write_call(conn, record, written)
            if not record.ended:  # a call can end while it is created (a carrier error)
                self._live[record.id] = written

    def _assistant_changed(self) -> None:
        """Created, updated or deleted: on disk before the API answers, like a created call."""
        if self.batch:
            return
        with self._lock:
            self._check_reset()
            with self.store.transaction() as conn:
                self._write_assistants(conn)

    def _ended(self, record: CallRecord) -> None:
        if self.batch:
            return
        with self._lock, self.store.transaction() as conn:
            written = self._live.pop(record.id, None) or _Written()
            self._write_call(conn, record, written)

    # --- flushing ------------------------------------------------------------------------------
    def flush(self) -> int:
        """Write what changed since the last write, in one transaction; returns the calls touched."""
        platform = self.platform
        if platform is None:
            return 0
        touched = 0
        with self._lock:
            self._check_reset()
            changed = [(cid, w) for cid, w in self._live.items()
                       if cid in platform.calls and (w.fresh or len(platform.calls[cid].record.events) > w.events)]
            if not changed and not self._assistants_changed() and self._world == self._world_key():
                return 0
            with self.store.transaction() as conn:
                self._write_assistants(conn)
                for cid, written in changed:
                    record = platform.calls[cid].record
                    self._write_call(conn, record, written)
                    touched += 1
                    if record.ended:
                        del self._live[cid]
        return touched

    def _check_reset(self) -> None:
        """After `Platform.reset()` the old calls are gone (a new engine): stop tracking them."""
        platform = self.platform
        if platform is not None and platform.engine is not self._engine:
            self._engine = platform.engine
            self._live.clear()
            self._assistants.clear()

    def _assistants_changed(self) -> bool:
        assert self.platform is not None
        current = self.platform.assistants
        return len(current) != len(self._assistants) or any(self._assistants.get(aid) is not obj
                                                            for aid, obj in current.items())

    def _world_key(self) -> tuple[Any, ...]:
        """Cheap to compare: the directory's maps are replaced (never changed in place) on update,
        and a brain is replaced with its assistant's script."""
        platform = self.platform
        assert platform is not None
        directory = platform.directory
        return (directory.numbers, directory.rule_sets, directory.menus, tuple(platform.router.routes),
                tuple(platform.mcp.router.routes), platform.timings, tuple(platform.brains.values()))

    def _write_assistants(self, conn: Any) -> None:
        """The assistants that changed, and the world when it changed (every write path calls this)."""
        assert self.platform is not None
        key = self._world_key()
        if key != self._world:
            Store.put_world(conn, self.run_id, world_of(self.platform))
            self._world = key
        current = self.platform.assistants
        for aid, assistant in current.items():
            if self._assistants.get(aid) is not assistant:
                Store.put_assistant(conn, self.run_id, assistant.dump())
                self._assistants[aid] = assistant
                if self._reserve:
                    self.platform.reserved_ids.add(aid)
        for aid in [aid for aid in self._assistants if aid not in current]:  # deleted since the last write
            Store.retire_assistant(conn, self.run_id, aid)
            del self._assistants[aid]

    def _write_call(self, conn: Any, record: CallRecord, written: _Written) -> None:
        platform = self.platform
        assert platform is not None
        assistant = platform.assistants.get(record.assistant_id)
        Store.put_call(conn, record, platform.clock, assistant_name=assistant.name if assistant else None,
                       run_id=self.run_id, updated_ms=platform.now_ms, fresh=written.fresh)
        if written.fresh and self._reserve:
            platform.reserved_ids.add(record.id)
        written.fresh = False
        events = record.events
        if len(events) > written.events:
            Store.put_events(conn, self.run_id, record.id, events[written.events:], written.events)
            written.events = len(events)
        process = platform.calls.get(record.id)
        exchanges = process.exchanges if process is not None else []
        if len(exchanges) > written.exchanges:
            Store.put_exchanges(conn, self.run_id, record.id, exchanges[written.exchanges:], written.exchanges)
            written.exchanges = len(exchanges)
