"""Scenario mistakes as `file:line:col: message`, collected so every mistake in a file is reported at once.

A position is a `Mark` (file, 1-based line and column). `Marks` maps a path inside the loaded
document (a tuple of keys and list indexes, as pydantic reports them) to the position of that
key and of its value, so an error found anywhere (YAML, schema, cross-checks) can point at the
exact spot in the file, including in a file pulled in with `include:`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

Path = tuple[Any, ...]
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_+\-]+")


@dataclass(frozen=True, slots=True)
class Mark:
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class Marks:
    """Positions of every key and value of a loaded document, by path."""

    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)

    def value(self, path: Path) -> Mark:
        """The position of the value at `path`, or of the nearest enclosing value that exists."""
        for end in range(len(path), -1, -1):
            mark = self.values.get(tuple(path[:end]))
            if mark is not None:
                return mark
        return Mark("?", 1, 1)

    def existing(self, path: Path) -> Path:
        """The longest prefix of `path` that is in the file: a short form (`to: +1...`) has no `to[0]`."""
        while path and path not in self.values:
            path = path[:-1]
        return path

    def key(self, path: Path) -> Mark:
        """The position of the key that names `path` (falls back to the value's position)."""
        return self.keys.get(tuple(path)) or self.value(path)

    def update(self, other: Marks) -> None:
        self.values.update(other.values)
        self.keys.update(other.keys)


@dataclass(frozen=True, slots=True)
class ScenarioError:
    mark: Mark
    message: str

    def __str__(self) -> str:
        return f"{self.mark}: {self.message}"


class ScenarioInvalid(Exception):
    """One or more mistakes in a scenario (or in a file it includes), all of them, in file order."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        self.errors = sorted(set(errors), key=lambda e: (e.mark.file, e.mark.line, e.mark.col, e.message))
        super().__init__("\n".join(str(e) for e in self.errors))


def path_text(path: Path) -> str:
    """`('calls', 0, 'expect', 'status')` → `calls[0].expect.status`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(str(part)):
            text += ("." if text else "") + str(part)
        else:  # a URL or a key with spaces: `webhooks['https://hooks.test/r']`
            text += f"[{str(part)!r}]"
    return text or "the document"


def did_you_mean(found: object, allowed: list[str]) -> str:
    """` (did you mean 'x'?)` when `found` is close to one allowed value, else empty."""
    if not isinstance(found, str):
        return ""
    close = difflib.get_close_matches(found, allowed, n=1, cutoff=0.6)
    if not close:
        close = [a for a in allowed if a.lower() == found.lower()]
    return f" (did you mean {close[0]!r}?)" if close else ""


def describe(value: object) -> str:
    """What was found, for a message: the value and what kind of YAML thing it is."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return f"{value} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"{shown!r} (a string)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
