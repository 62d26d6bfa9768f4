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

import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

import hypothesis
from hypothesis import HealthCheck, given
from hypothesis.database import ExampleDatabase
from hypothesis.errors import Flaky

from aployee_sim.adapters.webhook_http import HttpWebhookTransport
from aployee_sim.core.reasoning import Delivery, PendingDelivery
from aployee_sim.explore.coverage import Coverage
from aployee_sim.explore.report import ExploreFailed, ExploreResult, Found, write_scenario
from aployee_sim.explore.target import Example, Target
from aployee_sim.explore.vocabulary import examples as example_strategy
from aployee_sim.scenario.expectations import Failure, evaluate
from aployee_sim.scenario.runner import run_scenario

__all__ = ["explore_scenario", "ExploreResult", "ExploreFailed"]


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


class _Shared:
    """One real-HTTP transport for every run of a session (a client costs ~40 ms to make, a call ~1 ms);
    without `close`, so a run's simulator leaves it open and the session closes it."""

    def __init__(self) -> None:
        self.http = HttpWebhookTransport()

    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery | PendingDelivery:
        return self.http(url, request, timeout_ms)


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


def explore_scenario(path: str | Path, *, examples: int | None = None, seed: int | None = 0,
                     out: str | Path | None = None, database: ExampleDatabase | None | Literal["profile"] = "profile",
                     settings: hypothesis.settings | None = None,
                     on_example: Callable[[int, bool], None] | None = None) -> ExploreResult:
    """Explore the scenario at `path` (raises `ScenarioInvalid` for a bad file).

    `examples`: how many generated calls (default: the profile's `max_examples`); `seed`: the
    Hypothesis seed (a seeded run never reads or writes the database, as in Hypothesis; None with no
    database: derandomized, so deterministic too); `out`: the folder the shrunk failure is written to
    (None: a temporary one, for the replay only); `database`: an `ExampleDatabase`, None for none, or "profile" for the profile's;
    `on_example(count, failing)` is told of each run call (a progress display).
    """
    target = Target.load(path)
    coverage = Coverage(target)
    base = settings or hypothesis.settings.default
    assert base is not None  # Hypothesis always has a default profile
    chosen_db: ExampleDatabase | None = base.database if isinstance(database, str) else database
    if isinstance(chosen_db, ExampleDatabase):
        digest = hashlib.sha256(str(target.loaded.path.resolve()).encode()).hexdigest()[:16].encode()
        chosen_db = _Keyed(chosen_db, digest + b".")
    chosen = hypothesis.settings(
        base, max_examples=examples if examples is not None else base.max_examples, deadline=None,
        database=chosen_db, report_multiple_bugs=False, print_blob=False,
        # (Hypothesis's CI profile derandomizes, which excludes a database: a database asked for
        # explicitly wins, so `--db` replays earlier failures on CI too)
        derandomize=chosen_db is None and (base.derandomize or seed is None),
        suppress_health_check=[*base.suppress_health_check, HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
        verbosity=hypothesis.Verbosity.quiet if on_example is not None else base.verbosity)
    count, first_failure_at = 0, None
    transport = _Shared()

    def one_call(example: Example) -> None:
        nonlocal count, first_failure_at
        run = run_scenario(target.variant(example), webhook_transport=transport)
        failures = evaluate(run)
        coverage.add(run)
        count += 1
        if failures and first_failure_at is None:
            first_failure_at = count
        if on_example is not None:
            on_example(count, bool(failures))
        if failures:
            raise _violation(failures[0].key)(example, failures)

    test = given(example_strategy(target))(one_call)
    test = chosen(test)
    if seed is not None:
        test = hypothesis.seed(seed)(test)
    started = time.perf_counter()
    found: Found | None = None
    try:
        # The world as the platform sees it, once before Hypothesis: an assistant the platform
        # refuses is the file's mistake (ScenarioInvalid), not a failure to shrink.
        run_scenario(target.variant(Example([])), webhook_transport=transport)
        test()
    except Violation as violation:
        found = Found(violation.example, violation.failures)
    except Flaky as exc:
        found = Found(None, [], flaky=str(exc).splitlines()[0])
    finally:
        transport.http.close()
    elapsed = time.perf_counter() - started
    result = ExploreResult(target, seed, count, elapsed, coverage, found, first_failure_at)
    if found is not None and found.example is not None:
        write_scenario(result, Path(out) if out is not None else None)
    return result
