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


# --- reading the log: the only places that know the event layout ------------------------------
def _speech(call: CallRecord) -> list[tuple[str, int, dict[str, Any]]]:
    """`(role, t_ms, data)` per line of the dialogue."""
    return [("user" if kind == ev.USER_SPEECH else "assistant", t_ms, data)
            for t_ms, kind, data in map(ev.unpack, call.dialogue)]


def _public_events(call: CallRecord) -> list[ev.Event]:
    """The timeline's events as `(t_ms, type, data)`, in time order."""
    public = [ev.unpack(entry) for entry in call.entries if entry[1] in ev.PUBLIC_TYPES]
    return sorted(public, key=lambda e: e[0])


def _samples(call: CallRecord, kind: str, key: str) -> list[int]:
    """The `key` figure of every `kind` event that has one."""
    return [e[2][key] for e in call.of_type(kind) if key in e[2]]


def reasoning_started_ms(call: CallRecord) -> int | None:
    """When the reasoning still running began, or None (docs/contract.md §2 live state)."""
    if call.status in TERMINAL:
        return None
    open_since: int | None = None
    pending = 0
    for entry in call.entries:
        t_ms, kind = entry[0], entry[1]
        if kind == ev.REASONING_STARTED:
            pending += 1
            if pending == 1:
                open_since = t_ms
        elif kind == ev.REASONING_COMPLETED:
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
        "transcript": [{"role": role, "content": data["content"], "timestamp": iso(t_ms)}
                       for role, t_ms, data in _speech(call)],
        "current_state": json_copy(call.state),
        "reasoning_status": {"active": started is not None, "started_at": iso(started) if started is not None else None},
    }


def _confidence(data: dict[str, Any]) -> float | None:
    """As the model's `float | None` field renders it: `say(..., confidence=1)` shows as 1.0."""
    value = data.get("confidence")
    return None if value is None else json_copy(float(value))


def transcript(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    iso = clock.iso_seconds
    return {
        "call_id": call.id,
        "transcript": [{"role": role, "content": data["content"], "timestamp": iso(t_ms), "confidence": _confidence(data)}
                       for role, t_ms, data in _speech(call)],
        "summary": summarize(call) if call.status in TERMINAL else None,
    }


def _timeline_event(clock: VirtualClock, t_ms: int, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    event = {"type": kind, "timestamp": clock.iso_millis(t_ms)}
    for key, value in data.items():
        event[key] = json_copy(value)
    return event


def timeline(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    return {"call_id": call.id, "events": [_timeline_event(clock, *e) for e in _public_events(call)]}


def _component(samples: list[int]) -> dict[str, int | None]:
    if not samples:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(samples)

    def rank(q: float) -> int:  # nearest-rank percentile
        return ordered[max(0, math.ceil(len(ordered) * q) - 1)]

    return {"count": len(ordered), "p50_ms": rank(0.5), "p95_ms": rank(0.95), "max_ms": ordered[-1]}


_LATENCY_SOURCES = (  # component, event type, figure (docs/contract.md §2 latency)
    ("asr", ev.USER_SPEECH, "asr_ms"),
    ("tts", ev.ASSISTANT_SPEECH, "tts_ms"),
    ("conversation_agent", ev.ASSISTANT_SPEECH, "agent_ms"),
    ("reasoning_agent", ev.REASONING_COMPLETED, "duration_ms"),
    ("webhooks", ev.WEBHOOK_CALLED, "duration_ms"),
    ("mcp", ev.MCP_TOOL_CALLED, "duration_ms"),
)


def latency(call: CallRecord) -> dict[str, Any]:
    return {"call_id": call.id,
            "components": {name: _component(_samples(call, kind, key)) for name, kind, key in _LATENCY_SOURCES}}
