"""`aployee-sim`: one entry point, one module per sub-command under `simulator.commands`.

Each command module defines `register(subparsers)`, which adds its parser and sets `run`
(a function `args -> exit code`). User mistakes raise `UsageError` and print one clear line,
never a traceback. Exit codes: 0 success, 1 a scenario/check failed, 2 invalid input.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "simulator.commands.demo",
    "simulator.commands.tui",
    "simulator.commands.run",
    "simulator.commands.validate",
    "simulator.commands.importcall",
    "simulator.commands.serve",
    "simulator.commands.call",
)


class UsageError(Exception):
    """A mistake by the user: printed as `aployee-sim: error: …`, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aployee-sim",
        description="The Aployee voice-assistant platform on your laptop: run call flows on a deterministic "
                    "virtual clock, serve a fake Aployee API, inspect calls.",
    )
    from simulator import __version__
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
    try:
        return int(args.run(args) or 0)
    except UsageError as exc:
        print(f"aployee-sim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("aployee-sim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    # `python -m simulator.cli`: run the importable module, so the commands' `UsageError` is this one.
    from simulator.cli import main as importable_main

    sys.exit(importable_main())
