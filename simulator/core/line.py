"""The far end's side of the phone line: what a caller (`ports.Caller`) acts through.

`CallLine` is the `ports.Line` a call process hands its far end: the far end's three verbs (say,
press, hang up) and what it may observe, and nothing of the process's insides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from aployee_sim.contract.lifecycle import IN_PROGRESS
from aployee_sim.core.engine import Timer, invoke
from aployee_sim.core.record import CallRecord
from aployee_sim.core.runtime import Runtime


class FarEndSide(Protocol):
    """What the line needs from its call process: what it shows the far end (read directly: the
    line is on every turn's path) and the far end's acts, as the process names them."""

    @property
    def rt(self) -> Runtime: ...
    @property
    def record(self) -> CallRecord: ...
    @property
    def speaking(self) -> Timer | None: ...
    def user_says(self, text: str, confidence: float | None = None) -> int: ...
    def user_presses(self, digits: str) -> None: ...
    def user_hangs_up(self) -> None: ...


class CallLine:
    """The far end's side of the phone line (the `Line` port)."""

    __slots__ = ("_process",)

    def __init__(self, process: FarEndSide) -> None:
        self._process = process

    @property
    def now_ms(self) -> int:
        return self._process.rt.engine.clock.now_ms

    @property
    def assistant_speaking(self) -> bool:
        return self._process.speaking is not None

    @property
    def live(self) -> bool:
        return self._process.record.status == IN_PROGRESS

    def say(self, text: str, *, confidence: float | None = None) -> int:
        """Speak now; returns how long the speech lasts (0 when the line is not live)."""
        return self._process.user_says(text, confidence)

    def press(self, digits: str) -> None:
        self._process.user_presses(digits)

    def hang_up(self) -> None:
        self._process.user_hangs_up()

    def after(self, delay_ms: int, fn: Callable[[], None]) -> Timer:
        return self._process.rt.engine.schedule(delay_ms, invoke, fn)
