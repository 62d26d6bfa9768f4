"""Resources as projections of a call's event log, shaped exactly as CONTRACT §2 says.

Every function returns the JSON-ready dict that the matching HTTP route serves, built through
the pydantic models in `simulator.models` so field names and order have one definition.
"""

from __future__ import annotations

import math
from typing import Any

from simulator import events as ev
from simulator import models as m
from simulator.call import CallRecord
from simulator.clock import VirtualClock
from simulator.lifecycle import TERMINAL
from simulator.summary import summarize


def call_created(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    return m.CallCreated(id=call.id, assistant_id=call.assistant_id, status="initiated", to=call.to,
                         from_=call.from_, created_at=clock.iso_seconds(call.created_ms)).dump()


def _dialogue(call: CallRecord) -> list[m.DialogueLine]:
    return [m.DialogueLine(**line) for line in call.context()]


def call_details(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    ended = call.status in TERMINAL
    iso = clock.iso_seconds
    return m.CallDetails(
        id=call.id, assistant_id=call.assistant_id, status=call.status, to=call.to, from_=call.from_,
        created_at=iso(call.created_ms),
        started_at=iso(call.started_ms) if call.started_ms is not None else None,
        ended_at=iso(call.ended_ms) if call.ended_ms is not None else None,
        duration_seconds=call.duration_seconds(call.ended_ms) if ended else None,
        transcript=_dialogue(call),
        summary=summarize(call) if ended else None,
        final_state=call.state if ended else None,
    ).dump()


def _speech_events(call: CallRecord) -> list[tuple[str, ev.Event]]:
    return [("user" if e[1] == ev.USER_SPEECH else "assistant", ev.unpack(e)) for e in call.dialogue]


def reasoning_started_ms(call: CallRecord) -> int | None:
    """When the reasoning still running began, or None (CONTRACT §2 live state)."""
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


def live_state(call: CallRecord, clock: VirtualClock, now_ms: int) -> dict[str, Any]:
    started = reasoning_started_ms(call)
    return m.LiveState(
        call_id=call.id, status=call.status, duration_seconds=call.duration_seconds(now_ms),
        transcript=[m.LiveTranscriptLine(role=role, content=e[2]["content"], timestamp=clock.iso_seconds(e[0]))
                    for role, e in _speech_events(call)],
        current_state=call.state,
        reasoning_status=m.ReasoningStatus(active=started is not None,
                                           started_at=clock.iso_seconds(started) if started is not None else None),
    ).dump()


def transcript(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    return m.CallTranscript(
        call_id=call.id,
        transcript=[m.TranscriptEntry(role=role, content=e[2]["content"], timestamp=clock.iso_seconds(e[0]),
                                      confidence=e[2].get("confidence")) for role, e in _speech_events(call)],
        summary=summarize(call) if call.status in TERMINAL else None,
    ).dump()


def timeline(call: CallRecord, clock: VirtualClock) -> dict[str, Any]:
    public = sorted((e for e in call.events if e[1] in ev.PUBLIC_TYPES), key=lambda e: e[0])
    return m.Timeline(
        call_id=call.id,
        events=[m.TimelineEvent(type=kind, timestamp=clock.iso_millis(t_ms), **data) for t_ms, kind, data in public],
    ).dump()


def _component(samples: list[int]) -> m.LatencyComponent:
    if not samples:
        return m.LatencyComponent(count=0, p50_ms=None, p95_ms=None, max_ms=None)
    ordered = sorted(samples)

    def rank(q: float) -> int:  # nearest-rank percentile
        return ordered[max(0, math.ceil(len(ordered) * q) - 1)]

    return m.LatencyComponent(count=len(ordered), p50_ms=rank(0.5), p95_ms=rank(0.95), max_ms=ordered[-1])


def latency(call: CallRecord) -> dict[str, Any]:
    def samples(kind: str, key: str) -> list[int]:
        return [e[2][key] for e in call.events if e[1] == kind and key in e[2]]

    return m.Latency(call_id=call.id, components=m.LatencyComponents(
        asr=_component(samples(ev.USER_SPEECH, "asr_ms")),
        tts=_component(samples(ev.ASSISTANT_SPEECH, "tts_ms")),
        conversation_agent=_component(samples(ev.ASSISTANT_SPEECH, "agent_ms")),
        reasoning_agent=_component(samples(ev.REASONING_COMPLETED, "duration_ms")),
        webhooks=_component(samples(ev.WEBHOOK_CALLED, "duration_ms")),
        mcp=_component(samples(ev.MCP_TOOL_CALLED, "duration_ms")),
    )).dump()
