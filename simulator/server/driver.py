"""The engine driver: runs the platform's engine in one background thread beside the HTTP handlers.

One lock guards the platform. A route reads with `read(fn)` and changes with `await change(fn)`,
and nothing else: `change` decides whether `fn` runs at once, after the turn the engine is in, or
on the driver thread (docs/architecture.md, "A route"). Only the driver thread ever runs the
engine, so engine runs never overlap. Real webhooks are pipelined: a request goes out when it is
due and the engine runs on; only when virtual time reaches the moment its answer is needed and
the answer is not in yet does the engine wait, and then with the lock released (at most until the
exchange's deadline; every wait on the outside world, webhooks and MCP tools alike, goes through
`outside_wait`): the server keeps answering, and virtual time is held meanwhile (in realtime
mode pacing restarts after a held webhook). docs/server.md, "Webhooks in flight".

Clock modes (docs/contract.md §6): `auto` runs the engine whenever it has work (idle time is skipped),
`realtime` runs it at wall speed × `speed`, `manual` only when `POST /_sim/clock/advance` asks.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from aployee_sim.core.clock import WallPacer
from aployee_sim.platform.platform import Platform

MODES = ("realtime", "manual", "auto")
BATCH = 256            # engine steps per lock hold, so handlers get the lock in between
HOOK_EVERY = 32        # while busy, `after_run` hooks run every this many batches
REALTIME_TICK_S = 0.1  # realtime: the clock moves on at least this often, for live durations

ErrorSink = Callable[[str, BaseException], None]
T = TypeVar("T")


class Driver:
    def __init__(self, platform: Platform, mode: str = "auto", speed: float = 1.0,
                 on_error: ErrorSink | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown clock mode {mode!r}; allowed: {', '.join(MODES)}")
        self.platform = platform
        self.mode = mode
        self.pacer = WallPacer(speed, platform.now_ms)
        self.lock = threading.Lock()
        self.held = False       # a webhook held virtual time: realtime pacing restarts from now
        self.in_flight = False  # a webhook is in flight right now (the lock is released meanwhile)
        self.engine_thread_id: int | None = None
        self._on_error = on_error
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], Future]] = queue.SimpleQueue()
        self._kick = threading.Event()
        self._progress = threading.Condition()
        self._kicks = 0
        self._settled = 0
        self._pending = 0  # commands submitted and not finished
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._busy_ticks = 0
        # Called under the lock after the engine made progress (e.g. a store writer's flush).
        self.after_run: list[Callable[[], None]] = []

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="aployee-sim-engine", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping = True
        self._kick.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._run_hooks()  # a last flush (e.g. the store) of whatever the engine did

    # --- what handlers use ------------------------------------------------------------------
    def kick(self) -> None:
        """Something changed (a call was created, a caller spoke): let the engine react.

        In manual mode nothing reacts until the clock is advanced, so the thread is not woken."""
        with self._progress:
            self._kicks += 1
            if self.mode == "manual" and self._pending == 0:
                self._settled = self._kicks
                self._progress.notify_all()
                return
        self._kick.set()

    def submit(self, fn: Callable[[], Any]) -> Future:
        """Run `fn` on the driver thread (between engine batches); its result arrives in the future.
        Routes use `change`, which calls this when it must."""
        future: Future = Future()
        with self._progress:
            self._pending += 1
            self._kicks += 1
        self._commands.put((fn, future))
        self._kick.set()
        return future

    def advance(self, seconds: float) -> dict[str, str]:
        """Run the engine `seconds` of virtual time on (a `runs_engine` change); returns the clock."""
        return self._advance(round(seconds * 1000))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until everything kicked so far has been run (auto mode: the engine is idle;
        manual: queued commands are done; realtime: no timer is left). False on timeout."""
        with self._progress:
            target = self._kicks
            return self._progress.wait_for(lambda: self._settled >= target, timeout)

    def sync(self) -> None:
        """Realtime: bring the clock up to the wall before a request reads or stamps it.

        Only when nothing is due before that instant (the driver thread runs due timers) and no
        webhook is holding virtual time."""
        if self.mode != "realtime":
            return
        with self.lock:
            target = self.pacer.virtual_now_ms()
            upcoming = self.platform.engine.next_time_ms()
            if target > self.platform.now_ms and not self.in_flight and (upcoming is None or upcoming > target):
                self.platform.run(until_ms=target)

    def read(self, fn: Callable[[], T]) -> T:
        """A route's read of the platform: `fn` runs under the lock, at once (the engine never holds
        it while it waits on the outside world), and returns a projection, never a live reference."""
        with self.lock:
            return fn()

    async def change(self, fn: Callable[[], T], *, runs_engine: bool = False) -> T:
        """The one way a route changes the platform; the driver decides when `fn` runs:

        - `runs_engine` (it moves time or replaces the engine's state: advance, reset): on the
          driver thread between engine batches, so engine runs never overlap;
        - while the engine waits for an outside answer mid-turn with the lock released
          (`unlocked`): on the driver thread once that turn is done, so nothing lands inside the
          turn (a hang-up there ended the call before its exchange was recorded);
        - otherwise at once, under the lock.

        The handler awaits without blocking the server's loop, so other requests are answered
        meanwhile. The driver is kicked afterwards, so the engine reacts to the change."""
        at_once = False
        if not runs_engine:
            with self.lock:
                at_once = not self.in_flight
                if at_once:
                    result = fn()
        if not at_once:
            result = await asyncio.wrap_future(self.submit(fn if runs_engine else lambda: self._locked(fn)))
        self.kick()
        return result

    def _locked(self, fn: Callable[[], T]) -> T:
        with self.lock:
            return fn()

    def outside_wait(self, wait: Callable[[], T]) -> T:
        """Around every wait on the outside world (a due webhook answer, an MCP tool call): the
        server's composition hands it to the outside loop once (`OutsideLoop.around_waits`), so
        every port releases the lock the same way. On the engine thread, which holds the lock
        while it runs, the wait runs `unlocked`; anywhere else as it is."""
        if threading.get_ident() != self.engine_thread_id:
            return wait()
        return self.unlocked(wait)

    def unlocked(self, wait: Callable[[], T]) -> T:
        """Run `wait` (the engine thread waiting on the outside world) with the lock released, so
        handlers keep answering; virtual time stands still meanwhile (realtime pacing restarts)."""
        self.in_flight = True
        self.lock.release()
        try:
            return wait()
        finally:
            self.lock.acquire()
            self.in_flight = False
            self.held = True

    def clock_dict(self) -> dict[str, str]:
        return {"now": self.platform.now_iso(), "mode": self.mode}

    # --- the driver thread -------------------------------------------------------------------
    def _loop(self) -> None:
        self.engine_thread_id = threading.get_ident()
        while not self._stopping:
            with self._progress:
                seen = self._kicks
            try:
                ran_commands = self._run_commands()
                wait = self._tick()
                self._busy_ticks = self._busy_ticks + 1 if wait == 0 else 0
                if ran_commands or wait != 0 or self._busy_ticks % HOOK_EVERY == 0:
                    self._run_hooks()
            except Exception as exc:  # an engine bug must not kill the server; it is reported
                self._report("engine", exc)
                wait = None
            if wait is None:
                with self._progress:
                    self._settled = max(self._settled, seen)
                    self._progress.notify_all()
            if wait is None or wait > 0:
                self._kick.wait(wait if wait is not None else REALTIME_TICK_S * 10)
                self._kick.clear()
            else:
                time.sleep(0)  # yield the GIL so handlers can take the lock

    def _run_hooks(self) -> None:
        if self.after_run:
            with self.lock:
                for hook in self.after_run:
                    hook()

    def _run_commands(self) -> bool:
        ran = False
        while True:
            try:
                fn, future = self._commands.get_nowait()
            except queue.Empty:
                return ran
            ran = True
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn())
                    except BaseException as exc:  # handed to the waiting handler
                        future.set_exception(exc)
            finally:
                with self._progress:
                    self._pending -= 1

    def _tick(self) -> float | None:
        """Run what is due; return seconds to sleep (0: more work now), or None when settled."""
        if self.mode == "manual":
            return None
        if self.mode == "auto":
            return 0 if self._steps(None) else None
        target = self.pacer.virtual_now_ms()
        if self._steps(target):
            return 0
        with self.lock:
            if self.held:
                self.held = False
                self.pacer.rebase(self.platform.now_ms)
            elif target > self.platform.now_ms:
                self.platform.run(until_ms=target)  # nothing due: the clock just moves on
            upcoming = self.platform.engine.next_time_ms()
        if upcoming is None:
            return None
        return min(REALTIME_TICK_S, self.pacer.wall_seconds_until(upcoming))

    def _steps(self, until_ms: int | None) -> bool:
        """Run up to BATCH due timers under the lock; True when more are due now."""
        with self.lock:
            return self.platform.engine.run(until_ms, limit=BATCH) == BATCH

    def _advance(self, delta_ms: int) -> dict[str, str]:
        until = self.platform.now_ms + delta_ms
        while self._steps(until):
            time.sleep(0)
        with self.lock:
            self.platform.run(until_ms=until)
            self.held = False
            self.pacer.rebase(self.platform.now_ms)
            return self.clock_dict()

    def _report(self, where: str, exc: BaseException) -> None:
        if self._on_error is not None:
            self._on_error(where, exc)
