"""Running a suite: every scenario on its own simulator, `jobs` at once, results in scenario order.

Each scenario gets a fresh simulator (its own engine, clock, random source and world), so one
scenario's record never depends on another's or on how many run beside it. All of them share one
outside loop and one HTTP connection pool (`HttpClient`), and `Workers` threads give the overlap:
a simulator waiting for a real webhook answer blocks only its own thread. The results come back
in scenario order whatever order they finish in, so the report, JUnit, JSON, exports and store
written from them are the same as with `jobs=1` (one after another, for debugging).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from aployee_sim.adapters.webhook_http import HttpClient
from aployee_sim.scenario.audio import voice_skip_reason
from aployee_sim.scenario.errors import ScenarioInvalid
from aployee_sim.scenario.loader import LoadedScenario
from aployee_sim.scenario.report import ScenarioResult, result_of
from aployee_sim.scenario.runner import ScenarioRun, run_scenario
from aployee_sim.scenario.workers import in_order


@dataclass(frozen=True)
class Finished:
    """One scenario's outcome: its run (None when it was skipped or found invalid) and its result."""

    scenario: LoadedScenario
    run: ScenarioRun | None
    result: ScenarioResult


def run_suite(scenarios: Sequence[LoadedScenario], seed: int | None = None, *, jobs: int,
              record: str | None = None, on_finished: Callable[[int, int], None] | None = None) -> Iterator[Finished]:
    """Each scenario run and judged, `jobs` at a time, yielded in the order given.

    `seed` overrides every scenario's own; `record` is the cassettes' record mode (`run_scenario`);
    `on_finished(finished, running)` hears of progress."""
    http = HttpClient()
    try:
        yield from in_order(lambda scenario: _one(scenario, seed, record, http), scenarios,
                            min(jobs, max(1, len(scenarios))), on_finished)
    finally:
        http.close()


def _one(scenario: LoadedScenario, seed: int | None, record: str | None, http: HttpClient) -> Finished:
    reason = voice_skip_reason(scenario.model)
    if reason is not None:
        return Finished(scenario, None, ScenarioResult(scenario.name, scenario.display, True, skipped=reason))
    try:
        run = run_scenario(scenario, seed, http=http, record=record)
    except ScenarioInvalid as exc:
        return Finished(scenario, None, ScenarioResult(scenario.name, scenario.display, False,
                                                       errors=[str(e) for e in exc.errors]))
    return Finished(scenario, run, result_of(run))
