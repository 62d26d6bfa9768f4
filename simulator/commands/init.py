"""`aployee-sim init [DIR]`: write a small, commented starter project (default: this folder).

It holds three scenarios under scenarios/ (two on webhook stubs, one ready for your own webhook
URL), a pytest.ini that collects them next to the Python tests, an example webhook (webhook.py)
and tests/test_webhook.py, which tests it with both fixtures (in-process and a real server).
Right after it, `aployee-sim run` and `pytest` pass in that folder. Existing files are never
overwritten unless you pass --force.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aployee_sim.cli import UsageError


def run(args: argparse.Namespace) -> int:
    from aployee_sim.scaffold import conflicts, write_starter

    target = Path(args.dir)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    existing = conflicts(target)
    if existing and not args.force:
        names = ", ".join(str(p) for p in existing)
        raise UsageError(f"not overwriting {names}: pass --force to replace them, or choose another folder")
    written = write_starter(target)
    for path in written:
        print(f"  wrote {path}")
    where = "" if target.resolve() == Path.cwd().resolve() else f"cd {target} && "
    print(f"\nNext: {where}aployee-sim run     # the three scenarios\n"
          f"      {where}pytest             # the scenarios and tests/test_webhook.py\n"
          "Then edit webhook.py and scenarios/ (my_webhook.scenario.yaml says how to call your own webhook).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("init", help="write a starter project: scenarios, pytest.ini, a webhook test",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="where to write it (default: here)")
    parser.add_argument("--force", action="store_true", help="replace starter files that already exist")
    parser.set_defaults(run=run)
