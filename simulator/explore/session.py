"""One exploration: Hypothesis draws callers, the scenario runner runs each, a failure is shrunk and written.

Each example runs through `run_scenario` and `evaluate`, exactly as `aployee-sim run` judges a
file, with `explore.always` plus the built-in invariants as the call's expectations. A failing
example raises; Hypothesis then shrinks it (one exception type per broken expectation, so a
shrink never trades one bug for another) and replays the smallest. That one is written out as a
scenario, loaded back and run again with the ordinary runner: the report shows that run, so
what it shows is what `aployee-sim run` will show.

Settings: the active Hypothesis profile (`settings.default`, or `settings=`), with the number of
examples, the seed and the database given here winning; the deadline is off (a call's wall time
is the backend's) and so is the too-slow health check. The example database is wrapped so each
scenario file has its own keys.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import random
import time
import unittest
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal

import hypothesis
from hypothesis import HealthCheck, Phase, given
from hypothesis.database import ExampleDatabase
from hypothesis.errors import Flaky, HypothesisWarning

from aployee_sim.adapters.webhook_http import HttpClient
from aployee_sim.explore.coverage import Coverage
from aployee_sim.explore.report import ExploreFailed, ExploreResult, Found, write_scenario
from aployee_sim.explore.target import Example, Target
from aployee_sim.explore.vocabulary import examples as example_strategy
from aployee_sim.scenario.expectations import Failure, evaluate
from aployee_sim.scenario.runner import ScenarioRun, run_scenario
from aployee_sim.scenario.workers import Workers

__all__ = ["explore_scenario", "ExploreResult", "ExploreFailed", "DEFAULT_CONCURRENCY"]


class Violation(Exception):
    """A generated call broke an expectation; carries the example and what broke."""

    def __init__(self, example: Example, failures: list[Failure]) -> None:
        super().__init__(f"{failures[0].key}: {failures[0].actual}")
        self.example = example
        self.failures = failures


_KINDS: dict[str, type[Violation]] = {}


def _violation(key: str) -> type[Violation]:
    """One exception type per broken expectation key: Hypothesis shrinks each as its own bug."""
    if key not in _KINDS:
        _KINDS[key] = type(f"Broken[{key}]", (Violation,), {})
    return _KINDS[key]


class _Keyed(ExampleDatabase):
    """A database whose keys are prefixed with the scenario's: every file replays only its own failures."""

    def __init__(self, inner: ExampleDatabase, prefix: bytes) -> None:
        super().__init__()
        self.inner, self.prefix = inner, prefix

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.move(self.prefix + src, self.prefix + dest, value)


DEFAULT_CONCURRENCY = 32  # generated calls in flight at once: a real backend's answers overlap


class _Enough(BaseException):
    """Ends the generating run once the pipeline has its first failure (not an Exception, so
    Hypothesis does not take it for a failing example to shrink)."""


@dataclass
class _Known:
    """What the pipelined search learnt: the examples it judged, in order, and the first that failed."""

    judged: list[int] = field(default_factory=list)  # hash(repr(example)) of each, in generation order
    failure: Violation | None = None


