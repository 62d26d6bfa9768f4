"""The explored scenario: its world, its template call, and each generated caller as a scenario.

A generated example becomes two things here. For running, a `LoadedScenario` whose only call is
the template call with the generated caller, carrier outcome and initial state, and whose
expectations are `explore.always` plus the built-in invariants; its marks point those
expectations back at their lines under `explore:`, so a failure reads like any scenario failure.
For writing out, the same call as a plain scenario document: the file's world exactly as written
(every top-level key but the calls, so sections added to the format later come along), and the
call with its caller and expectations, which `aployee-sim run` then judges the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aployee_sim.scenario.errors import Mark, Marks, ScenarioError, ScenarioInvalid
from aployee_sim.scenario.loader import LoadedScenario, load_scenario
from aployee_sim.scenario.schema import INVARIANTS, CarrierOutcome, Explore, Step
from aployee_sim.scenario.yamlread import read_scenario_document

_NOT_COPIED = ("name", "description", "markers", "calls", "explore")


def _refuse_persona_template(loaded: LoadedScenario) -> None:
    """A persona on the template call is an error rather than silently replaced: explore's callers are
    generated from `explore.vocabulary` so that a failure shrinks to the smallest caller and replays
    exactly, which a model's answers (hundreds of calls, none recorded) cannot do."""
    steps = loaded.model.calls[0].caller
    index = next((k for k, step in enumerate(steps) if step.persona is not None), None)
    if index is not None:
        where = loaded.marks.existing(("calls", 0, "caller", index))
        raise ScenarioInvalid([ScenarioError(loaded.marks.value(where), (
            "calls[0].caller: explore cannot use a persona caller as its template: it generates its own callers "
            "from `explore.vocabulary` and shrinks a failure to the smallest one, which a model's answers cannot "
            "be; put a call with a scripted caller (or none) first and run persona calls with `aployee-sim run`"))])


@dataclass(frozen=True)
class Example:
    """One generated caller: its steps (scenario format), the carrier's outcome, the initial state."""

    steps: list[Any]
    carrier: str = "answer"
    initial_state: dict[str, Any] | None = None


@dataclass
class Target:
    loaded: LoadedScenario
    raw: dict[str, Any]
    marks: Marks = field(init=False)

    @classmethod
    def load(cls, path: str | Path) -> Target:
        """The scenario at `path`, validated; `ScenarioInvalid` when it is invalid or has no `explore:`."""
        loaded = load_scenario(path)
        if loaded.model.explore is None:
            raise ScenarioInvalid([ScenarioError(Mark(loaded.display, 1, 1), "no `explore:` section: add one with "
                                                 "at least `vocabulary: {phrases: [...]}` (docs/explore.md)")])
        _refuse_persona_template(loaded)
        raw, _, _ = read_scenario_document(loaded.path, loaded.display)
        return cls(loaded, raw)

    def __post_init__(self) -> None:
        """Marks of the generated run: the world's as in the file; the call's expectations where
        `explore.always` is written, the built-in invariants at `explore:`, the rest at the template call."""
        source = self.loaded.marks
        marks = Marks({path: mark for path, mark in source.values.items() if path[:1] != ("calls",)},
                      {path: mark for path, mark in source.keys.items() if path[:1] != ("calls",)})
        marks.values[("calls", 0)] = source.value(("calls", 0))
        marks.values[("calls", 0, "expect")] = source.value(("explore",))
        marks.values[("calls", 0, "expect", "invariants")] = source.key(("explore",))
        for path, mark in source.values.items():
            if path[:2] == ("explore", "always"):
                marks.values[("calls", 0, "expect", *path[2:])] = mark
        self.marks = marks

    @property
    def explore(self) -> Explore:
        assert self.loaded.model.explore is not None  # checked by `load`
        return self.loaded.model.explore

    @property
    def invariants(self) -> list[str]:
        return [name for name in INVARIANTS if name not in self.explore.ignore]

    @property
    def number(self) -> str:
        return self.loaded.model.calls[0].to[0]

    @property
    def outbound(self) -> bool:
        return not self.loaded.model.calls[0].inbound

    def variant(self, example: Example) -> LoadedScenario:
        """The scenario that runs `example`: the world, and the template call with the generated caller."""
        model = self.loaded.model
        template = model.calls[0]
        expect = self.explore.always.model_copy(update={"invariants": self.invariants})
        call = template.model_copy(update={
            "name": "explored call", "to": [self.number], "at": 0, "every": 0, "expect": expect,
            "caller": [Step.model_validate(step) for step in example.steps],
            "initial_state": example.initial_state if self.outbound else None})
        update: dict[str, Any] = {"calls": [call]}
        if example.carrier != "answer":
            update["carrier"] = {**model.carrier, self.number: CarrierOutcome(result=example.carrier)}
        return LoadedScenario(self.loaded.path, self.loaded.display, model.model_copy(update=update), self.marks)

    def document(self, example: Example) -> dict[str, Any]:
        """`example` as a plain scenario document (what `aployee-sim explore` writes out)."""
        raw = self.raw
        world = {key: value for key, value in raw.items() if key not in _NOT_COPIED}
        if example.carrier != "answer":
            world["carrier"] = {**raw.get("carrier", {}), self.number: example.carrier}
        call = {key: value for key, value in raw["calls"][0].items()
                if key not in ("name", "to", "at", "every", "caller", "expect", "initial_state")}
        call["to"] = self.number
        if self.outbound and example.initial_state is not None:
            call["initial_state"] = example.initial_state
        call["caller"] = ["hangup" if step == {"hangup": True} else step for step in example.steps]
        call["expect"] = {**raw["explore"].get("always", {}), "invariants": self.invariants}
        name = f"{self.loaded.name} (explore failure)"
        return {"name": name, **world, "calls": [{"name": "explored call", **call}], "explore": raw["explore"]}
