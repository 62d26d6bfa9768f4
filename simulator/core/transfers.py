"""Transfers (docs/contract.md §5): three triggers, target checks, the warm hand-off, hold, and the way back.

Triggers: the webhook's `{"action": "transfer", "target": ...}` (trigger `webhook`), the
assistant's escalation rules (phrases, keywords, N failed webhooks in a row: `escalation_rule`),
the caller asking for a person (a configurable phrase list: `user_request`), and the simulator's
own `routing` trigger when an inbound routing rule or IVR option forwards a call.

A target that is empty, not E.164, or not on the assistant's `transfer_allowlist` is rejected:
an internal `transfer_rejected` event records why (and, for a webhook, `webhook_called` carries
the error as docs/contract.md §4 says) and the call goes on as if nothing had been asked.

An accepted target is announced ("Please hold..."; a webhook's `reply` is said instead when it
sent one), then `transfer_initiated` carries `target`, `trigger`, `warm` and, when warm, the
hand-off `context` (summary and current state) that the receiving party gets; a cold transfer
gives it nothing. The caller hears hold music while the party rings. Accepted: the call ends
`transferred`. Declined or unanswered: the caller is back with the assistant, which says so.

The rules (which words ask for a transfer, which targets are allowed) are plain functions; the
attempt in progress is `TransferAttempt`, a part of the call process that reaches the call only
through the small `TransferHost` interface.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from aployee_sim.contract import events as ev
from aployee_sim.contract.errors import is_e164
from aployee_sim.contract.lifecycle import IN_PROGRESS, TRANSFERRED
from aployee_sim.contract.models import Assistant
from aployee_sim.core.engine import Timer
from aployee_sim.core.phrases import any_phrase_in
from aployee_sim.core.ports import TransferAnswer
from aployee_sim.core.reasoning import Decision, Delivery
from aployee_sim.core.runtime import PartHost
from aployee_sim.core.summary import summarize

TRANSFER_ANNOUNCEMENT = "Please hold while I transfer your call."
TRANSFER_FAILED_REPLY = "I'm sorry, I couldn't reach anyone to take your call. Let's keep going."
DEFAULT_TRANSFER_PHRASES = ("transfer me to a human", "speak to a person", "talk to a person", "real agent",
                            "human agent", "speak to a human", "talk to a human", "speak to someone",
                            "representative", "real person", "live agent", "operator")
_ALLOWLIST_ENTRY = re.compile(r"\+[0-9]{0,15}\*|\*")
Request = tuple[str | None, str]  # (target or None, trigger)


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


def requested_by_caller(assistant: Assistant, phrases: tuple[str, ...], text: str) -> Request | None:
    """(target or None, trigger) when the caller's words call for a transfer, else None.
    Phrases match as whole words ("operator" is not in "cooperator"), case-insensitively."""
    for rule in assistant.escalation:
        if any_phrase_in(rule.phrases, text) or any_phrase_in(rule.keywords, text):
            return rule.target or assistant.transfer_target, "escalation_rule"
    if any_phrase_in(phrases, text):
        return assistant.transfer_target, "user_request"
    return None


def escalation_after_failures(assistant: Assistant, failures: int) -> Request | None:
    """The escalation rule that `failures` failed webhooks in a row set off, if any."""
    for rule in assistant.escalation:
        if rule.webhook_failures and failures >= rule.webhook_failures:
            return rule.target or assistant.transfer_target, "escalation_rule"
    return None


class TransferHost(PartHost, Protocol):
    """What a transfer attempt needs from its call process."""

    def take_floor(self) -> None:
        """Stop the assistant's speech and pending reply, and stop counting silence."""
    def say(self, text: str) -> int: ...
    def end(self, status: str, reason: str) -> None: ...
    def back_from_transfer(self, apology: str) -> None:
        """The transfer failed: the assistant has the caller again and says `apology` first."""


