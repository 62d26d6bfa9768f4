"""Export one call: as JSON (everything the call view shows), or as a regression scenario YAML.

The scenario (the `aployee-sim run` format, `aployee_sim.scenario.schema`) replays the caller's
side of the call (what they said and pressed, in order) against the same assistant and
expects the same ending, so a call found by hand in the TUI becomes a test. (The scenario
package's `importer` serves production call records, which lack the event log and the
assistant's settings; this export has both.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from aployee_sim.contract import events as ev
from aployee_sim.contract.exchanges import shown_kind
from aployee_sim.scenario.regression import (
    heard_pattern,
    regression_expect,
    stubs_for,
    tool_stubs_for,
    unreachable,
)
from aployee_sim.scenario.schema import Assistant as ScenarioAssistant
from aployee_sim.tui.inbound_export import inbound_world
from aployee_sim.tui.model import CallData


def call_json(data: CallData) -> dict[str, Any]:
    return {
        "call": data.details,
        "direction": data.direction,
        "assistant_name": data.assistant_name,
        "end_reason": data.end_reason,
        "initial_state": data.initial_state,
        "transcript": data.transcript,
        "events": [{"timestamp": e.at, "offset_ms": e.t_ms, "type": e.event.type, **ev.to_json(e.event)}
                   for e in data.events],
        "webhooks": data.exchanges,
        "latency": data.latency,
    }


def caller_steps(data: CallData) -> list[dict[str, Any]]:
    """The caller's side of the call as scenario steps: say, press digits, hang up.

    Before each action the caller first waits to hear the assistant's latest line (`expect`),
    so a replay keeps the original order of turns: digits and hang-ups are instant, and
    without the wait they would come before the answer they followed.
    """
    steps: list[dict[str, Any]] = []
    heard: str | None = None
    for row in data.events:
        event = row.event
        if isinstance(event, ev.AssistantSpeech):
            heard = event.content or heard
            continue
        hangs_up = isinstance(event, ev.CallEnded) and event.reason == ev.HANGUP_USER
        if (isinstance(event, ev.UserSpeech | ev.Digits) or hangs_up) and heard:
            steps.append({"expect": heard_pattern(heard)})
            heard = None
        if isinstance(event, ev.UserSpeech):
            step: dict[str, Any] = {"say": event.content}
            if event.confidence is not None and event.confidence != 1.0:
                step["confidence"] = event.confidence
            steps.append(step)
        elif isinstance(event, ev.Digits):
            steps.append({"digits": event.digits})
        elif hangs_up:
            steps.append({"hangup": True})
    return steps


def _assistant_spec(source: dict[str, Any]) -> dict[str, Any]:
    """An assistant as a scenario `assistants:` entry: only the keys the scenario format knows."""
    known = set(ScenarioAssistant.model_fields) - {"id"}   # seeded ids are not settings
    return {k: v for k, v in source.items() if k in known and v not in (None, [], {})}


def _carrier(data: CallData) -> dict[str, str]:
    """How the carrier ended a call that never connected (busy, no answer, a network error), as a
    scenario's `carrier:`: the record shows it, whatever made it so (a forced outcome, a test number)."""
    connected = any(isinstance(e.event, ev.CallStarted) for e in data.events)
    if connected or data.direction != "outbound" or data.end_reason not in (ev.BUSY, ev.NO_ANSWER, ev.ERROR):
        return {}
    return {data.details["to"]: data.end_reason}


def _transfer_party(data: CallData) -> dict[str, dict[str, list[str]]]:
    """How each transfer target answered, in order, as a scenario's `transfer_party:`."""
    outcomes: dict[str, list[str]] = {}
    for row in data.events:
        if isinstance(row.event, ev.TransferResult):
            outcomes.setdefault(row.event.target, []).append(row.event.result)
    return {target: {"outcomes": results} for target, results in outcomes.items()}