class _Exploration:
    """The one test function Hypothesis runs (so its database key is the same in every phase), in
    one of three modes: `real` runs and judges each example at once; `pipelined` hands it to the
    workers and judges the results in generation order, `concurrency` in flight; `resume` replays
    the generation the pipeline saw, returning at once for the examples known to pass and raising
    the known failure, then runs for real what shrinking asks for."""

    def __init__(self, target: Target, coverage: Coverage, http: HttpClient, concurrency: int,
                 on_example: Callable[[int, bool], None] | None) -> None:
        self.target, self.coverage, self.http = target, coverage, http
        self.on_example = on_example
        self.concurrency = concurrency
        self.workers: Workers[tuple[Example, ScenarioRun, list[Failure]]] | None = None
        self.window: deque[concurrent.futures.Future[tuple[Example, ScenarioRun, list[Failure]]]] = deque()
        self.mode: Literal["real", "pipelined", "resume"] = "real"
        self.known = _Known()
        self.calls = 0  # test-function calls in this mode (resume: which generated example this is)
        self.count = 0
        self.first_failure_at: int | None = None

    def __call__(self, example: Example) -> None:
        self.calls += 1
        if self.mode == "pipelined":
            self._submit(example)
            return
        if self.mode == "resume":
            index = self.calls - 1
            failure = self.known.failure
            if index < len(self.known.judged) and self.known.judged[index] == hash(repr(example)):
                if failure is not None and index == len(self.known.judged) - 1:
                    raise failure
                return
            self.mode = "real"  # shrinking (or a generation that went another way): run it for real
        self._judged(*self._run(example))

    def _run(self, example: Example) -> tuple[Example, ScenarioRun, list[Failure]]:
        run = run_scenario(self.target.variant(example), http=self.http)
        return example, run, evaluate(run)

    def _judged(self, example: Example, run: ScenarioRun, failures: list[Failure]) -> None:
        """Count and cover one finished call, in generation order; raise its violation if it broke."""
        self.coverage.add(run)
        self.count += 1
        if failures and self.first_failure_at is None:
            self.first_failure_at = self.count
        if self.on_example is not None:
            self.on_example(self.count, bool(failures))
        if failures:
            raise _violation(failures[0].key)(example, failures)

    def _submit(self, example: Example) -> None:
        if self.workers is None:
            self.workers = Workers(self.concurrency, name="aployee-sim-explore")
        self.known.judged.append(hash(repr(example)))
        self.window.append(self.workers.submit(partial(self._run, example)))
        while len(self.window) >= self.concurrency or (self.window and self.window[0].done()):
            self._next()

    def _next(self) -> None:
        """Judge the oldest call in flight; at a failure, forget the rest and stop generating."""
        index = len(self.known.judged) - len(self.window)  # the oldest's place in the generation
        try:
            self._judged(*self.window.popleft().result())
        except Violation as violation:
            del self.known.judged[index + 1:]  # generated after the failing one: never judged
            self.known.failure = violation
            self.window.clear()
            raise _Enough from None

    def drain(self) -> None:
        """Judge what is still in flight once generating ended without a failure."""
        try:
            while self.window:
                self._next()
        except _Enough:
            pass

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()


