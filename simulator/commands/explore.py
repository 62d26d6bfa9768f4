"""`aployee-sim explore FILE`: generated callers against a scenario's world, shrunk failures written out.

The scenario's `explore:` section says what callers may say and press (docs/explore.md).
Hypothesis generates callers for its first call; each runs on the scenario runner (`--concurrency`
of them at once, judged in the order drawn, so the report is the same for any number) and must keep
the built-in invariants and the section's `always:` expectations. A failure is shrunk to the
smallest caller that still fails and written to `--out DIR` as an ordinary scenario that
`aployee-sim run` reproduces. The report (stdout) is the same for the same seed; progress and
the examples per second go to stderr. Exit codes: 0 no failure, 1 a failure found, 2 bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from aployee_sim.cli import UsageError
from aployee_sim.commands.arguments import integer_in
from aployee_sim.terminal_text import printable

DEFAULT_OUT = "explore-failures"
DEFAULT_DB = ".aployee-sim/explore-db"
DEFAULT_CONCURRENCY = 32  # as aployee_sim.explore.session's: importing it would load Hypothesis at start-up


class Counter:
    """A live count of the calls run on a terminal (redrawn at most every 0.1 s); silent otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.live = stream, stream.isatty()
        self.failing = False
        self._drawn = 0.0

    def __call__(self, count: int, failing: bool) -> None:
        self.failing = self.failing or failing
        now = time.monotonic()
        if self.live and now - self._drawn > 0.1:
            self._drawn = now
            doing = "shrinking a failure" if self.failing else "exploring"
            self.stream.write(f"\r\x1b[K[explore] {count} calls, {doing}")
            self.stream.flush()

    def clear(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def run(args: argparse.Namespace) -> int:
    try:
        from hypothesis.database import DirectoryBasedExampleDatabase

        from aployee_sim.explore.session import explore_scenario
    except ImportError as exc:
        raise UsageError(f"explore needs Hypothesis ({exc.name} is missing): pip install 'aployee-sim[test]'") \
            from None
    from aployee_sim.scenario.errors import ScenarioInvalid

    if not Path(args.file).is_file():
        raise UsageError(f"no such file: {args.file}")
    use_db = not args.no_db and (args.db is not None or not os.environ.get("CI"))
    database = DirectoryBasedExampleDatabase(args.db or DEFAULT_DB) if use_db else None
    counter = Counter(sys.stderr)
    try:
        result = explore_scenario(args.file, examples=args.examples, seed=args.seed, out=args.out,
                                  concurrency=args.concurrency,
                                  database=database, on_example=counter)
    except ScenarioInvalid as exc:
        counter.clear()
        print(printable(str(exc)), file=sys.stderr)
        return 2
    counter.clear()
    print(printable(result.report))
    print(f"[explore] {result.calls} calls in {result.elapsed_s:.2f}s ({result.per_second:.0f} examples/s)",
          file=sys.stderr)
    return 0 if result.passed else 1


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {value!r}") from None
    if not 1 <= number <= 1_000_000:
        raise argparse.ArgumentTypeError(f"expected 1 to 1000000, found {number}")
    return number


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("explore", help="generate callers for a scenario, shrink failures into "
                                                   "scenario files", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", metavar="FILE", help="a scenario file with an `explore:` section")
    parser.add_argument("--examples", type=_count, default=100, help="generated calls to try (default 100)")
    parser.add_argument("--seed", type=int, help="Hypothesis seed: same seed, same report (a seeded run skips the "
                                                 "database); without it, new callers each run, unless there is no "
                                                 "database (then a fixed sequence)")
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT,
                        help=f"where a shrunk failure is written (default {DEFAULT_OUT}/)")
    parser.add_argument("--db", metavar="DIR", help=f"Hypothesis example database, to replay earlier failures "
                                                    f"first (default {DEFAULT_DB}; off when $CI is set)")
    parser.add_argument("--concurrency", type=integer_in(1, 1024, "a number of calls"), default=DEFAULT_CONCURRENCY,
                        metavar="N", help=f"generated calls in flight at once, each on its own simulator (default "
                                          f"{DEFAULT_CONCURRENCY}); the report is the same for any N, 1 runs them "
                                          "one after another")
    parser.add_argument("--no-db", action="store_true", help="no example database (CI: runs depend on the seed only)")
    parser.set_defaults(run=run)
