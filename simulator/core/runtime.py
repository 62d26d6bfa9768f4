"""What every call process shares: the engine, the timings and the ports (each call has its own
random stream, `CallProcess.rng`).

One `Runtime` per platform (rebuilt on reset); each `CallProcess` and its parts read it and never
keep a copy of anything in it, so a reset platform replays exactly like a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aployee_sim.contract.models import Assistant
from aployee_sim.core.engine import Engine
from aployee_sim.core.ports import Carrier, TransferParty
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.reasoning import ReasoningBackend
from aployee_sim.core.record import CallRecord
from aployee_sim.core.timings import Timings


@dataclass(slots=True)
class Runtime:
    engine: Engine
    timings: Timings
    carrier: Carrier
    reasoning: ReasoningBackend
    transfer_phrases: tuple[str, ...]  # what a caller says to ask for a person (lower case)
    transfer_party: TransferParty | None = None
    on_ended: Callable[[CallRecord], None] | None = None


class PartHost(Protocol):
    """What every part of a call process (reasoning, transfer) reads from the process: the shared
    runtime, the call's own random stream, its record and the assistant now on the call (it changes
    on an IVR hand-over)."""

    @property
    def rt(self) -> Runtime: ...
    @property
    def rng(self) -> SeededRandom: ...
    @property
    def record(self) -> CallRecord: ...
    @property
    def assistant(self) -> Assistant: ...
