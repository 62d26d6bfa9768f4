"""What the package ships for a first hour: the starter project `aployee-sim init` writes
(commented scenarios, pytest set-up, a webhook test) and named configurations for
`aployee-sim serve --config NAME` (`configs/`, e.g. `calls-page`).

The files live in `files/` as package data, each with a `.tmpl` suffix (so that neither this
project's tools nor pytest mistake them for its own modules); writing strips the suffix.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

SUFFIX = ".tmpl"
# Where the starter's webhook.py answers once served with `uvicorn webhook:app --port 8000`: the URL
# my_webhook.scenario.yaml suggests and the default `aployee-sim import` points a regression at.
LOCAL_WEBHOOK_URL = "http://127.0.0.1:8000/reason"


def _templates(folder: Traversable, prefix: PurePosixPath) -> list[tuple[PurePosixPath, Traversable]]:
    found: list[tuple[PurePosixPath, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found += _templates(entry, prefix / entry.name)
        elif entry.name.endswith(SUFFIX):
            found.append((prefix / entry.name[:-len(SUFFIX)], entry))
    return found


def starter_files() -> list[tuple[PurePosixPath, str]]:
    """(relative path, text) of every starter file, in a stable order."""
    root = resources.files(__name__) / "files"
    return [(path, entry.read_text(encoding="utf-8")) for path, entry in _templates(root, PurePosixPath())]


def conflicts(target: Path) -> list[Path]:
    """The starter files that already exist in `target` (init never overwrites without --force)."""
    return [target / path for path, _ in starter_files() if (target / path).exists()]


def write_starter(target: Path) -> list[Path]:
    written = []
    for path, text in starter_files():
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
        written.append(destination)
    return written


def bundled_config(name: str) -> Path | None:
    """A configuration shipped with the package (`serve --config calls-page`), or None."""
    entry = resources.files(__name__) / "configs" / f"{name}.yaml"
    return Path(str(entry)) if entry.is_file() else None
