"""`aployee-sim import CALL.json`: a production call record becomes a regression scenario.

Save a call with `curl .../v1/calls/call_abc123 > call.json`, import it, point the scenario's
webhook_url at your webhook, and replay the real caller's words against your new version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from aployee_sim.cli import UsageError
from aployee_sim.commands.arguments import readable_file, stdout_or_file
from aployee_sim.scaffold import LOCAL_WEBHOOK_URL as DEFAULT_WEBHOOK  # init's webhook.py, served locally

MAX_RECORD_BYTES = 16 << 20  # a call record is far smaller; a bigger file is not one


def read_record(path: str) -> Any:
    """The call record in `path`, parsed by the strict JSON policy (docs/contract.md §7); a
    `UsageError` names the file (and line:column for malformed text)."""
    from aployee_sim.contract import strict_json

    source = Path(path)
    try:
        if source.stat().st_size > MAX_RECORD_BYTES:
            raise UsageError(f"{path} is larger than {MAX_RECORD_BYTES >> 20} MiB; it is not a call record")
        return strict_json.loads(source.read_bytes())
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except strict_json.StrictJsonError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line is not None else path
        raise UsageError(f"{where}: not valid JSON: {exc}") from None


def run(args: argparse.Namespace) -> int:
    from aployee_sim.scenario.importer import NotReplayable, scenario_from_call
    record = read_record(args.call)
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
