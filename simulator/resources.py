"""The data files that ship inside the package, and where a source checkout keeps them.

The wheel holds `aployee_sim/fixtures/` (JSON Schemas, golden payloads, the scenario schema) and
`aployee_sim/examples/` (the example scenario library with its includes and clips). Readers go
through `importlib.resources`, so they work the same from a clone, an editable install or a wheel:

    from aployee_sim import goldens, schemas
    schemas.load("call_details")       # a JSON Schema as a dict
    goldens.load("call_details")       # the documented example payload
    resources.examples()               # the example library's folder (`aployee-sim run --examples`)

Only a source checkout may be regenerated (`python -m aployee_sim.schemas`, `python -m
aployee_sim.scenario.schema_file`): an installed package is not the place to commit files to, so
`checkout_path` refuses with one clear message instead of writing into site-packages.
"""

from __future__ import annotations

import json
import tomllib
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

DISTRIBUTION = "aployee-sim"


class NotACheckout(Exception):
    """Regeneration was asked of an installed package: the message says where it is and what to do."""


def bundled(*parts: str) -> Traversable:
    """A file or folder shipped in the package, e.g. `bundled("fixtures", "schemas", "health.json")`."""
    node = files("aployee_sim")
    for part in parts:
        node = node.joinpath(part)
    return node


def read_json(*parts: str) -> Any:
    """A bundled JSON file, parsed; a `KeyError` naming what exists when there is no such file."""
    node = bundled(*parts)
    if not node.is_file():
        folder = bundled(*parts[:-1])
        known = sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))
        raise KeyError(f"no {'/'.join(parts)} in aployee_sim; known: {', '.join(known)}")
    return json.loads(node.read_text(encoding="utf-8"))


def examples() -> Path:
    """The example scenario library's folder. Installed packages are plain folders (pip unpacks the
    wheel), so this is a real path that the scenario loader can walk and resolve includes in."""
    return Path(str(bundled("examples")))


def source_root() -> Path | None:
    """The repository this package is loaded from, or None when it is an installed copy.

    In a checkout the package folder is `simulator/` (reached through the `aployee_sim` link) next to
    the project's `pyproject.toml`; an installed package has no such neighbour."""
    package = Path(str(bundled())).resolve()
    project = package.parent / "pyproject.toml"
    if not project.is_file():
        return None
    try:
        name = tomllib.loads(project.read_text(encoding="utf-8")).get("project", {}).get("name")
    except (tomllib.TOMLDecodeError, OSError):
        return None
    return package.parent if name == DISTRIBUTION else None


def checkout_path(*parts: str) -> Path:
    """Where a source checkout keeps `parts` (e.g. `fixtures/schemas`), for regenerating it; raises
    `NotACheckout` for an installed package."""
    root = source_root()
    if root is None:
        raise NotACheckout(f"aployee_sim at {Path(str(bundled())).resolve()} is an installed package, not a source "
                           "checkout; regenerate in a clone of aployee-sim")
    return root.joinpath(*parts)
