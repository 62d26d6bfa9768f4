"""`aployee-sim validate [PATH...]`: check scenario files without running them.

Prints every mistake of every file as `file:line:col: message`; exit 0 when all are valid,
2 when any is not. Warnings (still valid) name each keyword that matches one of the file's own lines
differently since keywords match whole words (docs/scenarios.md, "How words and patterns match").
"""

from __future__ import annotations

import argparse
import sys

from aployee_sim.commands.run import add_examples_option
from aployee_sim.terminal_text import printable


def run(args: argparse.Namespace) -> int:
    from aployee_sim.commands.run import load_all, scenario_paths
    from aployee_sim.scenario.errors import path_text
    from aployee_sim.scenario.mcp_checks import missing_tool_notes
    from aployee_sim.scenario.phrase_changes import changes

    loaded, invalid = load_all(scenario_paths(args), args.glob)
    for result in invalid:
        print(printable("\n".join(result.errors)), file=sys.stderr)
    for scenario in loaded:
        print(f"{scenario.display}: ok ({len(scenario.model.calls)} call{'s' if len(scenario.model.calls) != 1 else ''})")
        for path, note in missing_tool_notes(scenario.model):
            print(printable(f"{scenario.marks.value(path)}: note: {path_text(path)}: {note}"))
        for path, warning in changes(scenario.model, scenario.marks):
            print(printable(f"{scenario.marks.value(path)}: warning: {path_text(path)}: {warning}"))
    total = len(loaded) + len(invalid)
    print(f"{len(loaded)} of {total} scenario file{'s' if total != 1 else ''} valid", file=sys.stderr)
    return 2 if invalid else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check scenario files without running them",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders (default scenarios/)")
    add_examples_option(parser)
    parser.add_argument("--glob", default="*.scenario.yaml", help="file pattern searched in folders")
    parser.set_defaults(run=run)
