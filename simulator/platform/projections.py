"""Resources as projections of a call's event log, shaped exactly as docs/contract.md §2 says.

Every function returns the JSON-ready dict that the matching HTTP route serves. The dicts are
built directly, not through the pydantic models of `aployee_sim.contract.models`: constructing and dumping
the models cost ~150 µs per call record, a quarter of a 10,000-call benchmark run. The models stay
the one schema (OpenAPI, `fixtures/schemas/`): keys here are in the order the models declare them
(`from` for `from_`, as the alias says), and tests/core/test_projection_models.py checks that
every projection round-trips through its model unchanged, so the two cannot drift apart.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic_core import to_jsonable_python

from aployee_sim.contract import events as ev
from aployee_sim.contract.exchanges import Exchange, McpExchange, WebhookExchange
from aployee_sim.contract.lifecycle import TERMINAL
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.record import CallRecord
from aployee_sim.core.summary import summarize


def json_copy(value: Any) -> Any:
    """A fresh copy of `value` exactly as `model_dump(mode="json")` renders an `Any` field.

    Resources must not alias live call state (a user mutating a returned `final_state` must not
    change the call), and pydantic turns tuples into lists and non-finite floats into null. Plain
    JSON types are copied here, fast; anything else (sets, datetimes, enums, non-string keys, ...)
    goes to pydantic's own serializer, so the bytes match and an unserialisable value still raises
    `PydanticSerializationError`.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is list or kind is tuple:
        return [json_copy(item) for item in value]
    if kind is dict:
        copy = {}
        for key, item in value.items():
            if type(key) is not str:
                break
            copy[key] = json_copy(item)
        else:
            return copy
    return to_jsonable_python(value, inf_nan_mode="null")


# --- reading the log ---------------------------------------------------------------------------
def reasoning_started_ms(call: CallRecord) -> int | None:
    """When the reasoning still running began, or None (docs/contract.md §2 live state)."""
    if call.status in TERMINAL:
        return None
    open_since: int | None = None
    pending = 0
    for event in call.events:
        if isinstance(event, ev.ReasoningStarted):
            pending += 1
            if pending == 1:
                open_since = event.t_ms
        elif isinstance(event, ev.ReasoningCompleted):
            pending -= 1
            open_since = None
    return open_since if pending > 0 else None


# --- the resources -----------------------------------------------------------------------------
def _created(call: CallRecord, clock: VirtualClock, status: str) -> dict[str, Any]:
    return {"id": call.id, "assistant_id": call.assistant_id, "status": status, "to": call.to, "from": call.from_,
            "created_at": clock.iso_seconds(call.created_ms)}


