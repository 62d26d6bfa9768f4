"""Event types of a call's append-only log.

The log is the truth: call details, live state, transcript, timeline and latency are all
projections of it. Public types are exactly the timeline types of docs/contract.md §2; internal types
carry what production does not show (status changes, state replacements, digits, hold music)
and never appear on `/v1/calls/{id}/timeline`.

An event reads as a plain tuple `(t_ms, type, data)`. A call logs some 60 events, so the frequent
types are *stored* flat, `(t_ms, type, value, value, …)` in the order of their `LAYOUTS` entry
(None where a key is absent): a payload dict costs about 200 bytes, a flat slot 8, and that is
what lets 100,000 calls share one process. Nothing outside this module knows the order: a flat
type is written with its constructor below (`user_speech(t_ms, content=..., ...)`, named fields,
no dict built), any type with `pack(t_ms, type, data)`, and read back with `unpack`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Event = tuple[int, str, dict[str, Any]]
Entry = tuple[Any, ...]  # an event as stored: flat for the types in LAYOUTS, else `(t_ms, type, data)`

# Public timeline types (docs/contract.md §2).
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
REASONING_FAILED = "reasoning_failed"  # {"mode", "error"}: a built-in or MCP turn failed before answering (a
#                                        rule's pattern stopped at its bound); a webhook's failure is on webhook_called

# Reasons on `call_ended` (docs/contract.md §2 decision).
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


# --- constructors of the flat types: keyword fields in layout order, returning the stored entry ---
def user_speech(t_ms: int, *, content: str, duration_ms: int, confidence: float | None = None,
                asr_ms: int | None = None) -> Entry:
    return (t_ms, USER_SPEECH, content, duration_ms, confidence, asr_ms)


def assistant_speech(t_ms: int, *, content: str, duration_ms: int, tts_ms: int | None = None,
                     agent_ms: int | None = None, source: str | None = None) -> Entry:
    return (t_ms, ASSISTANT_SPEECH, content, duration_ms, tts_ms, agent_ms, source)


def status_changed(t_ms: int, *, from_: str, to: str) -> Entry:
    return (t_ms, STATUS_CHANGED, from_, to)


def call_started(t_ms: int) -> Entry:
    return (t_ms, CALL_STARTED)


def call_ended(t_ms: int, *, status: str, reason: str) -> Entry:
    return (t_ms, CALL_ENDED, status, reason)


def reasoning_started(t_ms: int, *, mode: str) -> Entry:
    return (t_ms, REASONING_STARTED, mode)


def reasoning_completed(t_ms: int, *, duration_ms: int) -> Entry:
    return (t_ms, REASONING_COMPLETED, duration_ms)


def webhook_called(t_ms: int, *, url: str, duration_ms: int, error: str | None = None,
                   status_code: int | None = None) -> Entry:
    return (t_ms, WEBHOOK_CALLED, url, duration_ms, error, status_code)


def state_changed(t_ms: int, *, state: dict[str, Any]) -> Entry:
    return (t_ms, STATE_CHANGED, state)


def hold_music(t_ms: int, *, during: str, duration_ms: int) -> Entry:
    return (t_ms, HOLD_MUSIC, during, duration_ms)


def silence_detected(t_ms: int, *, duration_ms: int) -> Entry:
    return (t_ms, SILENCE_DETECTED, duration_ms)


def barge_in(t_ms: int, *, content: str) -> Entry:
    return (t_ms, BARGE_IN, content)


# The constructor of each flat type (a keyword `from_` stands for the key `from`);
# tests/core/test_events.py checks every one against its layout, through `pack` and `unpack`.
CONSTRUCTORS: dict[str, Callable[..., Entry]] = {
    USER_SPEECH: user_speech, ASSISTANT_SPEECH: assistant_speech, STATUS_CHANGED: status_changed,
    CALL_STARTED: call_started, CALL_ENDED: call_ended, REASONING_STARTED: reasoning_started,
    REASONING_COMPLETED: reasoning_completed, WEBHOOK_CALLED: webhook_called, STATE_CHANGED: state_changed,
    HOLD_MUSIC: hold_music, SILENCE_DETECTED: silence_detected, BARGE_IN: barge_in,
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
        return entry  # stored as it reads: `(t_ms, type, data)`
    return (entry[0], entry[1], {key: value for key, value in zip(layout, entry[2:], strict=True) if value is not None})
