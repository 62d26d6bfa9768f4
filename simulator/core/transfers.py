"""Transfers (CONTRACT §5): three triggers, target checks, the warm hand-off, hold, and the way back.

Triggers: the webhook's `{"action": "transfer", "target": ...}` (trigger `webhook`), the
assistant's escalation rules (phrases, keywords, N failed webhooks in a row: `escalation_rule`),
the caller asking for a person (a configurable phrase list: `user_request`), and the simulator's
own `routing` trigger when an inbound routing rule or IVR option forwards a call.

A target that is empty, not E.164, or not on the assistant's `transfer_allowlist` is rejected:
an internal `transfer_rejected` event records why (and, for a webhook, `webhook_called` carries
the error as CONTRACT §4 says) and the call goes on as if nothing had been asked.

An accepted target is announced ("Please hold..."; a webhook's `reply` is said instead when it
sent one), then `transfer_initiated` carries `target`, `trigger`, `warm` and, when warm, the
hand-off `context` (summary and current state) that the receiving party gets; a cold transfer
gives it nothing. The caller hears hold music while the party rings. Accepted: the call ends
`transferred`. Declined or unanswered: the caller is back with the assistant, which says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aployee_sim.contract import events as ev
from aployee_sim.contract.errors import is_e164
from aployee_sim.contract.lifecycle import IN_PROGRESS, TRANSFERRED
from aployee_sim.contract.models import Assistant
from aployee_sim.core.ports import TransferAnswer
from aployee_sim.core.reasoning import Decision, Delivery
from aployee_sim.core.routing import any_phrase_in
from aployee_sim.core.summary import summarize

if TYPE_CHECKING:
    from aployee_sim.core.call_process import CallProcess

TRANSFER_ANNOUNCEMENT = "Please hold while I transfer your call."
TRANSFER_FAILED_REPLY = "I'm sorry, I couldn't reach anyone to take your call. Let's keep going."
DEFAULT_TRANSFER_PHRASES = ("transfer me to a human", "speak to a person", "talk to a person", "real agent",
                            "human agent", "speak to a human", "talk to a human", "speak to someone",
                            "representative", "real person", "live agent", "operator")
_ALLOWLIST_ENTRY = re.compile(r"\+[0-9]{0,15}\*|\*")


def allowlist_entry_ok(entry: object) -> bool:
    """An allow-list entry is an E.164 number, or a prefix ending in `*` (`+44*`; `*` allows all)."""
    return is_e164(entry) or (isinstance(entry, str) and entry.isascii() and _ALLOWLIST_ENTRY.fullmatch(entry)
                              is not None)


def target_problem(assistant: Assistant, target: str | None) -> str | None:
    """Why the assistant may not transfer to `target`, or None when it may."""
    if not target:
        return "no transfer target: set the assistant's transfer_target or the escalation rule's target"
    if not is_e164(target):
        return f"invalid transfer target {target!r}; expected an E.164 number like +15551234567"
    allowlist = assistant.transfer_allowlist
    if allowlist is not None and not any(target == entry or (entry.endswith("*") and target.startswith(entry[:-1]))
                                         for entry in allowlist):
        return f"transfer target {target} is not on the assistant's transfer_allowlist"
    return None


class TransferSteps:
    """The transfer half of `CallProcess` (a mixin: it reads and sets the process's fields)."""

    def _transfer_requested(self: CallProcess, text: str) -> tuple[str | None, str] | None:
        """(target or None, trigger) when the caller's words call for a transfer, else None.
        Phrases match as whole words ("operator" is not in "cooperator"), case-insensitively."""
        assistant = self.assistant
        for rule in assistant.escalation:
            if any_phrase_in(rule.phrases, text) or any_phrase_in(rule.keywords, text):
                return rule.target or assistant.transfer_target, "escalation_rule"
        if any_phrase_in(self.rt.transfer_phrases, text):
            return assistant.transfer_target, "user_request"
        return None

    def _escalation_after_failures(self: CallProcess) -> tuple[str | None, str] | None:
        for rule in self.assistant.escalation:
            if rule.webhook_failures and self._webhook_failures >= rule.webhook_failures:
                self._webhook_failures = 0  # the rule fires once per run of failures
                return rule.target or self.assistant.transfer_target, "escalation_rule"
        return None

    def _vet_transfer(self: CallProcess, delivery: Delivery, decision: Decision) -> Decision:
        """A webhook's transfer to a target the assistant may not reach is an invalid answer
        (CONTRACT §4: recorded on `webhook_called`, state unchanged); any refused transfer action
        is also recorded as `transfer_rejected`."""
        if decision.transfer_target is not None:
            problem = target_problem(self.assistant, decision.transfer_target)
            if problem is not None:
                decision = Decision(error=problem)
        body = delivery.body
        if decision.error is not None and isinstance(body, dict) and body.get("action") == "transfer":
            self.call.log(self.rt.engine.now_ms, ev.TRANSFER_REJECTED,
                          {"target": body.get("target"), "trigger": "webhook", "reason": decision.error})
        return decision

    def _try_transfer(self: CallProcess, target: str | None, trigger: str, announce: str | None = None) -> bool:
        """Transfer when the target is allowed; otherwise record why not and return False."""
        problem = target_problem(self.assistant, target)
        if problem is None and self._transferring:
            problem = "a transfer is already in progress"
        if problem is not None:
            self.call.log(self.rt.engine.now_ms, ev.TRANSFER_REJECTED,
                          {"target": target, "trigger": trigger, "reason": problem})
            return False
        self._transfer(target, trigger, announce=announce or TRANSFER_ANNOUNCEMENT)
        return True

    def _transfer(self: CallProcess, target: str, trigger: str, *, announce: str | None = None,
                  warm: bool | None = None, fallback: Callable[[], None] | None = None) -> None:
        """Put the caller on hold and ring `target` (already checked). `fallback` replaces the
        assistant's "couldn't reach anyone" when the target declines or does not answer."""
        rt, call = self.rt, self.call
        now = rt.engine.now_ms
        warm = self.assistant.warm_transfer if warm is None else warm
        data: dict[str, Any] = {"target": target, "trigger": trigger, "warm": warm}
        context = {"summary": summarize(call), "state": call.state} if warm else {}
        if warm:
            data["context"] = context
        call.log(now, ev.TRANSFER_INITIATED, data)
        self._transferring = True
        self._transfer_fallback = fallback
        self._disarm_silence()
        for timer in (self.speaking, self._reply_timer):
            if timer is not None:
                timer.cancel()
        self.speaking = self._reply_timer = None
        spoken = self._say(announce) if announce else 0
        self._transfer_timer = rt.engine.schedule(spoken, self._ring_transfer, (target, context))

    def _ring_transfer(self: CallProcess, handoff: tuple[str, dict[str, Any]]) -> None:
        if self.call.status != IN_PROGRESS:
            return
        rt, (target, context) = self.rt, handoff
        if rt.transfer_party is not None:
            answer = rt.transfer_party.answer(target, context, rt.rng)
        else:
            answer = TransferAnswer("accept", rt.rng.jitter_ms(*rt.timings.transfer_ring_ms))
        wait = rt.timings.transfer_timeout_ms if answer.result == "no_answer" else answer.ring_ms
        if wait:
            self.call.log(rt.engine.now_ms, ev.HOLD_MUSIC, {"during": "transfer", "duration_ms": wait})
        self._transfer_timer = rt.engine.schedule(wait, self._transfer_answered, (target, answer))

    def _transfer_answered(self: CallProcess, outcome: tuple[str, TransferAnswer]) -> None:
        if self.call.status != IN_PROGRESS:
            return
        target, answer = outcome
        self.call.log(self.rt.engine.now_ms, ev.TRANSFER_RESULT, {"target": target, "result": answer.result})
        if answer.result == "accept":
            self._end(TRANSFERRED, ev.TRANSFERRED)
            return
        self._transferring = False
        fallback, self._transfer_fallback = self._transfer_fallback, None
        if fallback is not None:
            fallback()
            return
        self._replies.insert(0, TRANSFER_FAILED_REPLY)
        if self._reasoning_since is None and self._reasoning_queue:
            self._start_reasoning(self._reasoning_queue.pop(0))
        self._after_turn()