def call_created(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    return _created(call, clock, "initiated")


def call_details(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    """The create response's fields, then the later ones (`CallDetails` extends `CallCreated`)."""
    ended = call.status in TERMINAL
    iso = clock.iso_seconds
    details = _created(call, clock, call.status)
    details["started_at"] = iso(call.started_ms) if call.started_ms is not None else None
    details["ended_at"] = iso(call.ended_ms) if call.ended_ms is not None else None
    details["duration_seconds"] = call.duration_seconds(call.ended_ms) if call.ended_ms is not None and ended else None
    details["transcript"] = call.context()  # fresh line dicts
    details["summary"] = summarize(call) if ended else None
    details["final_state"] = json_copy(call.state) if ended else None
    return details


def live_state(call: CallRecord, clock: VirtualClock, now_ms: int) -> dict[str, Any]:
    iso = clock.iso_seconds
    started = reasoning_started_ms(call)
    return {
        "call_id": call.id, "status": call.status, "duration_seconds": call.duration_seconds(now_ms),
        "transcript": [{"role": line.role, "content": line.content, "timestamp": iso(line.t_ms)}
                       for line in call.dialogue],
        "current_state": json_copy(call.state),
        "reasoning_status": {"active": started is not None, "started_at": iso(started) if started is not None else None},
    }


def _confidence(line: ev.Speech) -> float | None:
    """As the model's `float | None` field renders it: `say(..., confidence=1)` shows as 1.0."""
    value = line.confidence if isinstance(line, ev.UserSpeech) else None
    return None if value is None else json_copy(float(value))


def transcript(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    iso = clock.iso_seconds
    return {
        "call_id": call.id,
        "transcript": [{"role": line.role, "content": line.content, "timestamp": iso(line.t_ms),
                        "confidence": _confidence(line)} for line in call.dialogue],
        "summary": summarize(call) if call.status in TERMINAL else None,
    }


def _timeline_event(clock: VirtualClock, event: ev.Event) -> dict[str, Any]:
    shown = {"type": event.type, "timestamp": clock.iso_millis(event.t_ms)}
    for key, value in ev.to_json(event).items():
        shown[key] = json_copy(value)
    return shown


def timeline(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    public = sorted((e for e in call.events if e.type in ev.PUBLIC_TYPES), key=lambda e: e.t_ms)
    return {"call_id": call.id, "events": [_timeline_event(clock, e) for e in public]}


def event_log(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    """`/_sim/calls/{id}/events`: the whole log, simulator-only types included, shaped like the
    timeline (in log order, values as the call holds them)."""
    return {"call_id": call.id,
            "events": [{"type": e.type, "timestamp": clock.iso_millis(e.t_ms), **ev.to_json(e)} for e in call.events]}


def _component(samples: list[int]) -> dict[str, int | None]:
    if not samples:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(samples)

    def rank(q: float) -> int:  # nearest-rank percentile
        return ordered[max(0, math.ceil(len(ordered) * q) - 1)]

    return {"count": len(ordered), "p50_ms": rank(0.5), "p95_ms": rank(0.95), "max_ms": ordered[-1]}


def _samples(call: CallRecord) -> dict[str, list[int]]:
    """Each latency component's figures, from the events that carry them (docs/contract.md §2 latency)."""
    samples: dict[str, list[int]] = {"asr": [], "tts": [], "conversation_agent": [], "reasoning_agent": [],
                                     "webhooks": [], "mcp": []}
    for event in call.events:
        match event:
            case ev.UserSpeech(asr_ms=int() as asr):
                samples["asr"].append(asr)
            case ev.AssistantSpeech(tts_ms=tts, agent_ms=agent):
                if tts is not None:
                    samples["tts"].append(tts)
                if agent is not None:
                    samples["conversation_agent"].append(agent)
            case ev.ReasoningCompleted(duration_ms=ms):
                samples["reasoning_agent"].append(ms)
            case ev.WebhookCalled(duration_ms=ms):
                samples["webhooks"].append(ms)
            case ev.McpToolCalled(duration_ms=ms):
                samples["mcp"].append(ms)
    return samples


def latency(call: CallRecord) -> dict[str, Any]:
    return {"call_id": call.id, "components": {name: _component(figures) for name, figures in _samples(call).items()}}


def exchange_view(exchange: Exchange, record: CallRecord, clock: VirtualClock, *,
                  wall_clock: bool = True) -> dict[str, Any]:
    """An exchange as `GET /_sim/webhooks`, `sim.exchanges` and exports show it (docs/contract.md §4b):
    a webhook's request rebuilt from the call's record, byte-identical to the one sent; an MCP tool
    call with `"kind": "mcp"`. `wall_clock=False` leaves out the one non-deterministic figure (`wall_ms`)."""
    match exchange:
        case WebhookExchange():
            return {
                "call_id": exchange.call_id, "url": exchange.url, "sent_at": clock.iso_millis(exchange.sent_ms),
                "duration_ms": exchange.latency_ms,
                "request": {"call_id": exchange.call_id, "assistant_id": record.assistant_id,
                            "utterance": exchange.utterance, "state": exchange.state,
                            "context": record.context(exchange.context_start, exchange.context_end), "timestamp": clock.iso_seconds(exchange.sent_ms)},
                "status_code": exchange.status_code, "response": exchange.response, "error": exchange.error,
            }
        case McpExchange():
            made = exchange.result
            result = None if made is None else {"content": made.content, "structured_content": made.structured,
                                                "is_error": made.is_error}
            view = {"kind": "mcp", "call_id": exchange.call_id, "server": exchange.server, "tool": exchange.tool,
                    "arguments": exchange.arguments, "sent_at": clock.iso_millis(exchange.sent_ms),
                    "duration_ms": exchange.latency_ms, "result": result, "error": exchange.error}
            if wall_clock:
                view["wall_ms"] = exchange.wall_ms
            return view
