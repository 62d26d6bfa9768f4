"""Argument types shared by every command: each checks one kind of value when argparse reads it.

Used as `add_argument(..., type=writable_file)`, so a wrong path or number is refused while the
command line is parsed, before any work starts (no scenario runs only to fail at writing its
report), and argparse turns the `ArgumentTypeError` into the one-line `aployee-sim: error: …`
with exit 2 (see `aployee_sim.cli.Parser`).

Paths are probed, not just looked at: the process may be root (every permission check passes)
or the target may be a pseudo-file that refuses writes (`/proc/version`), so an output file is
opened for appending (its content untouched) and a file to be created is tried as an anonymous
temporary file in its folder.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from aployee_sim.scenario.limits import MAX_SEED

MAX_PORT = 65535


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def writable_file(text: str) -> str:
    """A file the command may create or overwrite: not a folder, in a folder that exists, writable."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("expected a file name, got an empty string")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name")
    if path.exists():
        if not path.is_file():
            raise argparse.ArgumentTypeError(f"{text!r} is not a regular file")
        try:
            with path.open("ab"):
                pass
        except OSError as exc:
            raise argparse.ArgumentTypeError(f"cannot write {text!r}: {_reason(exc)}") from None
        return text
    _check_folder_writable(path.parent, text)
    return text


def stdout_or_file(text: str) -> str:
    """`-` (standard output) or a `writable_file`."""
    return text if text == "-" else writable_file(text)


def output_folder(text: str) -> str:
    """A folder the command writes files into: an existing writable folder, or one it can create."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("expected a folder name, got an empty string")
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a folder")
    _check_folder_writable(path if path.exists() else path.parent, text)
    return text


def _check_folder_writable(folder: Path, given: str) -> None:
    shown = str(folder)
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"folder {shown!r} does not exist (for {given!r})")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot write in folder {shown!r}: {_reason(exc)}") from None


def readable_file(text: str) -> str:
    """An existing regular file the command reads."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file: {text!r}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text!r} is {'a folder' if path.is_dir() else 'not a regular file'}; "
                                         "give a file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read {text!r}: permission denied")
    return text


def integer_in(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    """An argument type for a whole number from `low` to `high`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {what} from {low} to {high}, got {text}")
        return value

    parse.__name__ = what  # argparse names the type in its fallback message
    return parse


port_number = integer_in(0, MAX_PORT, "a port number")
seed_number = integer_in(0, MAX_SEED, "a seed")


def positive_number(text: str) -> float:
    """A finite number above zero (a speed, a number of seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value
