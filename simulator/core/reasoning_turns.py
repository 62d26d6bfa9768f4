"""The reasoning half of a call turn (docs/contract.md §4): one utterance in, a reply, state or transfer out.

After each user utterance the reasoning agent runs: the webhook (or the built-in brain) gets the
documented request, one request at a time and in order; `reasoning_status` is active meanwhile;
past 3 s the caller hears hold music. The answer is judged by `reasoning.interpret`: a returned
`state` replaces the call's, a `reply` is spoken at the next natural turn, no reply means the
conversation agent acknowledges, and a bad answer is recorded on `webhook_called` and changes
nothing.

`ReasoningTurns` is the call process's reasoning part: it owns the queue of utterances waiting
for the agent, the turn in flight and the exchanges (webhook round trips and MCP tool calls, one
typed value each, recorded the same way: `contract.exchanges`), and reaches the rest of the call
only through `ReasoningHost` and the call's `TransferAttempt`. What differs between reasoning modes
(deadline, modelled latency, where the request goes, what an answer records, whether failures count
toward escalation) is one row of `POLICIES`, data in the manner of the lifecycle table. A new
reasoning backend is not a new part: it is one more `ReasoningBackend` returning a `Delivery` (see
`core.reasoning`), and a new mode one more row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aployee_sim.contract import events as ev
from aployee_sim.contract.exchanges import Exchange, McpExchange, WebhookExchange
from aployee_sim.contract.lifecycle import TERMINAL
from aployee_sim.contract.readonly import readonly_dataclass
from aployee_sim.core.engine import Timer
from aployee_sim.core.reasoning import (
    Decision,
    Delivery,
    PendingDelivery,
    ReasoningBackend,
    interpret,
    timed_out,
)
from aployee_sim.core.record import CallRecord
from aployee_sim.core.runtime import PartHost
from aployee_sim.core.timings import Timings
from aployee_sim.core.transfers import TransferAttempt, escalation_after_failures

ACKNOWLEDGEMENTS = ("Okay.", "Got it.", "I see.", "Alright.")


@readonly_dataclass
class Turn:
    """One reasoning request, by reference: when it went out and where, what the caller said, the
    state it carried and its dialogue window (the `context` lines [start, end)). A webhook's exchange
    is this turn and its answer."""

    sent_ms: int
    url: str
    utterance: str
    state: dict[str, Any]
    context_start: int
    context_end: int


@dataclass(slots=True)
class InFlight:
    """A webhook request on its way (pipelined delivery): what the turn needs once it is answered."""

    pending: PendingDelivery
    latency_ms: int  # the modelled round trip, drawn when the request went out
    turn: Turn


@dataclass(slots=True)
class Utterance:
    """What the caller said, and where it sits in the dialogue (the end of its webhook `context`)."""

    text: str
    dialogue_index: int


class ReasoningHost(PartHost, Protocol):
    """What the reasoning part needs from its call process."""

    @property
    def brain(self) -> ReasoningBackend:
        """The built-in brain, or an MCP assistant's backend (`core.mcp_turns`)."""
    @property
    def replies(self) -> list[str]:
        """What the assistant will say at its next natural turns, in order (appended to)."""
    def after_turn(self) -> None:
        """Give the floor to whoever holds nothing back."""


@readonly_dataclass
class ReasoningPolicy:
    """What differs between the ways an assistant reasons (`reasoning_mode`), as data: the table
    `POLICIES` below, so `ReasoningTurns` runs every turn one way and never asks which mode it is.

    `deliver` sends the request: a webhook through the platform's router (stubs, functions, real
    HTTP, possibly still in flight), the built-in brain and MCP rules through the call's own backend.
    `answered` turns the answer (after the deadline is applied) and the exchanges the backend made
    into what the call records: a webhook's answer is one exchange (its error shown on
    `webhook_called`); the built-in brain and MCP turns bring their own exchanges (an MCP turn's tool
    calls) and a failure of their own is a `reasoning_failed` event.
    `counts_failures`: failed answers in a row count toward `escalation.webhook_failures`."""

    timeout_ms: Callable[[Timings], int]
    modelled_ms: Callable[[Timings], tuple[int, int]]  # a latency the backend did not report itself
    deliver: Callable[[ReasoningHost, str, dict[str, Any], int], Delivery | PendingDelivery]
    answered: Callable[[CallRecord, Turn, tuple[Exchange, ...], Delivery, Decision], tuple[Exchange, ...]]
    counts_failures: bool


