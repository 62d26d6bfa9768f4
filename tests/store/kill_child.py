"""Child process of the kill -9 test: places calls through the platform with a store writer and prints
each id once `create_call` has returned (the acknowledgement), until killed or a bound is reached."""

from __future__ import annotations

import sys

from store_helpers import busy_simulator, place_calls

from aployee_sim.adapters.store import Store, StoreWriter


def main(path: str) -> None:
    store = Store(path)
    sim = busy_simulator(seed=5)
    writer = StoreWriter(store).attach(sim)
    for _ in range(20_000):  # bounded: the parent kills us long before
        for call_id in place_calls(sim, 4):
            print(call_id, flush=True)
        sim.run(seconds=2)
        writer.flush()


if __name__ == "__main__":
    main(sys.argv[1])
