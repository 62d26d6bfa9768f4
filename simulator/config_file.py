"""Reading a directory configuration file (organizations, numbers, routing, menus) from YAML.

The platform layer does no I/O: `platform.directory.Directory.update(mapping)` validates and applies
a configuration. The front ends that take a file (`Simulator(directory=PATH)`, `aployee-sim serve
--config`, `ServerThread(config=PATH)`) read it here; a file that cannot be read or is not YAML
raises the same `DirectoryError` (file, then what is wrong) as a mistake in its contents.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from aployee_sim.platform.directory import Directory, DirectoryError


def read_config(path: str | os.PathLike[str]) -> Any:
    """The file's data (`yaml.safe_load`; an empty file is an empty mapping)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DirectoryError(source, (), f"cannot read the file: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DirectoryError(source, (), f"not valid YAML{where}: {problem}") from None
    return data if data is not None else {}


def load_config(directory: Directory, path: str | os.PathLike[str]) -> Directory:
    """Add the configuration in the YAML file at `path` to `directory`; returns it."""
    return directory.update(read_config(path), source=str(path))
