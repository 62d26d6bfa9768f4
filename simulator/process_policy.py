"""What `aployee-sim` does to the process it owns, and a library call never does.

Garbage-collector settings and the interpreter's switch interval are process-wide: a host that
imports the simulator (a test suite, a notebook, a service) keeps its own. So `Simulator.run`,
the engine and the outside loop change neither, and the CLI's `main` holds `owned_process()` for
the life of a command:

- the GC policy of long simulations (`aployee_sim.core.gc_policy.long_run`: a raised young
  threshold, survivors frozen instead of scanned);
- a switch interval of `IO_SWITCH_INTERVAL_S` instead of CPython's 5 ms. The engine thread holds
  the GIL while it runs timers, so with the default a webhook request waited up to 5 ms to leave
  and its answer up to 5 ms to be read. Measured on the bench's campaign of 1,000 calls
  (bench/webhook_bench.py): against a 20 ms webhook each round trip took 29 ms instead of about
  25, and virtual time may run ahead of a request only by its modelled latency, so that set the
  pace; against a 0 ms webhook, 2.7-3.9k webhooks/s became 3.7-4.6k.

A host that wants the same for its own long runs opts in: `with owned_process(): sim.run()`
(both settings come back when the block ends; the GC policy then unfreezes every frozen object,
the host's included, which is why it is never implicit).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from aployee_sim.core.gc_policy import long_run

IO_SWITCH_INTERVAL_S = 0.0005  # GIL hand-over while the process is ours (CPython's default: 0.005)


@contextmanager
def owned_process() -> Iterator[None]:
    """Apply the process owner's settings for the duration of the block (see the module docstring)."""
    saved = sys.getswitchinterval()
    sys.setswitchinterval(min(saved, IO_SWITCH_INTERVAL_S))
    try:
        with long_run():
            yield
    finally:
        sys.setswitchinterval(saved)
