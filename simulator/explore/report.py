"""The outcome of an exploration: the shrunk failure written as a scenario, its replay, the coverage, the text.

The report holds only what the seeded exploration produced (no wall time: examples per second
is printed apart, on stderr), so the same seed gives the same report and the same written file.
The failure it shows comes from running the written file with the ordinary scenario runner, so
it reads exactly as `aployee-sim run` will show it, broken expectation at its line, transcript
included.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from aployee_sim.explore.target import Example, Target
from aployee_sim.scenario.expectations import Failure
from aployee_sim.scenario.loader import load_scenario, scenario_stem
from aployee_sim.scenario.report import ScenarioResult, format_result, result_of
from aployee_sim.scenario.runner import run_scenario

if TYPE_CHECKING:
    from aployee_sim.explore.coverage import Coverage


class ExploreFailed(AssertionError):
    """Raised by `ExploreResult.check()`: the message is the report."""


@dataclass
class Found:
    """The smallest failing example Hypothesis kept (None with `flaky`: it did not fail again)."""

    example: Example | None
    failures: list[Failure]
    flaky: str | None = None


@dataclass
class ExploreResult:
    target: Target
    seed: int | None
    calls: int
    elapsed_s: float
    coverage: Coverage
    found: Found | None
    first_failure_at: int | None = None  # which generated call failed first
    written: Path | None = None
    scenario_text: str | None = None
    replay: ScenarioResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.found is None

    @property
    def per_second(self) -> float:
        return self.calls / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def report(self) -> str:
        return format_report(self)

    def check(self) -> None:
        """Raise `ExploreFailed` (an AssertionError) with the report when a generated call failed."""
        if not self.passed:
            raise ExploreFailed(self.report)


class _Dumper(yaml.SafeDumper):
    """Plain block YAML: a value used twice is written twice, never as an anchor and alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(document: dict[str, Any], header: list[str]) -> str:
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    return "".join(f"# {line}\n" for line in header) + body


def broken_name(failure: Failure) -> str:
    """`backend_ok` for a built-in invariant, else the expectation's key (`expect.transcript.excludes.0`)."""
    if failure.key.startswith("expect.invariants."):
        return failure.expected.split(":", 1)[0]
    return failure.key


def write_scenario(result: ExploreResult, out: Path | None) -> None:
    """Write the shrunk failure as `OUT/<stem>.explore.scenario.yaml` (a temporary folder when `out`
    is None), then run that file with the ordinary runner and keep its result as the replay."""
    found, target = result.found, result.target
    assert found is not None and found.example is not None
    first = found.failures[0]
    header = [f"Written by `aployee-sim explore {target.loaded.display}" + (f" --seed {result.seed}`"
              if result.seed is not None else "`") + ": the smallest caller found that breaks",
              f"{broken_name(first)} ({first.expected.split(': ', 1)[-1]}).",
              "`aployee-sim run` on this file fails until the backend is fixed, then passes."]
    text = render(target.document(found.example), header)
    result.scenario_text = text
    name = f"{scenario_stem(target.loaded.path)}.explore.scenario.yaml"
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        result.written = out / name
        result.written.write_text(text, encoding="utf-8")
        result.replay = result_of(run_scenario(load_scenario(result.written)))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        replay = result_of(run_scenario(load_scenario(path, display=name)))
    result.replay = replay


def _steps(example: Example) -> list[str]:
    lines = []
    for step in example.steps:
        if step == {"hangup": True}:
            lines.append("hangup")
        else:
            lines.append(", ".join(f"{k}: {v}" for k, v in step.items()))
    if example.carrier != "answer":
        lines.insert(0, f"(the carrier answers {example.carrier})")
    return lines or ["(says nothing)"]


def format_report(result: ExploreResult) -> str:
    target = result.target
    seed = f", seed {result.seed}" if result.seed is not None else ""
    lines = [f"explore {target.loaded.display} ({target.loaded.name}{seed}): {result.calls} calls run"]
    found = result.found
    if found is None:
        lines.append("passed: every generated call kept the invariants "
                     f"({', '.join(target.invariants) or 'none'}) and the `always:` expectations")
    elif found.example is None:
        lines.append(f"FAILED, but the failure did not happen again when replayed (flaky): {found.flaky}")
    else:
        lines.append(f"FAILED: {broken_name(found.failures[0])} broke at call {result.first_failure_at}; "
                     f"the smallest caller found ({len(found.example.steps)} "
                     f"step{'s' if len(found.example.steps) != 1 else ''}):")
        lines += [f"  {line}" for line in _steps(found.example)]
        if result.written is not None:
            lines.append(f"written to {result.written}: `aployee-sim run {result.written}` reproduces it")
        replay = result.replay
        if replay is not None and not replay.passed:
            lines += ["", format_result(replay)]
        elif replay is not None:
            lines.append("note: the written scenario passed when run again; the backend may not be deterministic")
    lines += ["", f"coverage ({result.coverage.calls} calls):"]
    for section in result.coverage.sections:
        total, never = len(section.items), section.never
        reached = f"{total - len(never)} of {total}" if total else "none in the world"
        lines.append(f"  {section.title:<18} {reached}")
        if never:
            lines.append(f"    never: {', '.join(never)}")
    return "\n".join(lines)