class TransferAttempt:
    """The transfer part of a call process: at most one attempt at a time, and its way back."""

    __slots__ = ("host", "active", "fallback", "timer")

    def __init__(self, host: TransferHost) -> None:
        self.host = host
        self.active = False  # the caller is on hold (or hearing the announcement)
        self.fallback: Callable[[], None] | None = None
        self.timer: Timer | None = None

    def vet(self, delivery: Delivery, decision: Decision) -> Decision:
        """A webhook's transfer to a target the assistant may not reach is an invalid answer
        (docs/contract.md §4: recorded on `webhook_called`, state unchanged); any refused transfer action
        is also recorded as `transfer_rejected`."""
        if decision.transfer_target is not None:
            problem = target_problem(self.host.assistant, decision.transfer_target)
            if problem is not None:
                decision = Decision(error=problem)
        body = delivery.body
        if decision.error is not None and isinstance(body, dict) and body.get("action") == "transfer":
            self._rejected(body.get("target"), "webhook", decision.error)
        return decision

    def attempt(self, target: str | None, trigger: str, announce: str | None = None) -> bool:
        """Transfer when the target is allowed; otherwise record why not and return False."""
        problem = target_problem(self.host.assistant, target)
        if problem is None and self.active:
            problem = "a transfer is already in progress"
        if problem is not None or target is None:
            self._rejected(target, trigger, problem or "")
            return False
        self.start(target, trigger, announce=announce or TRANSFER_ANNOUNCEMENT)
        return True

    def _rejected(self, target: Any, trigger: str, reason: str) -> None:
        record = self.host.record
        record.add(ev.TransferRejected(self.host.rt.engine.now_ms, target=target, trigger=trigger, reason=reason))

    def start(self, target: str, trigger: str, *, announce: str | None = None,
              warm: bool | None = None, fallback: Callable[[], None] | None = None) -> None:
        """Put the caller on hold and ring `target` (already checked). `fallback` replaces the
        assistant's "couldn't reach anyone" when the target declines or does not answer."""
        host = self.host
        rt, call = host.rt, host.record
        now = rt.engine.now_ms
        warm = host.assistant.warm_transfer if warm is None else warm
        context: dict[str, Any] = {"summary": summarize(call), "state": call.state} if warm else {}
        call.add(ev.TransferInitiated(now, target=target, trigger=trigger, warm=warm, context=context if warm else None))
        self.active = True
        self.fallback = fallback
        host.take_floor()
        spoken = host.say(announce) if announce else 0
        self.timer = rt.engine.schedule(spoken, self._ring, (target, context))

    def stop(self) -> None:
        """The call ended: nothing more to wait for."""
        if self.timer is not None:
            self.timer.cancel()
        self.timer = self.fallback = None

    def _ring(self, handoff: tuple[str, dict[str, Any]]) -> None:
        host = self.host
        if host.record.status != IN_PROGRESS:
            return
        rt, (target, context) = host.rt, handoff
        if rt.transfer_party is not None:
            answer = rt.transfer_party.answer(target, context, host.rng)
        else:
            answer = TransferAnswer("accept", host.rng.jitter_ms(*rt.timings.transfer_ring_ms))
        wait = rt.timings.transfer_timeout_ms if answer.result == "no_answer" else answer.ring_ms
        if wait:
            host.record.add(ev.HoldMusic(rt.engine.now_ms, during="transfer", duration_ms=wait))
        self.timer = rt.engine.schedule(wait, self._answered, (target, answer))

    def _answered(self, outcome: tuple[str, TransferAnswer]) -> None:
        host = self.host
        if host.record.status != IN_PROGRESS:
            return
        target, answer = outcome
        host.record.add(ev.TransferResult(host.rt.engine.now_ms, target=target, result=answer.result))
        if answer.result == "accept":
            host.end(TRANSFERRED, ev.TRANSFERRED)
            return
        self.active = False
        fallback, self.fallback = self.fallback, None
        if fallback is not None:
            fallback()
            return
        host.back_from_transfer(TRANSFER_FAILED_REPLY)