def _through_router(host: ReasoningHost, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery | PendingDelivery:
    return host.rt.reasoning(url, request, timeout_ms)


def _through_own_backend(host: ReasoningHost, url: str, request: dict[str, Any],
                         timeout_ms: int) -> Delivery | PendingDelivery:
    return host.brain("", request, timeout_ms)


def _webhook_answered(call: CallRecord, turn: Turn, made: tuple[Exchange, ...], delivery: Delivery,
                      decision: Decision) -> tuple[Exchange, ...]:
    return (WebhookExchange(call.id, turn.sent_ms, turn.url, turn.utterance, turn.state, turn.context_start,
                            turn.context_end, delivery.latency_ms or 0, delivery.status_code, delivery.body,
                            decision.error),)


def _own_answers(mode: str) -> Callable[[CallRecord, Turn, tuple[Exchange, ...], Delivery, Decision],
                                        tuple[Exchange, ...]]:
    def answered(call: CallRecord, turn: Turn, made: tuple[Exchange, ...], delivery: Delivery,
                 decision: Decision) -> tuple[Exchange, ...]:
        if delivery.error is not None:  # the brain or MCP rules failed (a pattern stopped, a timeout)
            call.add(ev.ReasoningFailed(turn.sent_ms, mode=mode, error=delivery.error))
        return made
    return answered


POLICIES: dict[str, ReasoningPolicy] = {
    "webhook": ReasoningPolicy(lambda t: t.webhook_timeout_ms, lambda t: t.webhook_latency_ms, _through_router,
                               _webhook_answered, counts_failures=True),
    "mcp": ReasoningPolicy(lambda t: t.mcp_timeout_ms, lambda t: t.builtin_reasoning_ms, _through_own_backend,
                           _own_answers("mcp"), counts_failures=False),
    "builtin": ReasoningPolicy(lambda t: t.webhook_timeout_ms, lambda t: t.builtin_reasoning_ms,
                               _through_own_backend, _own_answers("builtin"), counts_failures=False),
}


def turn_timeout_ms(mode: str, timings: Timings) -> int:
    """How long one reasoning turn may take: an MCP turn (all its tool calls) or a webhook round trip."""
    return POLICIES[mode].timeout_ms(timings)


class ReasoningTurns:
    """One call's reasoning: one request at a time, in order; later utterances wait in `queue`."""

    __slots__ = ("host", "transfer", "since", "queue", "in_flight", "timer", "hold_timer", "exchanges", "acks",
                 "webhook_failures")

    def __init__(self, host: ReasoningHost, transfer: TransferAttempt) -> None:
        self.host = host
        self.transfer = transfer
        self.since: int | None = None  # when the turn in flight started (None: idle)
        # Short queues (rarely over one item) as lists: an empty deque costs 760 bytes, a list 56.
        self.queue: list[Utterance] = []
        self.in_flight: InFlight | None = None  # a webhook request on its way (pipelined delivery)
        self.timer: Timer | None = None
        self.hold_timer: Timer | None = None
        self.exchanges: list[Exchange] = []  # every round trip to the outside, in the order made
        self.acks = 0
        self.webhook_failures = 0  # failed webhook answers in a row

    def hear(self, utterance: Utterance) -> None:
        """The caller finished an utterance: reason on it now, or after the turns before it."""
        if self.since is None:
            self._start_reasoning(utterance)
        else:
            self.queue.append(utterance)

    def resume(self) -> None:
        """Start the next waiting utterance, if idle (after a transfer that did not happen)."""
        if self.since is None and self.queue:
            self._start_reasoning(self.queue.pop(0))

    def stop(self) -> None:
        """The call ended: nothing more to wait for."""
        for timer in (self.timer, self.hold_timer):
            if timer is not None:
                timer.cancel()
        self.timer = self.hold_timer = None

    def _start_reasoning(self, utterance: Utterance) -> None:
        host = self.host
        rt, call, assistant = host.rt, host.record, host.assistant
        timings = rt.timings
        now = rt.engine.clock.now_ms
        self.since = now
        mode = assistant.reasoning_mode
        call.add(ev.ReasoningStarted(now, mode=mode))
        end = utterance.dialogue_index + 1
        start = max(0, end - timings.context_turns)
        request = {
            "call_id": call.id,
            "assistant_id": call.assistant_id,
            "utterance": utterance.text,
            "state": call.state,
            "context": call.context(start, end),
            "timestamp": rt.engine.clock.iso_seconds(now),
        }
        policy = POLICIES[mode]
        timeout = policy.timeout_ms(timings)
        url = assistant.webhook_url or ""
        delivery = policy.deliver(host, url, request, timeout)
        if not isinstance(delivery, Delivery):  # a real request on its way: collect it when it is due
            latency = host.rng.jitter_ms(*policy.modelled_ms(timings))  # drawn at send time (unused on a timeout)
            self.in_flight = InFlight(delivery, latency, Turn(now, url, utterance.text, call.state, start, end))
            due = min(latency, timings.hold_music_after_ms, timeout)
            if due:
                self.timer = rt.engine.schedule(due, self._collect_answer, True)
            else:
                self._collect_answer(True)
            return
        if delivery.latency_ms is None:
            delivery.latency_ms = host.rng.jitter_ms(*policy.modelled_ms(timings))
        self._answered(delivery, Turn(now, url, utterance.text, call.state, start, end), True)

    def _collect_answer(self, inline: bool) -> None:
        """Collect the in-flight answer (blocking on the wall clock only now, at most until the
        exchange's deadline) and finish the turn as if it had answered when it was sent.

        Runs when virtual time reaches the moment the answer is needed (`inline`), or earlier
        (`settle_answer`) when the call is about to log something else, so its log keeps the order
        a synchronous answer gives. Either way the record is the same; only wall time differs."""
        flight, self.in_flight = self.in_flight, None
        if flight is None:
            return
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        delivery = flight.pending.collect()
        if delivery.latency_ms is None:
            delivery.latency_ms = flight.latency_ms
        self._answered(delivery, flight.turn, inline)

    def settle_answer(self) -> None:
        """Before the call logs anything else: collect an answer still in flight (keeps log order)."""
        if self.in_flight is not None:
            self._collect_answer(False)

    def _answered(self, delivery: Delivery, turn: Turn, inline: bool) -> None:
        """Judge the answer to `turn`'s request; the reasoning completes `latency` after it was sent."""
        host = self.host
        sent_ms = turn.sent_ms
        rt, call, timings = host.rt, host.record, host.rt.timings
        policy = POLICIES[host.assistant.reasoning_mode]
        made = delivery.exchanges  # the backend's own round trips (an MCP turn's tool calls)
        delivery = timed_out(delivery, policy.timeout_ms(timings))
        decision = interpret(delivery)
        if decision.transfer_target is not None or decision.error is not None:
            decision = self.transfer.vet(delivery, decision)
        latency = delivery.latency_ms or 0
        for exchange in policy.answered(call, turn, made, delivery, decision):
            self._record(exchange)
        elapsed = rt.engine.clock.now_ms - sent_ms
        hold = latency - timings.hold_music_after_ms
        if hold > 0:
            self.hold_timer = rt.engine.schedule(timings.hold_music_after_ms - elapsed, self._hold_music, hold)
        if latency - elapsed or not inline:
            self.timer = rt.engine.schedule(latency - elapsed, self._reasoning_done, decision)
        else:
            self._reasoning_done(decision)  # an instant answer needs no timer

    def _record(self, exchange: Exchange) -> None:
        """Every exchange is kept, and put on the timeline: a webhook's `webhook_called` at once (its
        answer is in), a tool call's `mcp_tool_called` when virtual time reaches the call's end."""
        self.exchanges.append(exchange)
        match exchange:
            case WebhookExchange():
                self.host.record.add(ev.WebhookCalled(exchange.sent_ms, url=exchange.url, duration_ms=exchange.latency_ms,
                                                      error=exchange.error, status_code=exchange.status_code))
            case McpExchange():
                engine = self.host.rt.engine
                engine.schedule(exchange.sent_ms + exchange.latency_ms - engine.clock.now_ms, self._tool_called,
                                exchange)

    def _tool_called(self, exchange: McpExchange) -> None:
        call = self.host.record
        if call.status not in TERMINAL:  # a call that ended meanwhile keeps the exchange, not the event
            call.add(ev.McpToolCalled(self.host.rt.engine.clock.now_ms, tool=exchange.tool,
                                      duration_ms=exchange.latency_ms, error=exchange.error))

    def _hold_music(self, duration_ms: int) -> None:
        call = self.host.record
        if call.status not in TERMINAL:
            call.add(ev.HoldMusic(self.host.rt.engine.clock.now_ms, during="reasoning", duration_ms=duration_ms))

    def _reasoning_done(self, decision: Decision) -> None:
        host = self.host
        call = host.record
        if call.status in TERMINAL:
            return
        now = host.rt.engine.clock.now_ms
        call.add(ev.ReasoningCompleted(now, duration_ms=now - (self.since or now)))
        self.since = None
        if decision.state is not None:
            call.replace_state(now, decision.state)
        if decision.transfer_target is not None and self.transfer.attempt(decision.transfer_target, "webhook",
                                                                          decision.reply):
            return
        if decision.error is not None and POLICIES[host.assistant.reasoning_mode].counts_failures:
            self.webhook_failures += 1
            escalation = escalation_after_failures(host.assistant, self.webhook_failures)
            if escalation is not None:
                self.webhook_failures = 0  # the rule fires once per run of failures
                if self.transfer.attempt(*escalation):
                    return
        elif decision.error is None:
            self.webhook_failures = 0
        host.replies.append(decision.reply or self._acknowledgement())
        if self.queue:
            self._start_reasoning(self.queue.pop(0))
        host.after_turn()

    def _acknowledgement(self) -> str:
        text = ACKNOWLEDGEMENTS[self.acks % len(ACKNOWLEDGEMENTS)]
        self.acks += 1
        return text
