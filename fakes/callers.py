"""Far ends of a call: a scripted caller, a live caller driven from outside, and machines.

Each implements the `Caller` port of `aployee_sim.core.ports`: the core tells it what happens
(connected, the assistant started speaking, it's your turn, the call ended) and it acts through
the `Line` it was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aployee_sim.core.phrases import Pattern, PatternTimeout
from aployee_sim.core.ports import Line


class LiveCaller:
    """Stays silent until someone drives the line (the `/_sim` routes, the TUI, a test)."""

    def __init__(self) -> None:
        self.line: Line | None = None
        self.heard: list[str] = []
        self.ended_reason: str | None = None

    def connected(self, line: Line) -> None:
        self.line = line

    def assistant_started(self, text: str, duration_ms: int) -> None:
        self.heard.append(text)

    def your_turn(self) -> None:
        pass

    def ended(self, reason: str) -> None:
        self.ended_reason = reason


class AnsweringMachine(LiveCaller):
    """Answers and never speaks: the call ends by the silence timeout."""


class HangsUpAfterGreeting(LiveCaller):
    """Answers, hears the assistant's first message out, and hangs up."""

    def your_turn(self) -> None:
        if self.line is not None and self.heard:
            self.line.hang_up()


# --- Scripted caller -------------------------------------------------------------------------
@dataclass(slots=True)
class Step:
    """One caller action. `kind` is one of: say, wait, expect, press, silence, hang_up, barge_in
    (the far end's verbs are those of the `Line`: say, press, hang up)."""

    kind: str
    text: str = ""
    ms: int = 0
    pattern: Pattern | None = None
    confidence: float | None = None
    line_no: int | None = None


def say(text: str, *, pause_ms: int | None = None, confidence: float | None = None) -> Step:
    """Speak at the next natural turn (after the assistant finishes), after a short pause."""
    return Step("say", text=text, ms=-1 if pause_ms is None else pause_ms, confidence=confidence)


def wait(ms: int) -> Step:
    return Step("wait", ms=ms)


def silence(ms: int) -> Step:
    """Stay silent this long even when it is the caller's turn."""
    return Step("silence", ms=ms)


def expect(pattern: str, *, timeout_ms: int = 30000) -> Step:
    """Wait until the assistant says something matching (case-insensitive regex or plain text,
    bounded as every user pattern is: `aployee_sim.core.phrases`)."""
    return Step("expect", text=pattern, ms=timeout_ms, pattern=Pattern(pattern))


def press(keys: str) -> Step:
    """Press keys (DTMF) at once."""
    return Step("press", text=keys)


def hang_up() -> Step:
    return Step("hang_up")


def barge_in(text: str, *, after_ms: int = 800) -> Step:
    """When the assistant next speaks, talk over it `after_ms` into its speech."""
    return Step("barge_in", text=text, ms=after_ms)


@dataclass(slots=True)
class ScriptedCaller:
    """Plays a list of steps; when the script runs out it stays silent.

    Expectations that time out are collected in `failures` (the scenario runner reports them)
    and the script goes on.
    """

    steps: list[Step]
    think_ms: int = 600
    failures: list[str] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    ended_reason: str | None = None
    _line: Line | None = None
    _index: int = 0
    _waiting: str | None = None  # "turn" | "expect" | "speech" | "timer"
    _my_turn: bool = False
    _unheard_from: int = 0
    _timer: Any = None

    def connected(self, line: Line) -> None:
        self._line = line
        self._advance()

    def assistant_started(self, text: str, duration_ms: int) -> None:
        self.heard.append(text)
        self._my_turn = False
        if self._waiting == "expect":
            self._check_expect()
        elif self._waiting == "speech":
            step = self.steps[self._index]
            self._waiting = "timer"
            line = self._line
            assert line is not None, "a caller acts only once connected"
            self._timer = line.after(min(step.ms, max(0, duration_ms - 1)), self._barge)

    def your_turn(self) -> None:
        self._my_turn = True
        if self._waiting == "turn":
            self._speak_soon()

    def ended(self, reason: str) -> None:
        self.ended_reason = reason
        if self._waiting == "expect":
            self._fail_expect("the call ended")
        self._waiting = None

    # --- the script ------------------------------------------------------------------------
    def _advance(self) -> None:
        line = self._line
        while line is not None and line.live and self._index < len(self.steps):
            step = self.steps[self._index]
            kind = step.kind
            if kind == "say":
                if self._my_turn:
                    self._speak_soon()
                else:
                    self._waiting = "turn"
                return
            if kind in ("wait", "silence"):
                self._waiting = "timer"
                self._timer = line.after(step.ms, self._next)
                return
            if kind == "expect":
                self._waiting = "expect"
                self._timer = line.after(step.ms, self._expect_timed_out)
                self._check_expect()
                return
            if kind == "barge_in":
                if line.assistant_speaking:
                    self._waiting = "timer"
                    self._timer = line.after(step.ms, self._barge)
                else:
                    self._waiting = "speech"
                return
            self._index += 1
            if kind == "press":
                line.press(step.text)
            elif kind == "hang_up":
                line.hang_up()
                return

    def _next(self) -> None:
        self._waiting = None
        self._index += 1
        self._advance()

    def _speak_soon(self) -> None:
        step = self.steps[self._index]
        self._waiting = "timer"
        pause = self.think_ms if step.ms < 0 else step.ms
        if pause:
            line = self._line
            assert line is not None, "a caller acts only once connected"
            self._timer = line.after(pause, self._speak)
        else:
            self._speak()  # no pause: the words start now

    def _speak(self) -> None:
        """Say the step's words, then go on once they have been said."""
        step = self.steps[self._index]
        self._my_turn = False
        self._unheard_from = len(self.heard)
        line = self._line
        assert line is not None, "a caller acts only once connected"
        duration = line.say(step.text, confidence=step.confidence)
        following = self.steps[self._index + 1].kind if self._index + 1 < len(self.steps) else None
        if following in ("say", "expect"):
            self._next()  # both wait for the assistant anyway: no need to wait for our own words
        else:
            self._timer = line.after(duration, self._next)

    def _barge(self) -> None:
        self._speak()

    def _check_expect(self) -> None:
        pattern = self.steps[self._index].pattern
        assert pattern is not None, "an expect step has a pattern"
        for position in range(self._unheard_from, len(self.heard)):
            try:
                found = pattern.search(self.heard[position])
            except PatternTimeout as exc:  # a failed expectation, and the script goes on
                self._timer.cancel()
                self._fail_expect(str(exc))
                self._unheard_from = position + 1
                self._next()
                return
            if found:
                self._unheard_from = position + 1
                self._timer.cancel()
                self._next()
                return

    def _expect_timed_out(self) -> None:
        if self._waiting == "expect":
            self._fail_expect(f"not heard within {self.steps[self._index].ms} ms")
            self._next()

    def _fail_expect(self, why: str) -> None:
        step = self.steps[self._index]
        where = f" (line {step.line_no})" if step.line_no else ""
        heard = "; ".join(repr(h) for h in self.heard[self._unheard_from:]) or "nothing"
        self.failures.append(f"expected the assistant to say /{step.text}/{where}: {why}; heard {heard}")
