"""The party a transfer reaches: accepts by default, or declines / never answers as scripted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from simulator.ports import TransferAnswer
from simulator.randomness import SeededRandom
from simulator.timings import Timings

Behaviour = Literal["accept", "decline", "no_answer"]


@dataclass
class FakeTransferParty:
    """Answers transfers after the normal ring time; `behaviour` scripts particular targets.

    Every hand-off it receives is kept in `received` (target and warm context), so a test can
    check what the human agent was told.
    """

    timings: Timings = field(default_factory=Timings)
    behaviour: dict[str, Behaviour] = field(default_factory=dict)
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def answer(self, target: str, context: dict[str, Any], rng: SeededRandom) -> TransferAnswer:
        self.received.append((target, context))
        result = self.behaviour.get(target, "accept")
        ring = 0 if result == "no_answer" else rng.jitter_ms(*self.timings.transfer_ring_ms)
        return TransferAnswer(result, ring)
