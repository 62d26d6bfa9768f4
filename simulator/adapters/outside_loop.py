"""One background event loop for all outside-world I/O (webhook delivery, MCP tool calls).

The engine runs on its own thread and never awaits anything: an adapter hands a coroutine to
`OutsideLoop.submit` and gets a `concurrent.futures.Future` back, which the engine consults only
when virtual time reaches the moment the answer is needed. Keeping every socket on one loop
means one place owns connection pools and sessions (anyio-based clients such as the `mcp` SDK
must enter and leave a session inside one task on one loop), and nothing leaks between tests:
`close()` cancels what is still in flight and joins the thread.

uvloop is used when it is installed (it comes with `uvicorn[standard]`).

Every adapter that waits for an answer of the loop does it through `OutsideLoop.result`, the one
place the engine thread blocks on the outside world (a webhook answer that is due, an MCP tool call
or listing). Whoever runs the engine under a lock says once what to do around such a wait
(`around_waits`): the server releases its lock there, so its routes keep answering.

It never changes the host process: the interpreter's switch interval, which sets how fast an
answer read on this loop reaches the engine thread, is the process owner's to lower
(`aployee_sim.process_policy`, which `aployee-sim` applies).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
AroundWait = Callable[[Callable[[], Any]], Any]  # runs the wait it is given and returns its result

class OutsideLoop:
    """A daemon thread running one asyncio loop; started on first use, stopped by `close()`."""

    def __init__(self, name: str = "aployee-sim-io") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._around: AroundWait | None = None

    def around_waits(self, around: AroundWait | None) -> None:
        """Run every later wait in `around(wait)` (None: wait as is). The server's composition sets
        it once, to its driver's `outside_wait`, which releases the platform lock meanwhile."""
        self._around = around

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop, started on first use."""
        with self._lock:
            if self._loop is None:
                self._loop = _new_loop()
                ready = threading.Event()
                self._thread = threading.Thread(target=self._run, args=(self._loop, ready), name=self._name,
                                                daemon=True)
                self._thread.start()
                ready.wait()
            return self._loop

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run `coro` on the loop; the future resolves with its result or exception."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def result(self, future: concurrent.futures.Future[T], timeout_s: float | None = None) -> T:
        """Wait (at most `timeout_s`) for an answer `submit` promised: the only way an adapter blocks
        on the outside world, so `around_waits` covers every port alike. Raises like `future.result`."""
        around = self._around
        if around is None or future.done():
            return future.result(timeout_s)
        result: T = around(lambda: future.result(timeout_s))
        return result

    def close(self, timeout_s: float = 5.0) -> None:
        """Cancel every task still running, stop the loop and join its thread (bounded)."""
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return

        async def _cancel_all() -> None:
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(_cancel_all(), loop).result(timeout_s)
        except (concurrent.futures.TimeoutError, RuntimeError):
            pass  # a task that ignores cancellation: the loop is stopped below all the same
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout_s)


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
