"""The deterministic end-of-call summary (a documented rule, since production uses an LLM).

Rule: one sentence on how the call ended, one on what the caller first asked (if anything),
and one naming the final state's keys (if any). Example:
"Outbound call to +15551234567 completed after 3 caller turns. The caller opened with: "I need
to check my order status". Final state: customer_id, intent."
"""

from __future__ import annotations

from aployee_sim.contract import events as ev
from aployee_sim.core.record import CallRecord

_ENDINGS = {
    "completed": "completed",
    "failed": "failed",
    "transferred": "was transferred",
    "in_progress": "is in progress",
}
_REASONS = {
    ev.BUSY: "the line was busy",
    ev.NO_ANSWER: "nobody answered",
    ev.ERROR: "a carrier error",
    ev.INTERRUPTED: "the simulator stopped during the call",
}


def _caller_lines(call: CallRecord) -> list[str]:
    """What the caller said, in order: read from the dialogue, not the whole event log (a summary
    is built for every finished call's record, so this stays a scan of the speech alone)."""
    return [line.content for line in call.dialogue if isinstance(line, ev.UserSpeech)]


def _transfer_target(call: CallRecord) -> str | None:
    """The target of the last transfer attempt (searched from the end, where it is)."""
    return next((e.target for e in reversed(call.events) if isinstance(e, ev.TransferInitiated)), None)


def summarize(call: CallRecord) -> str:
    user_lines = _caller_lines(call)
    turns = len(user_lines)
    ending = _ENDINGS.get(call.status, call.status)
    sentence = f"{call.direction.capitalize()} call to {call.to} {ending}"
    if call.status == "failed" and call.end_reason in _REASONS:
        sentence += f": {_REASONS[call.end_reason]}"
    else:
        if call.status == "transferred":
            target = _transfer_target(call)
            sentence += f" to {target}" if target else ""
        sentence += f" after {turns} caller turn{'s' if turns != 1 else ''}"
    parts = [sentence + "."]
    if user_lines:
        parts.append(f'The caller opened with: "{user_lines[0]}".')
    if call.state:
        parts.append("Final state: " + ", ".join(sorted(map(str, call.state))) + ".")
    return " ".join(parts)
