"""Event types of a call's append-only log.

The log is the truth: call details, live state, transcript, timeline and latency are all
projections of it. Public types are exactly the timeline types of CONTRACT §2; internal types
carry what production does not show (status changes, state replacements, digits, hold music)
and never appear on `/v1/calls/{id}/timeline`.

An event reads as a plain tuple `(t_ms, type, data)`. A call logs some 60 events, so the frequent
types are *stored* flat, `(t_ms, type, value, value, …)` in the order of their `LAYOUTS` entry
(None where a key is absent): a payload dict costs about 200 bytes, a flat slot 8, and that is
what lets 100,000 calls share one process. `pack` and `unpack` convert; nothing else knows.
"""

from __future__ import annotations

from typing import Any

Event = tuple[int, str, dict[str, Any]]
Entry = tuple[Any, ...]  # an event as stored: flat for the types in LAYOUTS, else `(t_ms, type, data)`

# Public timeline types (CONTRACT §2).
CALL_STARTED = "call_started"
CALL_ENDED = "call_ended"
USER_SPEECH = "user_speech"
ASSISTANT_SPEECH = "assistant_speech"
REASONING_STARTED = "reasoning_started"
REASONING_COMPLETED = "reasoning_completed"
WEBHOOK_CALLED = "webhook_called"
MCP_TOOL_CALLED = "mcp_tool_called"
BARGE_IN = "barge_in"
SILENCE_DETECTED = "silence_detected"
TRANSFER_INITIATED = "transfer_initiated"

PUBLIC_TYPES: frozenset[str] = frozenset({
    CALL_STARTED, CALL_ENDED, USER_SPEECH, ASSISTANT_SPEECH, REASONING_STARTED, REASONING_COMPLETED,
    WEBHOOK_CALLED, MCP_TOOL_CALLED, BARGE_IN, SILENCE_DETECTED, TRANSFER_INITIATED,
})

# Internal types (simulator-only; visible through /_sim, the TUI and scenario expectations).
STATUS_CHANGED = "status_changed"   # {"from", "to"}
STATE_CHANGED = "state_changed"     # {"state"}: the webhook or brain replaced the call state
DIGITS = "digits"                   # {"digits"}: the far end pressed keys
HOLD_MUSIC = "hold_music"           # {"during": "ringing"|"reasoning"|"transfer", "duration_ms"}
TRANSFER_RESULT = "transfer_result"  # {"target", "result": "accept"|"decline"|"no_answer"}
PLATFORM_PROMPT = "platform_prompt"  # {"content", "duration_ms", "menu"}: the platform spoke (IVR menus)
TRANSFER_REJECTED = "transfer_rejected"  # {"target", "trigger", "reason"}: a transfer was refused, the call went on
INBOUND_ROUTED = "inbound_routed"    # {"number", "rule_set", "rule", "destination"}: time-based routing chose
IVR_CHOICE = "ivr_choice"            # {"menu", "input", "by": "digits"|"speech"|"timeout", "option"|None}
ROUTED = "routed"                    # {"assistant_id"}: routing handed the call to this assistant
MCP_TOOLS_MISSING = "mcp_tools_missing"  # {"server", "tools"}: allow-listed tools the MCP server does not list

# Reasons on `call_ended` (CONTRACT §2 decision).
HANGUP_USER = "hangup_user"
HANGUP_ASSISTANT = "hangup_assistant"
BUSY = "busy"
NO_ANSWER = "no_answer"
ERROR = "error"
TRANSFERRED = "transferred"
SILENCE_TIMEOUT = "silence_timeout"
MAX_DURATION = "max_duration"
IVR_FAILED = "ivr_failed"  # no valid IVR choice within the menu's attempts, and no on_failure
INTERRUPTED = "interrupted"  # the simulator stopped while the call was live (ended on restart, docs/store.md)


# Stored layouts of the frequent types: the keys, in the order `unpack` gives them back.
LAYOUTS: dict[str, tuple[str, ...]] = {
    USER_SPEECH: ("content", "duration_ms", "confidence", "asr_ms"),
    ASSISTANT_SPEECH: ("content", "duration_ms", "tts_ms", "agent_ms", "source"),
    STATUS_CHANGED: ("from", "to"),
    CALL_STARTED: (),
    CALL_ENDED: ("status", "reason"),
    REASONING_STARTED: ("mode",),
    REASONING_COMPLETED: ("duration_ms",),
    WEBHOOK_CALLED: ("url", "duration_ms", "error", "status_code"),
    STATE_CHANGED: ("state",),
    HOLD_MUSIC: ("during", "duration_ms"),
    SILENCE_DETECTED: ("duration_ms",),
    BARGE_IN: ("content",),
}


def pack(t_ms: int, kind: str, data: dict[str, Any]) -> Entry:
    """The stored form of an event. A key outside its type's layout is a programming error."""
    layout = LAYOUTS.get(kind)
    if layout is None:
        return (t_ms, kind, data)
    if not data.keys() <= set(layout):
        raise ValueError(f"{kind} event keys {sorted(data)} are not among its layout {list(layout)}")
    get = data.get
    return (t_ms, kind, *[get(key) for key in layout])


def unpack(entry: Entry) -> Event:
    """The event an entry stores, as `(t_ms, type, data)` (a fresh dict each time)."""
    layout = LAYOUTS.get(entry[1])
    if layout is None:
        return entry  # type: ignore[return-value]
    return (entry[0], entry[1], {key: value for key, value in zip(layout, entry[2:], strict=True) if value is not None})
