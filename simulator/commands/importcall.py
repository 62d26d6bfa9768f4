"""`aployee-sim import CALL.json`: a production call record becomes a regression scenario.

Save a call with `curl .../v1/calls/call_abc123 > call.json`, import it, point the scenario's
webhook_url at your webhook, and replay the real caller's words against your new version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aployee_sim.cli import UsageError
from aployee_sim.commands.arguments import readable_file, stdout_or_file

DEFAULT_WEBHOOK = "http://127.0.0.1:8000/webhook"


def run(args: argparse.Namespace) -> int:
    from aployee_sim.contract import strict_json
    from aployee_sim.scenario.importer import NotReplayable, scenario_from_call
    source = Path(args.call)
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {args.call}: {exc}") from None
    try:
        record = strict_json.loads(text)
    except strict_json.StrictJsonError as exc:
        raise UsageError(f"{args.call}: not valid JSON: {str(exc).removeprefix('invalid JSON: ')}") from None
    try:
        text = scenario_from_call(record, args.webhook_url)
    except NotReplayable as exc:
        raise UsageError(f"{args.call}: {exc}") from None
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return 0
    output = Path(args.output)
    if output.exists() and not args.force:
        raise UsageError(f"{args.output} exists; pass --force to overwrite it")
    if not output.parent.is_dir():
        raise UsageError(f"folder {str(output.parent)!r} does not exist")
    output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("import", help="turn a production call record into a regression scenario",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("call", metavar="CALL.json", type=readable_file, help="a call record as returned by GET /v1/calls/{id}")
    parser.add_argument("-o", "--output", metavar="FILE", type=stdout_or_file, help="write the scenario here (default: stdout)")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    parser.add_argument("--webhook-url", default=DEFAULT_WEBHOOK,
                        help=f"the webhook to replay against (default {DEFAULT_WEBHOOK})")
    parser.set_defaults(run=run)
