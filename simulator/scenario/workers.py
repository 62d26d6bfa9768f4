"""`Workers`: threads for simulators that wait on the outside world, handing results back in order.

A simulator's engine is pure Python, but while it waits for a real answer (a webhook, an MCP
tool) on the wall clock it blocks its thread without the GIL, so N threads keep N simulators'
requests in flight at once: a suite or an exploration against a backend that takes 400 ms per
answer then takes about as long as its slowest simulator, not the sum. (Against in-process stubs
there is nothing to wait for, and threads gain nothing: the GIL runs one engine at a time.)

The threads are daemons: Ctrl-C stops the command at once instead of waiting for every running
simulator to reach its end. `in_order` hands results back in the order the work was given,
whatever order it finishes in, so whatever is written from them is the same with any number of
workers; `on_finished` hears of each result as it finishes (a progress display).
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_Task = tuple[concurrent.futures.Future[Any], Callable[[], Any]]


class Workers(Generic[R]):
    """`count` daemon threads running submitted functions; `close()` lets them end."""

    def __init__(self, count: int, name: str = "aployee-sim-worker") -> None:
        if count < 1:
            raise ValueError(f"need at least one worker, got {count}")
        self._tasks: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{k}", daemon=True) for k in range(count)]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            future, function = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(function())
                except BaseException as exc:  # handed to whoever waits on the future
                    future.set_exception(exc)

    def submit(self, function: Callable[[], R]) -> concurrent.futures.Future[R]:
        future: concurrent.futures.Future[R] = concurrent.futures.Future()
        self._tasks.put((future, function))
        return future

    def close(self, timeout_s: float | None = None) -> None:
        """No more work: each thread ends after its current task (joined, up to `timeout_s` each;
        0 leaves them to end on their own)."""
        for _ in self._threads:
            self._tasks.put(None)
        for thread in self._threads:
            thread.join(timeout_s)


def in_order(function: Callable[[T], R], items: Iterable[T], workers: int,
             on_finished: Callable[[int, int], None] | None = None) -> Iterator[R]:
    """`function(item)` for every item on `workers` threads, yielded in the items' order.

    `on_finished(finished, running)` is called on the calling thread whenever results came in.
    An exception is raised when its item's turn comes; the items not started by then are dropped
    (and the ones running are left to end on their daemon threads)."""
    pool: Workers[R] = Workers(workers)
    futures = [pool.submit(partial(function, item)) for item in items]
    try:
        waiting = set(futures)
        for future in futures:
            while not future.done():
                concurrent.futures.wait(waiting, return_when=concurrent.futures.FIRST_COMPLETED)
                waiting = {f for f in waiting if not f.done()}
                if on_finished is not None:
                    on_finished(len(futures) - len(waiting), min(workers, len(waiting)))
            yield future.result()
    finally:
        for future in futures:
            future.cancel()
        pool.close(timeout_s=0)
