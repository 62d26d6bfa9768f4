"""A tiny discrete-event kernel on integer virtual milliseconds.

The heap is ordered by (time, priority, sequence): equal times run by priority, then in the
order they were scheduled, so ties are deterministic. Cancellation is lazy (a cancelled entry
is skipped when popped), which keeps `schedule` and `cancel` O(log n) and O(1).
"""

from __future__ import annotations

import gc
import heapq
import itertools
from collections.abc import Callable
from typing import Any

from simulator.clock import VirtualClock

GC_FREEZE_EVERY = 10_000  # timers between moves of live objects out of the collector's sight


class Timer:
    """A scheduled callback; `cancel()` makes the engine skip it."""

    __slots__ = ("at_ms", "fn", "arg", "cancelled")

    def __init__(self, at_ms: int, fn: Callable[[Any], None], arg: Any) -> None:
        self.at_ms = at_ms
        self.fn = fn
        self.arg = arg
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Engine:
    """Runs callbacks in virtual-time order; never reads the wall clock and never sleeps."""

    def __init__(self, clock: VirtualClock | None = None) -> None:
        self.clock = clock or VirtualClock()
        self._heap: list[tuple[int, int, int, Timer]] = []
        self._seq = itertools.count()

    @property
    def now_ms(self) -> int:
        return self.clock.now_ms

    def schedule(self, delay_ms: int, fn: Callable[[Any], None], arg: Any = None, priority: int = 0) -> Timer:
        """Run `fn(arg)` `delay_ms` from now (never in the past)."""
        if delay_ms < 0:
            raise ValueError(f"cannot schedule {delay_ms} ms in the past")
        timer = Timer(self.clock.now_ms + delay_ms, fn, arg)
        heapq.heappush(self._heap, (timer.at_ms, priority, next(self._seq), timer))
        return timer

    def next_time_ms(self) -> int | None:
        """When the next live timer is due, or None when idle."""
        heap = self._heap
        while heap and heap[0][3].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def step(self) -> bool:
        """Run the next live timer; False when there is none."""
        heap = self._heap
        while heap:
            at_ms, _, _, timer = heapq.heappop(heap)
            if timer.cancelled:
                continue
            self.clock.now_ms = at_ms
            timer.fn(timer.arg)
            return True
        return False

    def run(self, until_ms: int | None = None) -> int:
        """Run timers until idle, or until virtual time `until_ms` (then the clock rests there).

        Returns the number of timers run.
        """
        heap = self._heap
        pop = heapq.heappop
        clock = self.clock
        count = 0
        until_freeze = GC_FREEZE_EVERY
        frozen = False
        try:
            while heap:
                entry = heap[0]
                if until_ms is not None and entry[0] > until_ms:
                    break
                pop(heap)
                timer = entry[3]
                if timer.cancelled:
                    continue
                clock.now_ms = entry[0]
                timer.fn(timer.arg)
                count += 1
                until_freeze -= 1
                if not until_freeze:
                    until_freeze = GC_FREEZE_EVERY
                    # A big run keeps every call's log alive; without this the cyclic GC rescans
                    # that growing heap of live objects again and again (2-3x the run time).
                    gc.freeze()
                    frozen = True
        finally:
            if frozen:
                gc.unfreeze()
        if until_ms is not None and until_ms > clock.now_ms:
            clock.now_ms = until_ms
        return count

    def __len__(self) -> int:
        return sum(1 for entry in self._heap if not entry[3].cancelled)
