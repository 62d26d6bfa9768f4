"""Event types of a call's append-only log.

The log is the truth: call details, live state, transcript, timeline and latency are all
projections of it. Public types are exactly the timeline types of CONTRACT §2; internal types
carry what production does not show (status changes, state replacements, digits, hold music)
and never appear on `/v1/calls/{id}/timeline`.

An event is a plain tuple `(t_ms, type, data)` so that a 10,000-call run stays small and fast.
"""

from __future__ import annotations

from typing import Any

Event = tuple[int, str, dict[str, Any]]

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