def scenario_dict(data: CallData) -> dict[str, Any]:
    """A scenario (the `aployee-sim run` format) that replays this call's caller and expects its ending."""
    details = data.details
    of = f"{details['id']} (run {data.run_id})" if data.run_id else details["id"]
    call: dict[str, Any] = {"name": f"replay of {of}"}
    scenario: dict[str, Any] = {
        "name": f"regression of {of}",
        "description": f"Exported from aployee-sim tui. {details.get('summary') or ''}".strip(),
        "clock": {"start": details["created_at"].rstrip("Z"), "timezone": "UTC"},
    }
    own = data.assistant or {"name": data.assistant_name or details["assistant_id"]}
    world = inbound_world(data) if data.direction == "inbound" else None
    if world is not None:  # the number's routing, menus and every assistant they reach
        scenario["assistants"] = {key: _assistant_spec(a) for key, a in world.assistants.items()}
        scenario["numbers"] = world.numbers
        for section, value in (("routing", world.routing), ("menus", world.menus)):
            if value:
                scenario[section] = value
        call["inbound"] = True
    else:
        scenario["assistants"] = {"assistant": _assistant_spec(own)}
        if data.direction == "inbound":  # no routing known (a server over HTTP): straight to the assistant
            scenario["numbers"] = {details["to"]: {"assistant": "assistant"}}
            call["inbound"] = True
        else:
            call["assistant"] = "assistant"
    call["to"] = details["to"]
    if details.get("from"):
        call["from"] = details["from"]
    if data.initial_state:
        call["initial_state"] = data.initial_state
    call["caller"] = caller_steps(data)
    hooked = [x for x in data.exchanges if shown_kind(x) == "webhook"]
    tool_calls = [x for x in data.exchanges if shown_kind(x) == "mcp"]
    webhook = own.get("reasoning_mode") == "webhook" or bool(hooked)
    call["expect"] = regression_expect(
        status=details["status"], reason=data.end_reason, final_state=details.get("final_state"),
        transcript=data.transcript, failed_webhooks=sum(1 for x in hooked if x.get("error")) if webhook else None)
    urls = {x["url"] for x in hooked}
    stubbed = {url for url in urls if url in data.in_process_webhooks or unreachable(url)}
    if stubbed:
        scenario["webhooks"] = stubs_for(hooked, stubbed)
    servers = {x["server"] for x in tool_calls}
    if tools := tool_stubs_for(tool_calls, {s for s in servers if s in data.in_process_webhooks or unreachable(s)}):
        scenario["mcp_tools"] = tools
    if carrier := _carrier(data):
        scenario["carrier"] = carrier
    if party := _transfer_party(data):
        scenario["transfer_party"] = party
    if data.timings:
        scenario["timings"] = data.timings
    scenario["calls"] = [call]
    return scenario


HEADER = """\
# Regression scenario exported from `aployee-sim tui`: the caller says and presses what the
# caller did, in order; the expectation is how the call ended, the assistant's lines in order and
# no more webhook errors than were recorded. Run it: aployee-sim run THIS_FILE
# It carries the call's world: its assistants, an inbound call's number, routing and menus, the
# carrier's ending, the transfer party's answers and the timings. A webhook or MCP server served
# in-process or on a test domain is replayed from its recorded answers (webhooks:, mcp_tools:);
# any other webhook_url is called for real: run your webhook there first.
"""


def _stem(data: CallData) -> str:
    """The file name: the call id, after its run's for a store's call (seeded ids repeat across runs)."""
    return f"{data.run_id}-{data.id}" if data.run_id else data.id


def write_json(data: CallData, directory: Path) -> Path:
    path = directory / f"{_stem(data)}.json"
    path.write_text(json.dumps(call_json(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_scenario(data: CallData, directory: Path) -> Path:
    path = directory / f"{_stem(data)}.scenario.yaml"
    text = HEADER + yaml.safe_dump(scenario_dict(data), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")
    return path
