"""The small interfaces between the core and the outside world (fakes live in `fakes/`).

The core calls these; it never imports an implementation. Composition modules wire in the
fake carrier, callers and transfer party, or a test's own objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from aployee_sim.contract.events import Event
from aployee_sim.contract.models import Assistant
from aployee_sim.core.engine import Timer
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.reasoning import ReasoningBackend

DialResult = Literal["answer", "busy", "no_answer", "error"]


@dataclass(slots=True)
class DialPlan:
    """What the network does with a dialled number: the outcome and how long each phase takes.

    `far_end` replaces the call's caller when the number itself decides who answers
    (an answering machine, a callee that hangs up at once).
    """

    result: DialResult
    dial_ms: int = 0
    ring_ms: int = 0
    far_end: Caller | None = None


class Carrier(Protocol):
    def dial(self, to: str, from_: str | None, rng: SeededRandom) -> DialPlan: ...

    def arrive(self, to: str, from_: str, rng: SeededRandom, *, provisioned: bool) -> DialPlan:
        """An inbound call reaching the platform's number `to`: result `error` when the network
        cannot deliver it (an unprovisioned number), else how long until the platform answers."""
        ...


@dataclass(slots=True)
class TransferAnswer:
    """How the receiving party of a transfer answers, and after how long."""

    result: Literal["accept", "decline", "no_answer"]
    ring_ms: int = 0


class TransferParty(Protocol):
    def answer(self, target: str, context: dict[str, Any], rng: SeededRandom) -> TransferAnswer: ...


class OnTheCall(Protocol):
    """What every side acting on a call sees: the time, whether the call is live, and a timer."""

    @property
    def now_ms(self) -> int: ...
    @property
    def live(self) -> bool: ...
    def after(self, delay_ms: int, fn: Callable[[], None]) -> Timer: ...


class Line(OnTheCall, Protocol):
    """What the far end of a call can do: the core's side of the phone line.

    The far end's three verbs are `say`, `press` and `hang_up` everywhere: here, in the scripted
    caller's steps, the test helpers (`aployee_sim.testing`) and the `/_sim/calls/{id}/...` routes."""

    @property
    def assistant_speaking(self) -> bool: ...
    def say(self, text: str, *, confidence: float | None = None) -> int: ...
    def press(self, digits: str) -> None: ...
    def hang_up(self) -> None: ...


class Caller(Protocol):
    """The far end of a call: a scripted caller, a person typing, a microphone, a machine.

    The core tells it what happens; it acts through the `Line` it was given.
    """

    def connected(self, line: Line) -> None: ...
    def assistant_started(self, text: str, duration_ms: int) -> None: ...
    def your_turn(self) -> None: ...
    def ended(self, reason: str) -> None: ...


class HeldCall(OnTheCall, Protocol):
    """What the front desk may do with the inbound call it holds (a `CallProcess` offers this)."""

    @property
    def caller_speaking(self) -> bool: ...
    def announce(self, text: str, done: Callable[[], None], menu: str | None, attempt: int) -> int:
        """The platform's own voice (the prompt of `menu`, its `attempt`-th time); `done()` runs
        once it has been said."""
    def interrupt(self) -> None:
        """Cut the platform's prompt short (the caller pressed a key)."""
    def caller_turn(self) -> None:
        """Tell the caller it is their turn to choose."""
    def log(self, event: Event) -> None:
        """Append an internal event to the call's log (timed `now_ms`)."""
    def hand_over(self, assistant: Assistant, brain: ReasoningBackend) -> None:
        """The desk is done: this assistant takes the call and greets the caller."""
    def forward(self, target: str, fallback: Callable[[], None]) -> None:
        """A cold transfer to `target`; `fallback()` when it is not answered."""
    def end(self, status: str, reason: str) -> None: ...


class FrontDesk(Protocol):
    """Holds an inbound call before an assistant does: IVR menus, forwards (`platform.inbound`).

    While a call has a front desk, what the caller says and presses goes to it instead of to the
    reasoning agent; it finishes with `HeldCall.hand_over` or `HeldCall.forward`."""

    def connected(self, call: HeldCall) -> None: ...
    def heard(self, text: str) -> None: ...
    def pressed(self, keys: str) -> None: ...
    def stop(self) -> None:
        """The call ended while the desk held it."""
