"""pytest plugin: every `*.scenario.yaml` file pytest meets becomes a test item.

Registered as the `pytest11` entry point `aployee_sim_scenarios`, so it loads at every pytest
start-up: it imports nothing but pytest until a scenario file is actually collected. The
glob is the ini option `scenario_glob`: patterns separated by spaces and/or on several lines
(`scenario_glob = *.scenario.yaml *.flow.yaml`); a pattern that matched no file of a folder
pytest searched gets a warning, so a typo never makes scenario tests silently disappear. A scenario's `markers:` become
pytest markers, so `-m` works; `-k` matches the scenario name; items are independent (each
has its own simulator), so pytest-xdist can spread them. A failure reads exactly like
`aployee-sim run`'s. `--aployee-record new|none|all` is `aployee-sim run --record` for the
language-model answers of persona callers and judges (docs/personas.md), with the same default:
none when $CI is set, else new.
"""

from __future__ import annotations

import fnmatch
import warnings
from pathlib import Path
from typing import Any

import pytest

DEFAULT_GLOBS = ["*.scenario.yaml"]
# completions.RECORD_MODES, written out: importing it here would load pydantic at every pytest start-up
RECORD_MODES = ("new", "none", "all")
_MATCHED = pytest.StashKey[set[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    # No default: an unset option reads as [] in every supported pytest, which is how
    # `written_globs` tells patterns someone wrote down from ours (never `config.inicfg`, which
    # pytest 9 deprecates with a warning that `-W error` turns into an INTERNALERROR).
    parser.addini("scenario_glob", "file name patterns of YAML scenarios collected as tests (separated by "
                  "spaces or lines; default *.scenario.yaml)", type="linelist")
    parser.addini("aployee_unused_stubs", "a webhook stub that answers no request: warn (default) or error",
                  default="warn")
    parser.addoption("--aployee-record", choices=RECORD_MODES, default=None, dest="aployee_record",
                     help="cassette record mode of collected scenario files' persona callers and judges: new "
                          "replays and records what is missing, none only replays (a request not in the "
                          "cassette fails), all records again; default none when $CI is set, else new")


def written_globs(config: pytest.Config) -> list[str]:
    """The patterns of the configuration file or `-o scenario_glob=...`: its lines, each split at
    whitespace; none when nobody set the option."""
    return [pattern for line in config.getini("scenario_glob") for pattern in line.split()]


def scenario_globs(config: pytest.Config) -> list[str]:
    """The patterns collected: the written ones, else the default."""
    return written_globs(config) or DEFAULT_GLOBS


def pytest_collect_file(file_path: Any, parent: pytest.Collector) -> pytest.Collector | None:
    matching = [p for p in scenario_globs(parent.config) if fnmatch.fnmatch(file_path.name, p)]
    if matching:
        parent.config.stash.setdefault(_MATCHED, set()).update(matching)
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Warn about patterns that matched nothing, when pytest searched a folder (not given files)."""
    config = session.config
    if not written_globs(config):    # only patterns someone wrote down: the default stays quiet
        return
    if not any(Path(arg.split("::")[0]).is_dir() for arg in (config.args or ["."])):
        return
    matched = config.stash.get(_MATCHED, set())
    for pattern in scenario_globs(config):
        if pattern not in matched:
            warnings.warn(pytest.PytestConfigWarning(
                f"scenario_glob pattern {pattern!r} matched no file: no scenario test was collected for it"),
                stacklevel=1)


class ScenarioFailed(Exception):
    """Carries the already formatted report; `repr_failure` shows it without a traceback."""


class ScenarioFile(pytest.File):
    def collect(self):
        from aployee_sim.scenario.errors import ScenarioInvalid
        from aployee_sim.scenario.loader import load_scenario, scenario_stem
        try:
            display = str(self.path.relative_to(self.config.rootpath))
        except ValueError:
            display = str(self.path)
        try:
            loaded = load_scenario(self.path, display)
        except ScenarioInvalid as exc:
            yield ScenarioItem.from_parent(self, name=scenario_stem(self.path), loaded=None,
                                           invalid="\n".join(str(e) for e in exc.errors))
            return
        item = ScenarioItem.from_parent(self, name=loaded.name, loaded=loaded, invalid=None)
        for marker in loaded.model.markers:
            self.config.addinivalue_line("markers", f"{marker}: set by a scenario file")
            item.add_marker(marker)
        yield item


class ScenarioItem(pytest.Item):
    def __init__(self, *, loaded: Any, invalid: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded = loaded
        self.invalid = invalid

    def runtest(self) -> None:
        if self.invalid is not None:
            raise ScenarioFailed(self.invalid)
        from aployee_sim.scenario.audio import voice_skip_reason
        if (reason := voice_skip_reason(self.loaded.model)) is not None:
            pytest.skip(reason)
        from aployee_sim.scenario.errors import ScenarioInvalid
        from aployee_sim.scenario.report import format_result, result_of
        from aployee_sim.scenario.runner import run_scenario
        strict = str(self.config.getini("aployee_unused_stubs")).strip() == "error"
        try:
            outcome = run_scenario(self.loaded, record=self.config.getoption("aployee_record"))
            result = result_of(outcome, unused_stubs_fail=strict)
        except ScenarioInvalid as exc:
            raise ScenarioFailed(str(exc)) from None
        for warning in result.warnings:
            warnings.warn(pytest.PytestWarning(warning), stacklevel=1)
        if not result.passed:
            raise ScenarioFailed(format_result(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int, str]:
        return self.path, 0, f"scenario: {self.name}"
