"""Export one call: as JSON (everything the call view shows), or as a regression scenario YAML.

The scenario replays the caller's side of the call (what they said and pressed, in order)
against the same assistant and expects the same ending, so a call found by hand in the TUI
becomes a test. When the scenario package offers its own exporter it is used instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from simulator import events as ev
from tui.model import CallData


def call_json(data: CallData) -> dict[str, Any]:
    return {
        "call": data.details,
        "direction": data.direction,
        "assistant_name": data.assistant_name,
        "end_reason": data.end_reason,
        "initial_state": data.initial_state,
        "transcript": data.transcript,
        "events": [{"timestamp": e.at, "offset_ms": e.t_ms, "type": e.kind, **e.data} for e in data.events],
        "webhooks": data.exchanges,
        "latency": data.latency,
    }


def caller_steps(data: CallData) -> list[dict[str, Any]]:
    """The caller's side of the call as scenario steps: say, press digits, hang up."""
    steps: list[dict[str, Any]] = []
    for event in data.events:
        if event.kind == ev.USER_SPEECH:
            step: dict[str, Any] = {"say": event.data.get("content", "")}
            confidence = event.data.get("confidence")
            if confidence is not None and confidence != 1.0:
                step["confidence"] = confidence
            steps.append(step)
        elif event.kind == ev.DIGITS:
            steps.append({"digits": event.data.get("digits", "")})
        elif event.kind == ev.CALL_ENDED and event.data.get("reason") == ev.HANGUP_USER:
            steps.append({"hangup": True})
    return steps


def scenario_dict(data: CallData) -> dict[str, Any]:
    details = data.details
    call: dict[str, Any] = {"assistant": data.assistant_name or details["assistant_id"], "to": details["to"]}
    if details.get("from"):
        call["from"] = details["from"]
    if data.initial_state:
        call["initial_state"] = data.initial_state
    expect: dict[str, Any] = {"status": details["status"]}
    if data.end_reason:
        expect["reason"] = data.end_reason
    if details.get("final_state") is not None:
        expect["final_state"] = details["final_state"]
    scenario: dict[str, Any] = {
        "name": f"regression of {details['id']}",
        "description": f"Exported from the TUI: {details.get('summary') or 'call ' + details['id']}",
    }
    if data.assistant is not None:
        scenario["assistants"] = [{k: v for k, v in data.assistant.items()
                                   if v not in (None, [], {}) and k not in ("id", "created_at", "updated_at")}]
    scenario.update(call=call, caller=caller_steps(data), expect=expect)
    return scenario


def write_json(data: CallData, directory: Path) -> Path:
    path = directory / f"{data.id}.json"
    path.write_text(json.dumps(call_json(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_scenario(data: CallData, directory: Path) -> Path:
    path = directory / f"{data.id}.scenario.yaml"
    text = yaml.safe_dump(scenario_dict(data), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")
    return path
