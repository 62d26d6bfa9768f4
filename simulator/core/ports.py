"""The small interfaces between the core and the outside world (fakes live in `fakes/`).

The core calls these; it never imports an implementation. Composition modules wire in the
fake carrier, callers and transfer party, or a test's own objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from aployee_sim.core.randomness import SeededRandom

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


class Line(Protocol):
    """What the far end of a call can do: the core's side of the phone line."""

    @property
    def now_ms(self) -> int: ...
    @property
    def assistant_speaking(self) -> bool: ...
    @property
    def live(self) -> bool: ...
    def say(self, text: str, *, confidence: float | None = None) -> int: ...
    def press(self, digits: str) -> None: ...
    def hang_up(self) -> None: ...
    def after(self, delay_ms: int, fn: Any) -> Any: ...


class Caller(Protocol):
    """The far end of a call: a scripted caller, a person typing, a microphone, a machine.

    The core tells it what happens; it acts through the `Line` it was given.
    """

    def connected(self, line: Line) -> None: ...
    def assistant_started(self, text: str, duration_ms: int) -> None: ...
    def your_turn(self) -> None: ...
    def ended(self, reason: str) -> None: ...
