"""Far ends of a call: a scripted caller, a live caller driven from outside, and machines.

Each implements the `Caller` port of `aployee_sim.core.ports`: the core tells it what happens
(connected, the assistant started speaking, it's your turn, the call ended) and it acts through
the `Line` it was given.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aployee_sim.contract import strict_json
from aployee_sim.core.chat import Completer, Message, ModelError
from aployee_sim.core.engine import Timer
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
    and the script goes on. `on_finished` runs once the last step is done (a `PersonaCaller`
    takes over there).
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
    on_finished: Callable[[], None] | None = None

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
        if line is not None and line.live and self._index == len(self.steps) and self.on_finished is not None:
            finished, self.on_finished = self.on_finished, None
            finished()

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


# --- Persona caller ----------------------------------------------------------------------------
MAX_INVALID_ANSWERS = 2
"""Answers that are not a valid turn the model may give in a row before the caller hangs up (each one
is recorded, and the model is told what was wrong with it): three tries a turn in all."""
MAX_SAY_CHARS = 1000
_DIGITS = re.compile(r"[0-9*#]{1,32}")
TURN_FORMAT = ('exactly one JSON object and nothing else: {"say": "what you say next"} to speak, '
               '{"digits": "1"} to press keys on the phone keypad (0-9, * and #), or {"hang_up": "why"} '
               'to end the call, once your goal is reached or you give up')


@dataclass(frozen=True, slots=True)
class PersonaTurn:
    """What the model decided: `kind` is say, digits or hang_up; `text` the words, keys or reason."""

    kind: str
    text: str


def parse_turn(answer: str) -> PersonaTurn:
    """The model's answer as a turn; `ValueError` says what is wrong with it (strict: one JSON object,
    one key, a non-empty string)."""
    try:
        value = strict_json.loads(answer)
    except ValueError:
        raise ValueError("it is not a JSON object") from None
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError('it must be a JSON object with exactly one key: "say", "digits" or "hang_up"')
    kind, text = next(iter(value.items()))
    if kind not in ("say", "digits", "hang_up"):
        raise ValueError(f'unknown key {kind[:40]!r}; the key must be "say", "digits" or "hang_up"')
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"the value of {kind!r} must be a non-empty string")
    if kind == "say" and len(text) > MAX_SAY_CHARS:
        raise ValueError(f"what you say must be at most {MAX_SAY_CHARS} characters")
    if kind == "digits" and not _DIGITS.fullmatch(text):
        raise ValueError("digits must be 1 to 32 of 0-9, * and #")
    return PersonaTurn(kind, text.strip())


def persona_prompt(persona: str, goal: str) -> str:
    return ("You are the caller on a phone call with a voice assistant. Stay in character and speak the way "
            "this person would on the phone, briefly.\n"
            f"Who you are: {persona}\nYour goal: {goal}\n"
            f"The assistant's words come as user messages, your own turns as assistant messages. Each time it is "
            f"your turn, answer with {TURN_FORMAT}.")


@dataclass(slots=True)
class PersonaCaller:
    """A caller played by a language model: at each natural turn the model is given the persona, the goal
    and the dialogue so far, and answers with a `PersonaTurn` (docs/personas.md).

    An `opening` script plays first; the persona takes over when it is done. The model is asked when the
    caller's thinking pause is over and answers in no virtual time (its wall latency is not the caller's),
    then the caller speaks for the words' modelled duration like any other caller. After `max_turns`
    turns the caller hangs up at its next turn (`stopped_by_max_turns`). A model that cannot answer, or
    gives `MAX_INVALID_ANSWERS` + 1 invalid answers in a row, makes the caller hang up with the failure
    named in `failures`.
    """

    persona: str
    goal: str
    complete: Completer
    max_turns: int = 8
    think_ms: int = 600
    opening: ScriptedCaller | None = None
    line_no: int | None = None  # of the scenario's persona step, for failures
    failures: list[str] = field(default_factory=list)
    heard: list[str] = field(default_factory=list)
    dialogue: list[tuple[str, str]] = field(default_factory=list)  # ("assistant" | "caller", text)
    turns: int = 0
    stopped_by_max_turns: bool = False
    hang_up_reason: str | None = None  # the model's, when it hung up
    ended_reason: str | None = None
    _line: _DialogueLine | None = None
    _active: bool = False
    _my_turn: bool = False
    _timer: Timer | None = None  # the thinking pause before the next turn

    def connected(self, line: Line) -> None:
        self._line = _DialogueLine(line, self)
        if self.opening is None:
            self._active = True
        else:
            self.opening.on_finished = self._take_over
            self.opening.connected(self._line)

    def assistant_started(self, text: str, duration_ms: int) -> None:
        self.heard.append(text)
        self.dialogue.append(("assistant", text))
        self._my_turn = False
        if not self._active and self.opening is not None:
            self.opening.assistant_started(text, duration_ms)

    def your_turn(self) -> None:
        self._my_turn = True
        if self._active:
            self._think()
        elif self.opening is not None:
            self.opening.your_turn()

    def ended(self, reason: str) -> None:
        self.ended_reason = reason
        if self._timer is not None:
            self._timer.cancel()
        if not self._active and self.opening is not None:
            self.opening.ended(reason)
            self.failures.extend(self.opening.failures)

    def _take_over(self) -> None:
        if self.opening is not None:
            self.failures.extend(self.opening.failures)
            self.opening.failures.clear()
        self._active = True
        if self._my_turn:
            self._think()

    def _think(self) -> None:
        line = self._line
        assert line is not None, "a caller acts only once connected"
        if self._timer is None:
            self._timer = line.after(self.think_ms, self._act)

    def _act(self) -> None:
        self._timer = None
        line = self._line
        assert line is not None, "a caller acts only once connected"
        if not line.live or not self._my_turn:
            return
        if self.turns >= self.max_turns:
            self.stopped_by_max_turns = True
            line.hang_up()
            return
        self.turns += 1
        try:
            turn = self._ask()
        except ModelError as exc:
            where = f" (line {self.line_no})" if self.line_no else ""
            self.failures.append(f"persona turn {self.turns}{where}: {exc}; the caller hung up")
            line.hang_up()
            return
        if turn.kind == "say":
            line.say(turn.text)
        elif turn.kind == "digits":
            line.press(turn.text)
        else:
            self.hang_up_reason = turn.text
            line.hang_up()

    def _ask(self) -> PersonaTurn:
        """The model's next turn, retried on invalid answers (`ModelError` once they are used up)."""
        messages = self.messages()
        problem = ""
        for _ in range(MAX_INVALID_ANSWERS + 1):
            answer = self.complete(messages)
            try:
                return parse_turn(answer)
            except ValueError as exc:
                problem = str(exc)
                messages = [*messages, {"role": "assistant", "content": answer},
                            {"role": "user", "content": f"That is not a valid turn: {problem}. Answer with "
                                                        f"{TURN_FORMAT}."}]
        raise ModelError(f"the model gave no valid turn in {MAX_INVALID_ANSWERS + 1} answers (the last: {problem})")

    def messages(self) -> list[Message]:
        """The request's messages: the instructions, then the dialogue, one message per side's run of lines
        (chat templates of local models want the roles to alternate)."""
        messages: list[Message] = [{"role": "system", "content": persona_prompt(self.persona, self.goal)}]
        for side, text in self.dialogue:
            role = "user" if side == "assistant" else "assistant"
            if messages[-1]["role"] == role:
                messages[-1] = {"role": role, "content": messages[-1]["content"] + "\n" + text}
            else:
                messages.append({"role": role, "content": text})
        if messages[-1]["role"] != "user":
            messages.append({"role": "user", "content": "(the assistant says nothing; it is your turn)"})
        return messages


class _DialogueLine:
    """The caller's line, noting what the caller says and presses in its dialogue (as the turns the model
    would have given, so scripted opening lines read like the model's own); having acted, it is no
    longer the caller's turn."""

    def __init__(self, line: Line, caller: PersonaCaller) -> None:
        self._line, self._caller = line, caller

    def _note(self, turn: dict[str, str]) -> None:
        self._caller.dialogue.append(("caller", json.dumps(turn, ensure_ascii=False)))
        self._caller._my_turn = False

    @property
    def now_ms(self) -> int:
        return self._line.now_ms

    @property
    def live(self) -> bool:
        return self._line.live

    @property
    def assistant_speaking(self) -> bool:
        return self._line.assistant_speaking

    def after(self, delay_ms: int, fn: Callable[[], None]) -> Timer:
        return self._line.after(delay_ms, fn)

    def say(self, text: str, *, confidence: float | None = None) -> int:
        self._note({"say": text})
        return self._line.say(text, confidence=confidence)

    def press(self, digits: str) -> None:
        self._note({"digits": digits})
        self._line.press(digits)

    def hang_up(self) -> None:
        self._line.hang_up()
