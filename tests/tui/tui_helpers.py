"""Helpers of the TUI tests (importable by name: pytest puts this directory on sys.path)."""

from __future__ import annotations


class ManualPacer:
    """Virtual time that moves only when the test says so (role-play without the wall clock)."""

    def __init__(self, now_ms: int) -> None:
        self.now_ms = now_ms

    def virtual_now_ms(self) -> int:
        return self.now_ms

    def advance(self, seconds: float) -> None:
        self.now_ms += round(seconds * 1000)


async def wait_for(pilot, condition, *, timeout_s: float = 5.0, step_s: float = 0.05) -> None:
    """Let the app run until `condition()` holds; fail after a bounded number of pauses."""
    for _ in range(int(timeout_s / step_s)):
        if condition():
            return
        await pilot.pause(step_s)
    assert condition(), "the condition did not hold in time"