def explore_scenario(path: str | Path, *, examples: int | None = None, seed: int | None = 0,
                     out: str | Path | None = None, database: ExampleDatabase | None | Literal["profile"] = "profile",
                     settings: hypothesis.settings | None = None,
                     on_example: Callable[[int, bool], None] | None = None,
                     concurrency: int = DEFAULT_CONCURRENCY) -> ExploreResult:
    """Explore the scenario at `path` (raises `ScenarioInvalid` for a bad file).

    `examples`: how many generated calls (default: the profile's `max_examples`); `seed`: the
    Hypothesis seed (None with no database: derandomized, so deterministic too); `out`: the folder
    the shrunk failure is written to (None: a temporary one, for the replay only); `database`: an
    `ExampleDatabase`, None for none, or "profile" for the profile's; `on_example(count, failing)`
    is told of each judged call (a progress display); `concurrency`: generated calls in flight at
    once (1: one after another). The report does not depend on `concurrency` or on wall time.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= 1024:
        raise ValueError(f"concurrency must be an integer from 1 to 1024, got {concurrency!r}")
    target = Target.load(path)
    coverage = Coverage(target)
    base = settings or hypothesis.settings.default
    assert base is not None  # Hypothesis always has a default profile
    chosen_db: ExampleDatabase | None = base.database if isinstance(database, str) else database
    if isinstance(chosen_db, ExampleDatabase):
        digest = hashlib.sha256(str(target.loaded.path.resolve()).encode()).hexdigest()[:16].encode()
        chosen_db = _Keyed(chosen_db, digest + b".")
    derandomize = chosen_db is None and (base.derandomize or seed is None)
    chosen = hypothesis.settings(
        base, max_examples=examples if examples is not None else base.max_examples, deadline=None,
        database=chosen_db, report_multiple_bugs=False, print_blob=False,
        # (Hypothesis's CI profile derandomizes, which excludes a database: a database asked for
        # explicitly wins, so `--db` replays earlier failures on CI too)
        derandomize=derandomize,
        suppress_health_check=[*base.suppress_health_check, HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
        verbosity=hypothesis.Verbosity.quiet if on_example is not None else base.verbosity)
    # The generating and the resuming run must draw the same examples: one seed for both. A seed
    # of the user's turns the database off (as in Hypothesis); one drawn here for a run with a
    # database keeps it (given before settings).
    drawn = None if seed is not None or derandomize else random.SystemRandom().getrandbits(64)
    strategy = example_strategy(target)
    http = HttpClient()
    exploration = _Exploration(target, coverage, http, concurrency, on_example)

    def one_call(example: Example) -> None:  # one function: Hypothesis keys the database by it
        exploration(example)

    def phase(mode: Literal["real", "pipelined", "resume"], **overrides: Any) -> None:
        exploration.mode, exploration.calls = mode, 0
        test = given(strategy)(one_call)
        if drawn is not None:
            test = hypothesis.seed(drawn)(test)
        test = hypothesis.settings(chosen, **overrides)(test)
        if seed is not None:
            test = hypothesis.seed(seed)(test)
        with warnings.catch_warnings():
            # Under the CLI's GC policy (process_policy) the module object that holds Hypothesis's
            # own Random is frozen, so its check for an unreferenced PRNG sees no referrer and
            # warns (an error under -W error: no example ran). The Random is referenced; no warning.
            warnings.filterwarnings("ignore", message="It looks like `register_random` was passed",
                                    category=HypothesisWarning)
            test()

    started = time.perf_counter()
    found: Found | None = None
    try:
        # The world as the platform sees it, once before Hypothesis: an assistant the platform
        # refuses is the file's mistake (ScenarioInvalid), not a failure to shrink.
        run_scenario(target.variant(Example([])), http=http)
        found = _search(phase, exploration, chosen if seed is None else hypothesis.settings(chosen, database=None),
                        concurrency)
    finally:
        exploration.close()
        http.close()
    elapsed = time.perf_counter() - started
    result = ExploreResult(target, seed, exploration.count, elapsed, coverage, found, exploration.first_failure_at)
    if found is not None and found.example is not None:
        write_scenario(result, Path(out) if out is not None else None)
    return result


def _search(phase: Callable[..., None], exploration: _Exploration, chosen: hypothesis.settings,
            concurrency: int) -> Found | None:
    """Hypothesis's run, one call at a time; or, with `concurrency` > 1, the database's failures
    replayed first (as Hypothesis would), then the generated calls judged `concurrency` at a time,
    and a failure shrunk by a run that resumes where the pipeline found it: the same failure, the
    same shrinking, so the same report as one at a time."""
    phases = tuple(chosen.phases)
    try:
        if concurrency == 1:
            phase("real")
            return None
        if chosen.database is not None and Phase.reuse in phases:
            try:
                phase("real", phases=tuple(p for p in phases if p != Phase.generate))
            except unittest.SkipTest:
                pass  # nothing saved for this file yet
        if Phase.generate not in phases:
            return None
        try:
            phase("pipelined", database=None, phases=(Phase.generate,))
        except _Enough:
            pass
        exploration.drain()
        if exploration.known.failure is None:
            return None
        phase("resume", phases=tuple(p for p in phases if p != Phase.reuse))
    except Violation as violation:
        return Found(violation.example, violation.failures)
    except Flaky as exc:
        return Found(None, [], flaky=str(exc).splitlines()[0])
    return None
