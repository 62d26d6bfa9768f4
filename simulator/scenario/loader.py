"""Scenario files in, validated `LoadedScenario`s out, or every mistake at once as `ScenarioInvalid`.

Three passes, each reporting all it finds: YAML (syntax, duplicate keys, includes), the schema
(types, unknown keys, values), then cross-checks (references, impossible expectations). The
cross-checks need a valid model; when the schema rejects the file, the references that can be
checked on the raw document (a call's unknown assistant) are reported with its errors, so one
pass shows every mistake.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from aployee_sim.scenario.audio import check_audio
from aployee_sim.scenario.checks import check, unknown_assistants
from aployee_sim.scenario.diagnostics import translate
from aployee_sim.scenario.errors import Mark, Marks, ScenarioError, ScenarioInvalid
from aployee_sim.scenario.schema import Scenario
from aployee_sim.scenario.yamlread import read_scenario_document

DEFAULT_GLOB = "*.scenario.yaml"


@dataclass
class LoadedScenario:
    path: Path
    display: str
    model: Scenario
    marks: Marks

    @property
    def name(self) -> str:
        return self.model.name or scenario_stem(self.path)

    def line(self, *path: object) -> int:
        return self.marks.value(tuple(path)).line


def scenario_stem(path: Path) -> str:
    name = path.name
    for suffix in (".scenario.yaml", ".scenario.yml", ".yaml", ".yml"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def load_scenario(path: str | os.PathLike[str], display: str | None = None) -> LoadedScenario:
    path = Path(path)
    display = display or str(path)
    data, marks, errors = read_scenario_document(path, display)
    if data is None:
        if not errors:
            errors.append(ScenarioError(Mark(display, 1, 1), "the file is empty; a scenario needs at least "
                                                             "`assistants` and `calls`"))
        raise ScenarioInvalid(errors)
    try:
        model = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioInvalid(_merge(errors, translate(exc, marks), unknown_assistants(data, marks))) from None
    problems = _merge(errors, check(model, marks), check_audio(model, marks, path.parent))
    if problems:
        raise ScenarioInvalid(problems)
    return LoadedScenario(path, display, model, marks)


def _merge(*stages: list[ScenarioError]) -> list[ScenarioError]:
    """Every stage's errors, except where an earlier stage already reported that place (a tag, a
    duplicate key): one `validate` pass shows every mistake, each once."""
    kept: list[ScenarioError] = []
    for stage in stages:
        seen = {error.mark for error in kept}
        kept += [error for error in stage if error.mark not in seen]
    return kept


def discover(paths: list[str], pattern: str = DEFAULT_GLOB) -> tuple[list[Path], list[str]]:
    """Scenario files under `paths` (files are taken as given, folders searched recursively), sorted;
    plus the paths that do not exist."""
    found: list[Path] = []
    missing: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and fnmatch.fnmatch(p.name, pattern)))
        else:
            missing.append(given)
    unique = list(dict.fromkeys(found))
    return unique, missing
