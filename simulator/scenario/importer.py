"""A production call record (`GET /v1/calls/{id}`) turned into a regression scenario.

The caller says exactly what the real caller said, turn by turn, against the developer's
webhook; the assistant's production lines stay in the file as comments, and the production
outcome becomes the expectation (`aployee_sim.scenario.regression`): the status, the final state,
the assistant's lines in order and no webhook errors, so the replay fails when the webhook is
down or answers differently. The text is written by hand rather
than dumped so it can carry those comments; every value goes through the strict `dumps`
(docs/contract.md §7), whose strings and flow mappings are valid YAML.
"""

from __future__ import annotations

from typing import Any

from aployee_sim.contract import strict_json
from aployee_sim.contract.errors import is_e164
from aployee_sim.scenario.regression import heard_pattern, regression_expect


class NotReplayable(ValueError):
    """The input is not a call record that can be replayed; the message names the field."""


def _q(value: Any) -> str:
    return strict_json.dumps(value)


def _check(record: Any) -> list[dict[str, str]]:
    if not isinstance(record, dict):
        raise NotReplayable("expected a call record (a JSON object as returned by GET /v1/calls/{id})")
    try:
        strict_json.check(record)
    except strict_json.StrictJsonError as exc:
        raise NotReplayable(f"the record is not plain JSON: {exc}") from None
    for key in ("id", "assistant_id", "status", "to"):
        if not isinstance(record.get(key), str):
            raise NotReplayable(f"field {key!r} is missing or not a string; is this a call record from "
                               "GET /v1/calls/{id}?")
    for key in ("to", "from"):
        if record.get(key) is not None and not is_e164(record[key]):
            raise NotReplayable(f"field {key!r} is not an E.164 number: {record[key]!r}")
    transcript = record.get("transcript")
    if not isinstance(transcript, list) or not all(
            isinstance(t, dict) and t.get("role") in ("assistant", "user") and isinstance(t.get("content"), str)
            for t in transcript):
        raise NotReplayable("field 'transcript' must be a list of {role: assistant|user, content: text}")
    if not any(t["role"] == "user" for t in transcript):
        raise NotReplayable(f"call {record['id']} has no caller speech to replay (status {record['status']})")
    state = record.get("final_state")
    if state is not None and not isinstance(state, dict):
        raise NotReplayable("field 'final_state' must be an object or null")
    return transcript


def scenario_from_call(record: Any, webhook_url: str) -> str:
    """The scenario YAML for a production call record; raises `NotReplayable` naming a bad field."""
    transcript = _check(record)
    call_id = record["id"]
    lines = [
        f"# Regression scenario imported from production call {call_id}",
        f"# (assistant {record['assistant_id']}, status {record['status']}"
        + (f", {record['duration_seconds']} s" if isinstance(record.get("duration_seconds"), int) else "") + ").",
        "# The caller says what the real caller said; the assistant's production lines are comments.",
        "# Run your webhook at webhook_url below, then: aployee-sim run THIS_FILE",
        f"name: {_q('replay of ' + call_id)}",
        "seed: 0",
    ]
    created = record.get("created_at")
    if isinstance(created, str) and created.endswith("Z"):
        lines += ["clock:", f"  start: {_q(created[:-1])}", "  timezone: UTC"]
    first = transcript[0]["content"] if transcript[0]["role"] == "assistant" else None
    lines += ["assistants:", "  production:", f"    name: {_q(record['assistant_id'])}",
              "    reasoning_mode: webhook", f"    webhook_url: {_q(webhook_url)}"]
    if first is not None:
        lines.append(f"    first_message: {_q(first)}")
    lines += ["calls:", "  - assistant: production", f"    to: {_q(record['to'])}"]
    if record.get("from"):
        lines.append(f"    from: {_q(record['from'])}")
    lines.append("    # initial_state: {}   # not on the call record: copy it from your POST /v1/calls")
    lines.append("    caller:")
    last_user = max(i for i, t in enumerate(transcript) if t["role"] == "user")
    for index, turn in enumerate(transcript):
        if turn["role"] == "user":
            lines.append(f"      - say: {_q(turn['content'])}")
        elif index or first is None:
            lines.append(f"      # assistant: {turn['content']}")
    if last_user < len(transcript) - 1:
        lines += [f"      - expect: {_q(heard_pattern(transcript[-1]['content']))}   # the assistant's last answer",
                  "      - hangup"]
    expect = regression_expect(status=record["status"], reason=None, final_state=record.get("final_state"),
                               transcript=transcript, failed_webhooks=0)
    lines += ["    expect:   # how the call ended and what the assistant said, in order, with no webhook errors"]
    lines += [f"      {key}: {_q(value)}" for key, value in expect.items()]
    return "\n".join(lines) + "\n"
