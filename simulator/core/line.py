"""The far end's side of the phone line: what a caller (`ports.Caller`) acts through.

`CallLine` is the `ports.Line` a call process hands its far end: the far end's three verbs (say,
press, hang up) and what it may observe, and nothing of the process's insides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from aployee_sim.core.engine import Timer


def invoke(fn: Callable[[], None]) -> None:
    """Run a no-argument callback as an engine timer (`Engine.schedule(delay, invoke, fn)`)."""
    fn()


class FarEndSide(Protocol):
    """What the line needs from its call process."""

    @property
    def now_ms(self) -> int: ...
    @property
    def assistant_speaking(self) -> bool: ...
    @property
    def live(self) -> bool: ...
    def user_says(self, text: str, confidence: float | None = None) -> int: ...
    def user_presses(self, digits: str) -> None: ...
    def user_hangs_up(self) -> None: ...
    def after(self, delay_ms: int, fn: Callable[[], None]) -> Timer: ...


class CallLine:
    """The far end's side of the phone line (the `Line` port)."""

    __slots__ = ("_process",)

    def __init__(self, process: FarEndSide) -> None:
        self._process = process

    @property
    def now_ms(self) -> int:
        return self._process.now_ms

    @property
    def assistant_speaking(self) -> bool:
        return self._process.assistant_speaking

    @property
    def live(self) -> bool:
        return self._process.live

    def say(self, text: str, *, confidence: float | None = None) -> int:
        """Speak now; returns how long the speech lasts (0 when the line is not live)."""
        return self._process.user_says(text, confidence)

    def press(self, digits: str) -> None:
        self._process.user_presses(digits)

    def hang_up(self) -> None:
        self._process.user_hangs_up()

    def after(self, delay_ms: int, fn: Callable[[], None]) -> Timer:
        return self._process.after(delay_ms, fn)
