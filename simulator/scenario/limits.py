"""The scenario format's caps, in one place (docs/scenarios.md "Limits", docs/contract.md §7).

A scenario file is input from anywhere (a pull request, a fuzzer), so reading one must take
bounded time and memory and touch only files the author meant: every cap below turns into an
ordinary `file:line:col` mistake, never a traceback.

- Size: a file is at most `MAX_FILE_BYTES`; the document, aliases expanded and includes merged,
  at most `MAX_VALUES` values (a 526-byte "billion laughs" alias bomb would be 387 million);
  nesting at most `MAX_NESTING` levels (JSON-like values inside, such as `initial_state`, are
  held to the stricter strict-JSON depth when they are validated); at most `MAX_INCLUDES` files
  pulled in by `include:`, all levels together.
- Time: every duration is at most `MAX_DURATION_MS` (366 days), and so is the time a call is
  placed (`at` plus `every` for each further number); `clock.start` lies in the years
  `MIN_YEAR`–`MAX_YEAR`; a seed is from 0 to `MAX_SEED`. A run therefore never leaves the calendar, so `validate` and `run`
  always agree.
- Files: `include:` and `say_audio:` name files inside the scenario's folder tree (the folder of
  the scenario file and below, symbolic links resolved). `$APLOYEE_SIM_ALLOW_OUTSIDE` (folders
  separated by `os.pathsep`) adds trees that are allowed as well, e.g. a shared library of
  assistants. (`vosk_model:` names a speech model, not scenario content; it may be anywhere.)
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_FILE_BYTES = 1 << 20
MAX_VALUES = 100_000
MAX_NESTING = 100
MAX_INCLUDES = 100
MAX_DURATION_MS = 366 * 24 * 3600 * 1000
MIN_YEAR, MAX_YEAR = 1970, 2999
MAX_SEED = 2**63 - 1
"""Seeds are stored in SQLite (a signed 64-bit integer); the CLI's `--seed` has the same range."""
ALLOW_OUTSIDE_ENV = "APLOYEE_SIM_ALLOW_OUTSIDE"


def allowed_roots(root: Path) -> list[Path]:
    """The scenario's folder tree and every tree `$APLOYEE_SIM_ALLOW_OUTSIDE` adds, resolved."""
    extra = [Path(p).expanduser() for p in os.environ.get(ALLOW_OUTSIDE_ENV, "").split(os.pathsep) if p.strip()]
    return [p.resolve() for p in (root, *extra)]


def outside_message(target: Path, root: Path) -> str | None:
    """None when `target` (any path) lies in an allowed tree, else why it may not be used."""
    resolved = target.resolve()
    if any(resolved.is_relative_to(tree) for tree in allowed_roots(root)):
        return None
    return (f"is outside the scenario's folder; the files a scenario uses must be in the folder of the "
            f"scenario file or below (set {ALLOW_OUTSIDE_ENV} to allow more folders)")
