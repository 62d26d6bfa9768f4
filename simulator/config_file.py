"""Reading a directory configuration file (organizations, numbers, routing, menus) from YAML.

The platform layer does no I/O: `platform.directory.Directory.update(mapping)` validates and applies
a configuration. The front ends that take a file (`Simulator(directory=PATH)`, `aployee-sim serve
--config`, `ServerThread(config=PATH)`) read it here; a file that cannot be read or is not YAML
raises the same `DirectoryError` (file, then what is wrong) as a mistake in its contents.

The file is read like a scenario (`scenario.yamlread`): safe YAML with the same caps on size,
nesting and alias expansion (docs/contract.md §7), so an alias bomb is refused in a second rather
than eating the memory of the server it configures; numbers such as `+15550100` and dates stay as
written, as text, rather than turning into YAML integers and dates.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from aployee_sim.platform.directory import Directory, DirectoryError
from aployee_sim.scenario.errors import ScenarioError
from aployee_sim.scenario.yamlread import read_yaml


def read_config(path: str | os.PathLike[str]) -> Any:
    """The file's data (an empty file is an empty mapping)."""
    source = str(path)
    errors: list[ScenarioError] = []
    data, _ = read_yaml(Path(path), source, errors)
    if errors:
        raise DirectoryError(source, (), _problem(errors[0]))
    return data if data is not None else {}


def _problem(error: ScenarioError) -> str:
    """The reader's first error in the words of a configuration file."""
    syntax = error.message.removeprefix("YAML syntax error: ")
    if syntax != error.message:
        return f"not valid YAML at line {error.mark.line}, column {error.mark.col}: {syntax}"
    if error.message.startswith("cannot read the file"):
        return error.message
    return f"line {error.mark.line}, column {error.mark.col}: {error.message}"


def load_config(directory: Directory, path: str | os.PathLike[str]) -> Directory:
    """Add the configuration in the YAML file at `path` to `directory`; returns it."""
    return directory.update(read_config(path), source=str(path))
