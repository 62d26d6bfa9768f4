"""The embedded store: SQLite in WAL mode (or memory) for calls, events, webhook exchanges, assistants, runs.

    store = Store("calls.db")                 # Store() for an in-memory store
    writer = StoreWriter(store).attach(sim)   # sim: a Platform / Simulator
    ...; writer.flush()
    store.list_calls(status="completed", text="renew")
    store.get_call(call_id).details()         # byte-identical to the platform's resource
"""

from aployee_sim.adapters.store.db import StoreError
from aployee_sim.adapters.store.store import Store, StoredCall
from aployee_sim.adapters.store.writer import StoreWriter

__all__ = ["Store", "StoreError", "StoredCall", "StoreWriter"]
