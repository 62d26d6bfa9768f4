"""`aployee-sim trigger URL`: send one documented webhook request and say what the platform would do.

A first smoke test of a new webhook (like `stripe trigger`): the request is the one Aployee
POSTs after a caller utterance, `{call_id, assistant_id, utterance, state, context, timestamp}`,
built from flags, a JSON file (--request) or one exchange recorded in a store (--db with --call).
The answer is judged by the platform's own rules (the same code the simulator runs): the reply
that would be spoken, the state that would replace the call's state, a transfer accepted or
refused and why, or the failure exactly as the `webhook_called` timeline event records it.

Exit codes: 0 the platform would accept the answer, 1 it would reject it (the call keeps its
state and the conversation agent answers on its own), 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from aployee_sim.cli import UsageError
from aployee_sim.terminal_text import printable

DEFAULT_REQUEST = {"call_id": "call_trigger0001", "assistant_id": "asst_trigger0001", "utterance": "Hello",
                   "state": {}, "context": [], "timestamp": "2024-01-15T10:30:00Z"}  # context: see ending_with


def _json_flag(name: str, text: str, kind: type) -> Any:
    from aployee_sim.contract.strict_json import StrictJsonError, loads
    try:
        value = loads(text)
    except StrictJsonError as exc:
        raise UsageError(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(value, kind):
        raise UsageError(f"{name} must be a JSON {'object' if kind is dict else 'array'}, got {type(value).__name__}")
    return value


def _which_run(store: Any, db: str, call_id: str, run_id: str | None) -> str | None:
    """The one stored run meant: `--run` if it holds the call, the only run that does otherwise; a
    `UsageError` names an unknown run, or the runs to choose from (the same seed gives the same ids)."""
    runs = store.call_runs(call_id)
    if not runs:
        raise UsageError(f"--db {db}: no call {call_id} is stored")
    shown = ", ".join(run or "'' (the server's)" for run in runs)
    if run_id is not None:
        if run_id in runs or (not run_id and None in runs):
            return run_id
        if not store.list_calls(run_id=run_id, limit=1)["total"]:
            raise UsageError(f"--run {run_id}: no such run in {db} (call {call_id} is in run {shown})")
        raise UsageError(f"--run {run_id}: that run has no call {call_id} (it is in run {shown})")
    if len(runs) > 1:
        raise UsageError(f"--call {call_id} is stored by {len(runs)} runs ({shown}): pass --run RUN_ID")
    return runs[0]


def _recorded_request(db: str, call_id: str, run_id: str | None, index: int) -> dict[str, Any]:
    from aployee_sim.adapters.store import Store, StoreError
    from aployee_sim.contract.errors import ApiError
    try:  # a missing file, a FIFO or a damaged file: the store's own one-line refusal, as for every command
        with Store(db, readonly=True) as store:
            exchanges = store.get_call(call_id, run_id=_which_run(store, db, call_id, run_id)).exchanges
    except (StoreError, ApiError) as exc:
        raise UsageError(f"--db {db}: {getattr(exc, 'message', exc)}") from None
    if not exchanges:
        raise UsageError(f"call {call_id} made no webhook request")
    if not -len(exchanges) <= index < len(exchanges):
        raise UsageError(f"--exchange {index}: call {call_id} made {len(exchanges)} webhook requests (0..{len(exchanges) - 1})")
    return dict(exchanges[index]["request"])


def build_request(args: argparse.Namespace) -> dict[str, Any]:
    """The documented request: a recorded one or the default, with every given flag on top."""
    if args.db:
        if not args.call:
            raise UsageError("--db needs --call CALL_ID (the call whose recorded webhook request is sent)")
        request = _recorded_request(args.db, args.call, args.run_id, args.exchange)
    else:
        request = dict(DEFAULT_REQUEST)
    if args.request:
        try:
            text = Path(args.request).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--request {args.request}: {exc.strerror or exc}") from None
        request.update(_json_flag(f"--request {args.request}", text, dict))
    if args.utterance is not None:
        request["utterance"] = args.utterance
    if args.state is not None:
        request["state"] = _json_flag("--state", args.state, dict)
    if args.context is not None:
        request["context"] = _json_flag("--context", args.context, list)
    else:
        request["context"] = ending_with(request.get("context"), request.get("utterance"))
    return request


def ending_with(context: Any, utterance: Any) -> Any:
    """The contract's context (docs/contract.md §4): the recent dialogue ending with the caller's
    utterance. A recorded or given dialogue keeps its lines; its last caller line becomes `--utterance`
    when that was changed, and a dialogue without it gets it appended."""
    last = {"role": "user", "content": utterance}
    if not isinstance(context, list) or not isinstance(utterance, str):
        return context
    if context and context[-1] == last:
        return context
    if context and isinstance(context[-1], dict) and context[-1].get("role") == "user":
        return [*context[:-1], last]
    return [*context, last]


def state_lines(sent: Any, returned: dict[str, Any]) -> list[str]:
    """The returned state against the sent one, key by key, and a warning for each key it dropped:
    the answer's state replaces the call's, so a key left out is gone for the rest of the call."""
    from aployee_sim.platform.state_changes import diff_lines, state_diff
    before = sent if isinstance(sent, dict) else {}
    lines = [f"  {line}" for line in diff_lines(before, returned)] or ["  (the same keys and values as sent)"]
    removed = [key for key, kind, _old, _new in state_diff(before, returned) if kind == "removed"]
    if removed:
        lines.append(f"warning: the answer drops {', '.join(removed)}: the returned state replaces the call's "
                     "state, so return every key you keep")
    return lines


def verdict(decision: Any, allowlist: list[str] | None, sent_state: Any = None) -> tuple[bool, list[str]]:
    """(accepted, lines): what the platform does with a `Decision` (docs/contract.md §4)."""
    if decision.error is not None:
        return False, [f"rejected: {decision.error}",
                       "  the call's state stays as it was and the conversation agent answers on its own",
                       f'  webhook_called records: error "{decision.error}"']
    lines = [f"reply spoken: {decision.reply}" if decision.reply else
             "no reply: the conversation agent answers on its own"]
    if decision.state is not None:
        lines += ["state replaced with: " + json.dumps(decision.state, ensure_ascii=False),
                  *state_lines(sent_state, decision.state)]
    else:
        lines.append("state unchanged (the answer has no `state`)")
    if decision.transfer_target is None:
        return True, lines
    from aployee_sim.contract.models import Assistant
    from aployee_sim.core.transfers import target_problem
    assistant = Assistant.model_validate({"id": "asst_trigger", "name": "trigger", "transfer_allowlist": allowlist,
                                          "created_at": "1970-01-01T00:00:00Z", "updated_at": "1970-01-01T00:00:00Z"})
    problem = target_problem(assistant, decision.transfer_target)
    if problem is not None:
        return False, [*lines, f"transfer refused: {problem}", "  transfer_rejected records this reason"]
    return True, [*lines, f"transfer accepted: the caller is put on hold and {decision.transfer_target} is rung "
                          "(the call ends `transferred` when that party accepts)"]


def http_backend() -> Any:
    """The real HTTP webhook adapter, used through the `ReasoningBackend` interface only."""
    from aployee_sim.adapters.webhook_http import HttpWebhookTransport
    return HttpWebhookTransport()


def run(args: argparse.Namespace) -> int:
    from aployee_sim.core.reasoning import Delivery, interpret
    from aployee_sim.scenario.values import parse_duration

    if not args.url.startswith(("http://", "https://")):
        raise UsageError(f"URL must start with http:// or https://, got {args.url!r}")
    try:
        timeout_ms = parse_duration(args.timeout)
    except ValueError as exc:
        raise UsageError(f"--timeout: {exc}") from None
    request = build_request(args)
    backend = http_backend()
    started = time.monotonic()
    try:
        answer = backend(args.url, request, timeout_ms)
        delivery = answer if isinstance(answer, Delivery) else answer.collect()
    finally:
        close = getattr(backend, "close", None)
        if close is not None:
            close()
    elapsed = round((time.monotonic() - started) * 1000)
    status = delivery.status_code if delivery.status_code is not None else "no response"
    lines = [f"POST {args.url}  ({status}, {elapsed} ms)", "request: " + json.dumps(request, ensure_ascii=False)]
    if delivery.error is None:
        lines.append("answer:  " + json.dumps(delivery.body, ensure_ascii=False))
    accepted, verdict_lines = verdict(interpret(delivery), args.allow, request.get("state"))
    for line in [*lines, *verdict_lines]:  # the answer's text made visible, never run (terminal_text)
        print(printable(line))
    return 0 if accepted else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("trigger", help="send one webhook request to a URL and say what the platform "
                                                   "would do with the answer",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", metavar="URL", help="your webhook, e.g. http://127.0.0.1:8000/reason")
    parser.add_argument("--utterance", metavar="TEXT", help="what the caller said (default: Hello)")
    parser.add_argument("--state", metavar="JSON", help='the call\'s state, e.g. \'{"order_id": "ord_1"}\'')
    parser.add_argument("--context", metavar="JSON", help='recent lines, e.g. \'[{"role": "assistant", '
                                                          '"content": "Hi!"}]\' (default: the dialogue '
                                                          'ending with the utterance)')
    parser.add_argument("--request", metavar="FILE", help="a JSON file with (part of) the request; flags win")
    parser.add_argument("--db", metavar="FILE", help="a store file: resend a recorded request (with --call)")
    parser.add_argument("--call", metavar="CALL_ID", help="the recorded call (with --db)")
    parser.add_argument("--run", dest="run_id", metavar="RUN_ID", help="the scenario run of that call (with --db; "
                                                                       "needed when several runs stored that id)")
    parser.add_argument("--exchange", type=int, default=0, metavar="N",
                        help="which of the call's webhook requests (0 = first, -1 = last)")
    parser.add_argument("--timeout", default="10s", help="how long to wait for the answer (default 10s, "
                                                         "the platform's webhook timeout)")
    parser.add_argument("--allow", action="append", metavar="NUMBER",
                        help="a transfer_allowlist entry of the assistant (repeat; +1555* prefixes work)")
    parser.set_defaults(run=run)
