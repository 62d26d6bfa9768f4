"""`aployee-sim`: one entry point, one module per sub-command under `aployee_sim.commands`.

Each command module defines `register(subparsers)`, which adds its parser and sets `run`
(a function `args -> exit code`). User mistakes raise `UsageError` and print one clear line,
never a traceback. Exit codes: 0 success, 1 a scenario/check failed, 2 invalid input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

COMMAND_MODULES = (
    "aployee_sim.commands.init",
    "aployee_sim.commands.demo",
    "aployee_sim.commands.tui",
    "aployee_sim.commands.run",
    "aployee_sim.commands.validate",
    "aployee_sim.commands.importcall",
    "aployee_sim.commands.serve",
    "aployee_sim.commands.call",
    "aployee_sim.commands.explore",
    "aployee_sim.commands.trigger",
)


class UsageError(Exception):
    """A mistake by the user: printed as `aployee-sim: error: …`, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a bad argument is the same one line as a `UsageError` (no usage dump), exit 2.

    Sub-command parsers are made with the parent's class, so every command gets this."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"aployee-sim: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="aployee-sim",
        description="The Aployee voice-assistant platform on your laptop: run call flows on a deterministic "
                    "virtual clock, serve a fake Aployee API, inspect calls.",
    )
    from aployee_sim import __version__
    parser.add_argument("--version", action="version", version=f"aployee-sim {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    from aployee_sim.process_policy import owned_process

    try:
        with owned_process():  # the process is ours: GC policy and switch interval (process_policy)
            return int(args.run(args) or 0)
    except UsageError as exc:
        from aployee_sim.terminal_text import printable
        print(f"aployee-sim: error: {printable(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("aployee-sim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # `python -m aployee_sim.cli`: run the importable module, so the commands' `UsageError` is this one.
    from aployee_sim.cli import main as importable_main

    sys.exit(importable_main())
