"""`aployee-sim run [PATH...]`: run YAML scenarios and report, with JUnit/JSON/export/store outputs.

Every file is validated first; if any is invalid, all their errors are printed and nothing
runs (exit 2). Otherwise each scenario runs on its own simulator (progress on stderr), failed
expectations are printed as expected vs actual, then a summary table. Exit 0 when all pass,
1 when one fails.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from aployee_sim.cli import UsageError
from aployee_sim.commands.arguments import integer_in, output_folder, seed_number, writable_file
from aployee_sim.terminal_text import printable

if TYPE_CHECKING:
    from aployee_sim.scenario.loader import LoadedScenario
    from aployee_sim.scenario.report import ScenarioResult
    from aployee_sim.scenario.runner import ScenarioRun

DEFAULT_PATH = "scenarios/"
DEFAULT_JOBS = 16  # scenarios at once: a real backend's answers (0.3-3 s each) overlap instead of adding up
T = TypeVar("T")


def scenario_paths(args: argparse.Namespace) -> list[str]:
    """The PATHs given, the bundled example library for `--examples`, else `scenarios/`."""
    if not args.examples:
        return args.paths or [DEFAULT_PATH]
    if args.paths:
        raise UsageError("--examples runs the bundled example library; give either --examples or PATHs")
    from aployee_sim.resources import examples
    return [str(examples())]


def add_examples_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--examples", action="store_true",
                        help="use the example scenario library that ships with aployee-sim")


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def emit(report: str, stream: TextIO) -> None:
    """A report, in colour on a terminal (aployee_sim.scenario.report.styled), plain otherwise;
    its control characters made visible either way (aployee_sim.terminal_text)."""
    report = printable(report)
    if colour_wanted(stream):
        from rich.console import Console

        from aployee_sim.scenario.report import styled
        Console(file=stream, force_terminal=True, highlight=False, soft_wrap=True).print(styled(report), end="")
        stream.write("\n")
    else:
        stream.write(report + "\n")


class Progress:
    """Finished scenarios counted, always on stderr: a live bar on a terminal, redrawn as each one
    finishes (in whatever order), plain lines otherwise (CI logs), written in scenario order so a
    log reads the same whatever `--jobs` is."""

    WIDTH = 20

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream, self.reported = total, stream, 0
        self.live = stream.isatty()

    def update(self, finished: int, running: int) -> None:
        if self.live and finished < self.total:
            filled = self.WIDTH * finished // max(1, self.total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\r\x1b[K[{bar}] {finished}/{self.total} finished, {running} running")
            self.stream.flush()

    def finish(self, name: str, outcome: str) -> None:
        self.reported += 1
        if not self.live:
            self.stream.write(f"[{self.reported}/{self.total}] {printable(name, multiline=False)}: {outcome}\n")
        elif self.reported == self.total:
            self.stream.write("\r\x1b[K")
        self.stream.flush()


def load_all(paths: list[str], pattern: str) -> tuple[list[LoadedScenario], list[ScenarioResult]]:
    """(loaded scenarios, invalid results) for every scenario file under `paths`."""
    from aployee_sim.scenario.errors import ScenarioInvalid
    from aployee_sim.scenario.loader import discover, load_scenario, scenario_stem
    from aployee_sim.scenario.report import ScenarioResult

    files, missing = discover(paths, pattern)
    if missing == [DEFAULT_PATH]:
        raise UsageError(f"no {DEFAULT_PATH} folder here: give scenario PATHs, or --examples for the bundled library")
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if not files:
        raise UsageError(f"no scenario files ({pattern}) under {', '.join(paths)}")
    loaded: list[LoadedScenario] = []
    invalid: list[ScenarioResult] = []
    for path in files:
        try:
            loaded.append(load_scenario(path))
        except ScenarioInvalid as exc:
            invalid.append(ScenarioResult(scenario_stem(path), str(path), False, errors=[str(e) for e in exc.errors]))
    return loaded, invalid


def _selected(items: list[T], keyword: str | None, haystack: Callable[[T], str]) -> list[T]:
    if keyword is None:
        return items
    from aployee_sim.scenario.selection import KeywordError, matches
    try:
        return [item for item in items if matches(keyword, haystack(item))]
    except KeywordError as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from aployee_sim.scenario.export import export_run, write_junit, write_results_json
    from aployee_sim.scenario.report import format_result, format_table
    from aployee_sim.scenario.suite import run_suite

    loaded, invalid = load_all(scenario_paths(args), args.glob)
    loaded = _selected(loaded, args.k, lambda s: " ".join([s.name, s.display, *s.model.markers]))
    invalid = _selected(invalid, args.k, lambda r: f"{r.name} {r.file}")
    if invalid:
        for result in invalid:
            emit(format_result(result), sys.stderr)
        count = len(invalid)
        print(f"aployee-sim: {count} invalid scenario file{'s' if count != 1 else ''}; nothing was run",
              file=sys.stderr)
        return 2
    if not loaded:
        raise UsageError(f"no scenario matches -k {args.k!r}")
    sink = StoreSink(args.db) if args.db else None
    progress = Progress(len(loaded), sys.stderr)
    progress.update(0, min(args.jobs, len(loaded)))
    results: list[ScenarioResult] = []
    used: set[str] = set()
    for done in run_suite(loaded, args.seed, jobs=args.jobs, record=args.record, on_finished=progress.update):
        result = done.result
        results.append(result)
        progress.finish(done.scenario.name, result.outcome)
        if result.skipped:  # the rest still runs
            emit(f"{done.scenario.display}: skipped: {result.skipped}", sys.stderr)
        if done.run is None:
            continue
        if sink is not None:
            sink.save(done.run, result)
        if args.export:
            export_run(done.run, Path(args.export), used)
    for result in results:
        if not result.passed:
            emit(format_result(result) + "\n", sys.stderr if result.errors else sys.stdout)
    for warning in (w for r in results for w in r.warnings):
        emit(warning, sys.stderr)
    print(format_table(results))
    if args.json:
        write_results_json(results, Path(args.json))
    if args.junit:
        write_junit(results, Path(args.junit))
    if any(r.errors for r in results):
        return 2
    return 0 if all(r.passed for r in results) else 1


class StoreSink:
    """`--db FILE`: each scenario's calls go to the store under a run record holding its result.

    Run ids come from the scenario name and seed (`run_renewal7`); a store that already has that
    run gets `run_renewal7_2`, and so on: runs are appended, never replaced. Calls are keyed by
    run, so a same-seed run's calls keep their deterministic ids without touching earlier ones."""

    def __init__(self, path: str) -> None:
        from aployee_sim.adapters.store import Store, StoreError
        try:
            self.store = Store(path)
        except (StoreError, OSError) as exc:
            raise UsageError(f"--db {path}: {exc}") from None

    def save(self, run: ScenarioRun, result: ScenarioResult) -> None:
        """The finished run's calls, assistants and world, then its run record, in one go each
        (so the store holds the same with any `--jobs`: the runs are saved in scenario order)."""
        from aployee_sim.adapters.store import StoreWriter
        from aployee_sim.scenario.runner import epoch
        scenario = run.loaded
        slug = re.sub(r"[^a-z0-9]+", "", scenario.name.lower())[:24] or "scenario"
        run_id = self.store.new_run_id(f"run_{slug}{run.seed}")
        StoreWriter(self.store, run_id=run_id, batch=True).attach(run.sim).detach()
        self.store.save_run(run_id, name=scenario.name, started=epoch(scenario.model).isoformat(),
                            passed=result.passed, result=result.as_dict(), seed=run.seed)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run YAML scenarios (default: scenarios/) and report",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders (default scenarios/)")
    add_examples_option(parser)
    parser.add_argument("--seed", type=seed_number, help="override every scenario's seed")
    parser.add_argument("-k", metavar="EXPR", help="only scenarios whose name, file or markers match, "
                                                   "e.g. -k 'transfer and not warm'")
    parser.add_argument("--glob", default="*.scenario.yaml", help="file pattern searched in folders "
                                                                 "(default *.scenario.yaml)")
    parser.add_argument("--junit", metavar="FILE", type=writable_file, help="write JUnit XML results")
    parser.add_argument("--json", metavar="FILE", type=writable_file, help="write JSON results")
    parser.add_argument("--export", metavar="DIR", type=output_folder, help="write every call's details, timeline and webhook "
                                                        "exchanges as JSON files")
    parser.add_argument("--db", metavar="FILE", type=writable_file, help="also store the calls and results in this SQLite file "
                                                     "(browse them with `aployee-sim tui`)")
    parser.add_argument("--jobs", "-j", type=integer_in(1, 1024, "a number of scenarios"), default=DEFAULT_JOBS,
                        metavar="N", help=f"scenarios run at once, each on its own simulator (default {DEFAULT_JOBS}: "
                                          "a real backend's answers overlap); 1 runs them one after another. "
                                          "Outputs are the same either way")
    parser.add_argument("--record", choices=("new", "none", "all"), default=None,
                        help="language-model answers of persona callers and judges (docs/personas.md): new "
                             "replays the cassette and records what it lacks, none only replays (a request not "
                             "in it fails), all records again; default none when $CI is set, else new")
    parser.set_defaults(run=run)
