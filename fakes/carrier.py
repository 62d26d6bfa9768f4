"""The fake phone network: ring times, busy lines, no answer, carrier errors, test numbers.

The test numbers of docs/contract.md §6 behave exactly as listed; every other valid number rings for
a drawn time and answers. Per-number outcomes can be forced (scenarios, `/_sim`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aployee_sim.core.ports import DialPlan, DialResult
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.timings import Timings
from aployee_sim.fakes.callers import AnsweringMachine, HangsUpAfterGreeting

CARRIER_ERROR = "+15005550001"
BUSY = "+15005550002"
NO_ANSWER = "+15005550003"
HANGS_UP = "+15005550004"
ANSWERING_MACHINE = "+15005550005"
ANSWERS_AT_ONCE = "+15005550006"

TEST_NUMBERS = (CARRIER_ERROR, BUSY, NO_ANSWER, HANGS_UP, ANSWERING_MACHINE, ANSWERS_AT_ONCE)


@dataclass(slots=True)
class ForcedOutcome:
    result: DialResult
    ring_ms: int | None = None


@dataclass
class FakeCarrier:
    timings: Timings = field(default_factory=Timings)
    forced: dict[str, ForcedOutcome] = field(default_factory=dict)
    # An inbound call rings at the platform this long before it answers.
    inbound_ring_ms: tuple[int, int] = (500, 1500)

    def force(self, number: str, result: DialResult, ring_ms: int | None = None) -> None:
        """Make every call to `number` end this way (overrides the test numbers too)."""
        self.forced[number] = ForcedOutcome(result, ring_ms)

    def arrive(self, to: str, from_: str, rng: SeededRandom, *, provisioned: bool) -> DialPlan:
        """Someone dials the platform's number `to`. An unprovisioned number is not in service:
        the network rejects the call before the platform sees it (result `error`)."""
        if not provisioned:
            return DialPlan("error")
        return DialPlan("answer", dial_ms=0, ring_ms=rng.jitter_ms(*self.inbound_ring_ms))

    def dial(self, to: str, from_: str | None, rng: SeededRandom) -> DialPlan:
        dial_ms = self.timings.dial_ms
        forced = self.forced.get(to)
        if forced is not None:
            ring = forced.ring_ms if forced.ring_ms is not None else rng.jitter_ms(*self.timings.ring_ms)
            return DialPlan(forced.result, dial_ms=dial_ms, ring_ms=ring)
        if to == CARRIER_ERROR:
            return DialPlan("error")
        if to == BUSY:
            return DialPlan("busy", dial_ms=dial_ms)
        if to == NO_ANSWER:
            return DialPlan("no_answer", dial_ms=dial_ms)
        if to == ANSWERS_AT_ONCE:
            return DialPlan("answer", dial_ms=0, ring_ms=0)
        ring = rng.jitter_ms(*self.timings.ring_ms)
        if to == HANGS_UP:
            return DialPlan("answer", dial_ms=dial_ms, ring_ms=ring, far_end=HangsUpAfterGreeting())
        if to == ANSWERING_MACHINE:
            return DialPlan("answer", dial_ms=dial_ms, ring_ms=ring, far_end=AnsweringMachine())
        return DialPlan("answer", dial_ms=dial_ms, ring_ms=ring)
