"""pytest plugin: every `*.scenario.yaml` file pytest meets becomes a test item.

Registered as the `pytest11` entry point `aployee_sim_scenarios`, so it loads at every pytest
start-up: it imports nothing but pytest until a scenario file is actually collected. The
glob is the ini option `scenario_glob` (one or more patterns). A scenario's `markers:` become
pytest markers, so `-m` works; `-k` matches the scenario name; items are independent (each
has its own simulator), so pytest-xdist can spread them. A failure reads exactly like
`aployee-sim run`'s.
"""

from __future__ import annotations

import fnmatch
from typing import Any

import pytest

DEFAULT_GLOBS = ["*.scenario.yaml"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("scenario_glob", "file name patterns of YAML scenarios collected as tests",
                  type="linelist", default=DEFAULT_GLOBS)


def pytest_collect_file(file_path: Any, parent: pytest.Collector) -> pytest.Collector | None:
    patterns = parent.config.getini("scenario_glob") or DEFAULT_GLOBS
    if any(fnmatch.fnmatch(file_path.name, pattern) for pattern in patterns):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


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
        from aployee_sim.scenario.errors import ScenarioInvalid
        from aployee_sim.scenario.report import format_result, result_of
        from aployee_sim.scenario.runner import run_scenario
        try:
            result = result_of(run_scenario(self.loaded))
        except ScenarioInvalid as exc:
            raise ScenarioFailed(str(exc)) from None
        if not result.passed:
            raise ScenarioFailed(format_result(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Any, int, str]:
        return self.path, 0, f"scenario: {self.name}"
