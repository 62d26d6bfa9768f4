"""The party a transfer reaches: accepts by default, or declines / never answers as scripted.

docs/contract.md §5: unless configured otherwise the receiving party answers after the normal ring time
and accepts. A script per target is one outcome, or a list played in order (one per transfer to
that target; the last repeats), so "declines first, then accepts" is one line:

    sim.transfer_party.script("+15550001111", ["decline", "accept"], ring_ms=1000)

A declined or unanswered transfer returns the caller to the assistant (aployee_sim.core.transfers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from aployee_sim.core.ports import TransferAnswer
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.timings import Timings

Behaviour = Literal["accept", "decline", "no_answer"]
BEHAVIOURS: tuple[str, ...] = get_args(Behaviour)


@dataclass
class FakeTransferParty:
    """Answers transfers; `behaviour` scripts particular targets, `default` all the others.

    Every hand-off it receives is kept in `received` (target and warm context, `{}` when cold),
    so a test can check what the human agent was told.
    """

    timings: Timings = field(default_factory=Timings)
    behaviour: dict[str, Behaviour | list[Behaviour]] = field(default_factory=dict)
    ring_ms: dict[str, int] = field(default_factory=dict)
    default: Behaviour = "accept"
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def script(self, target: str, behaviour: Behaviour | list[Behaviour], *, ring_ms: int | None = None) -> None:
        """Make transfers to `target` go this way (a list: one outcome per transfer, the last repeats)."""
        outcomes = behaviour if isinstance(behaviour, list) else [behaviour]
        for outcome in outcomes:
            if outcome not in BEHAVIOURS:
                raise ValueError(f"unknown transfer behaviour {outcome!r}; allowed: {', '.join(BEHAVIOURS)}")
        if not outcomes:
            raise ValueError("give at least one transfer behaviour")
        if ring_ms is not None and ring_ms < 0:
            raise ValueError(f"ring_ms must not be negative, got {ring_ms}")
        self.behaviour[target] = list(outcomes)
        if ring_ms is not None:
            self.ring_ms[target] = ring_ms

    def answer(self, target: str, context: dict[str, Any], rng: SeededRandom) -> TransferAnswer:
        self.received.append((target, context))
        scripted = self.behaviour.get(target, self.default)
        if isinstance(scripted, list):
            result = scripted.pop(0) if len(scripted) > 1 else scripted[0]
        else:
            result = scripted
        if result == "no_answer":
            return TransferAnswer(result, 0)
        ring = self.ring_ms.get(target)
        return TransferAnswer(result, ring if ring is not None else rng.jitter_ms(*self.timings.transfer_ring_ms))
