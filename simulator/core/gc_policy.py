"""The one garbage-collector policy of a long simulation: `with long_run(): ...`.

Every live call is a web of objects that lives until its run ends (or the server is reset), and a
turn allocates a few dozen short-lived objects. With CPython's default policy the young
generation is collected every 700 allocations, thousands of times in a big run for little garbage,
and the full collections walk an ever larger heap of live calls (2-3x a 10,000-call run; pauses of
up to ~270 ms in a server with 20,000 calls). So, while a long run lasts:

- the young-generation threshold is raised to `YOUNG_GC_THRESHOLD` allocations;
- when a young collection is due, what is tracked is frozen (`gc.freeze`) instead of scanned: out
  of the collector's sight, while reference counting still frees what becomes unreachable without
  cycles. Every tenth time (CPython's generation-1 collection) the young objects are really
  collected first, so cyclic garbage (a server's requests) is still freed, then the survivors are
  frozen. Scanning 50,000 live call objects at every young collection cost 12% of a 10,000-call
  run; freezing them costs nothing;
- when the outermost `long_run` ends, thresholds are restored and everything is unfrozen, and
  `thaw()` hands the frozen objects back early (after a server reset forgot its calls).

Settings of the collector are process-wide, so a library call never applies this policy on its
own: the process's owner does (`aployee-sim`, every command, through `aployee_sim.process_policy`),
or a host that opts in with `with long_run(): sim.run()`. (`Engine.run` entered it on every run
once, and so reset a host's own `gc.freeze()`: 45,509 frozen objects back to 0 after one `sim.run()`.)
Nesting is counted, so an inner `long_run` leaves an outer one as it is; `thaw()` outside the
policy does nothing, so a server reset in a host's process never unfreezes the host's objects.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

YOUNG_GC_THRESHOLD = 50_000  # allocations between young-generation collections while running

_lock = threading.Lock()
_depth = 0
_saved_threshold: tuple[int, int, int] = gc.get_threshold()


def _freeze(phase: str, info: dict[str, Any]) -> None:
    if info["generation"] == 0:
        if phase == "start":  # the young objects of a run are live calls: set aside, not scanned
            gc.freeze()
    elif phase == "stop":  # after the periodic real collection of what was young: set the survivors aside
        gc.freeze()


@contextmanager
def long_run() -> Iterator[None]:
    """Apply the policy for the duration of the block (see the module docstring)."""
    global _depth, _saved_threshold
    with _lock:
        if _depth == 0:
            _saved_threshold = gc.get_threshold()
            gc.set_threshold(max(_saved_threshold[0], YOUNG_GC_THRESHOLD), *_saved_threshold[1:])
            gc.callbacks.append(_freeze)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.callbacks.remove(_freeze)
                gc.set_threshold(*_saved_threshold)
                gc.unfreeze()


def thaw() -> None:
    """Let the collector see (and free) what forgotten calls left behind; the policy stays on.
    Outside the policy the frozen objects are the host's own: they stay frozen."""
    with _lock:
        if _depth > 0:
            gc.unfreeze()
