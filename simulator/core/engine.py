"""A tiny discrete-event kernel on integer virtual milliseconds.

Timers run in (time, priority, sequence) order: equal times by priority, then in the order
they were scheduled, so ties are deterministic. Cancellation is lazy: a cancelled timer is
skipped when its turn comes, which keeps `cancel` O(1).

Timers due at the same (time, priority) share one bucket, a list run front to back, and only
the buckets' keys sit in a heap of plain ints. A busy simulation has several timers per virtual
millisecond, so this pays one heap operation per bucket instead of one per timer; on a
10,000-call run heap operations on tuples were a third of the whole run.

`run` is the one way timers run, for batch runs and the server alike (the server runs slices of
`limit` timers between requests); only the engine moves its clock, and never backwards.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from aployee_sim.core.clock import VirtualClock

PRIORITIES = range(-8, 8)  # the priorities a timer may have (0 unless said otherwise)
_SLOTS = len(PRIORITIES)  # a bucket key is at_ms * _SLOTS + (priority - PRIORITIES.start)


class Timer:
    """A scheduled callback `fn(arg)`; `cancel()` makes the engine skip it (`fn` is None then)."""

    __slots__ = ("fn", "arg")
    fn: Callable[[Any], None] | None
    arg: Any

    def cancel(self) -> None:
        self.fn = None
        self.arg = None  # let go of what it would have run with


def invoke(fn: Callable[[], None]) -> None:
    """Run a no-argument callback as a timer: `engine.schedule(delay_ms, invoke, fn)`."""
    fn()


_NEVER = 1 << 80  # a bucket key past any virtual time
_new = object.__new__


class Engine:
    """Runs callbacks in virtual-time order; never reads the wall clock and never sleeps."""

    def __init__(self, clock: VirtualClock | None = None) -> None:
        self.clock = clock or VirtualClock()
        self._keys: list[int] = []  # heap of bucket keys
        self._buckets: dict[int, list[Timer]] = {}

    @property
    def now_ms(self) -> int:
        return self.clock.now_ms

    def schedule(self, delay_ms: int, fn: Callable[[Any], None], arg: Any = None, priority: int = 0) -> Timer:
        """Run `fn(arg)` `delay_ms` from now (never in the past); lower priorities run first."""
        if delay_ms < 0:
            raise ValueError(f"cannot schedule {delay_ms} ms in the past")
        if priority and priority not in PRIORITIES:
            raise ValueError(f"priority must be in {PRIORITIES.start}..{PRIORITIES.stop - 1}, got {priority}")
        timer = _new(Timer)  # (without an __init__ frame: this runs several times per call turn)
        timer.fn = fn
        timer.arg = arg
        key = (self.clock.now_ms + delay_ms) * _SLOTS + priority - PRIORITIES.start
        bucket = self._buckets.get(key)
        if bucket is None:
            self._buckets[key] = [timer]
            heapq.heappush(self._keys, key)
        else:
            bucket.append(timer)
        return timer

    def next_time_ms(self) -> int | None:
        """When the next live timer is due, or None when idle."""
        keys, buckets = self._keys, self._buckets
        while keys:
            if any(timer.fn is not None for timer in buckets[keys[0]]):
                return keys[0] // _SLOTS
            del buckets[heapq.heappop(keys)]
        return None

    def step(self) -> bool:
        """Run the next live timer; False when there is none."""
        return self.run(limit=1) == 1

    def run(self, until_ms: int | None = None, *, limit: int | None = None) -> int:
        """Run timers until idle, or until virtual time `until_ms` (then the clock rests there).

        With `limit`, a slice of a run: it returns after that many timers (or when nothing more is
        due by `until_ms`) and leaves the clock at the last timer run; the caller decides when time
        moves on. Returns the number of timers run. It leaves the process's garbage collector alone:
        the GC policy of `gc_policy` is the process owner's choice (the CLI), or a host's opt-in.
        """
        keys, buckets, pop, clock = self._keys, self._buckets, heapq.heappop, self.clock
        last_key = (until_ms + 1) * _SLOTS - 1 if until_ms is not None else _NEVER
        stop_at = -1 if limit is None else limit
        count = 0
        while keys:
            key = keys[0]
            if key > last_key:
                break
            at_ms = key // _SLOTS
            bucket = buckets[key]
            try:
                # Timers scheduled for this very bucket while it runs are appended and run too.
                for timer in bucket:
                    fn = timer.fn
                    if fn is not None:
                        clock.now_ms = at_ms  # (a bucket of cancelled timers leaves the clock alone)
                        fn(timer.arg)
                        count += 1
                        if count == stop_at:
                            break
                else:  # the bucket is done (the usual case, inlined)
                    # (`is bucket`: a callback may have looked ahead with `next_time_ms`, which
                    # forgets all-cancelled buckets, and scheduled a new one for this instant)
                    if buckets.get(key) is bucket:
                        del buckets[key]
                        if keys[0] == key:
                            pop(keys)
                        else:
                            self._unkey(key)
                    continue
            except BaseException:  # a callback raised: keep what has not run yet
                self._drop(key, bucket, bucket.index(timer) + 1)
                raise
            self._drop(key, bucket, bucket.index(timer) + 1)  # the limit was reached in this bucket
            return count
        if limit is None and until_ms is not None and until_ms > clock.now_ms:
            clock.now_ms = until_ms
        return count

    def _drop(self, key: int, bucket: list[Timer], done: int) -> None:
        """Forget the first `done` timers of the running bucket, and the bucket once empty."""
        del bucket[:done]
        if not bucket and self._buckets.get(key) is bucket:
            del self._buckets[key]
            if self._keys[0] == key:
                heapq.heappop(self._keys)
            else:
                self._unkey(key)

    def _unkey(self, key: int) -> None:
        """A timer with a lower priority was scheduled for the running instant: `key` is not first."""
        self._keys.remove(key)
        heapq.heapify(self._keys)

    def __len__(self) -> int:
        return sum(timer.fn is not None for bucket in self._buckets.values() for timer in bucket)
