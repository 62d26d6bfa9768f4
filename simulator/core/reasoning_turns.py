"""The reasoning half of a call turn (CONTRACT §4): one utterance in, a reply, state or transfer out.

After each user utterance the reasoning agent runs: the webhook (or the built-in brain) gets the
documented request, one request at a time and in order; `reasoning_status` is active meanwhile;
past 3 s the caller hears hold music. The answer is judged by `reasoning.interpret`: a returned
`state` replaces the call's, a `reply` is spoken at the next natural turn, no reply means the
conversation agent acknowledges, and a bad answer is recorded on `webhook_called` and changes
nothing. A mixin of `CallProcess`, like `transfers.TransferSteps`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aployee_sim.contract import events as ev
from aployee_sim.contract.lifecycle import TERMINAL
from aployee_sim.core.reasoning import Decision, Delivery, PendingDelivery, interpret, timed_out
from aployee_sim.core.timings import Timings

if TYPE_CHECKING:
    from aployee_sim.core.call_process import CallProcess

ACKNOWLEDGEMENTS = ("Okay.", "Got it.", "I see.", "Alright.")


@dataclass(slots=True)
class Exchange:
    """One webhook round trip, compact: the request is rebuilt from these references on demand."""

    call_id: str
    url: str
    sent_ms: int
    utterance: str
    state: dict[str, Any]
    context_start: int
    context_end: int
    latency_ms: int
    status_code: int | None
    response: Any
    error: str | None


@dataclass(slots=True)
class InFlight:
    """A webhook request on its way (pipelined delivery): what the turn needs once it is answered."""

    pending: PendingDelivery
    latency_ms: int  # the modelled round trip, drawn when the request went out
    turn: tuple[int, str, dict[str, Any], int, int, str]  # `_answered`'s sent_ms, text, state, start, end, url


@dataclass(slots=True)
class Utterance:
    """What the caller said, and where it sits in the dialogue (the end of its webhook `context`)."""

    text: str
    dialogue_index: int


def turn_timeout_ms(mode: str, timings: Timings) -> int:
    """How long one reasoning turn may take: an MCP turn (all its tool calls) or a webhook round trip."""
    return timings.mcp_timeout_ms if mode == "mcp" else timings.webhook_timeout_ms


class ReasoningSteps:
    """The reasoning turn of `CallProcess` (a mixin: it reads and sets the process's fields)."""

    def _start_reasoning(self: CallProcess, utterance: Utterance) -> None:
        rt, call, assistant = self.rt, self.call, self.assistant
        timings = rt.timings
        now = rt.engine.clock.now_ms
        self._reasoning_since = now
        mode = assistant.reasoning_mode
        call.note((now, ev.REASONING_STARTED, mode))
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
        timeout = turn_timeout_ms(mode, timings)
        webhook = mode == "webhook"
        url = assistant.webhook_url or ""
        delivery = rt.reasoning(url, request, timeout) if webhook else self.brain("", request, timeout)
        if not isinstance(delivery, Delivery):  # a real request on its way: collect it when it is due
            latency = rt.rng.jitter_ms(*timings.webhook_latency_ms)  # drawn at send time (unused on a timeout)
            self._in_flight = InFlight(delivery, latency, (now, utterance.text, call.state, start, end, url))
            due = min(latency, timings.hold_music_after_ms, timeout)
            if due:
                self._reasoning_timer = rt.engine.schedule(due, self._collect_answer, True)
            else:
                self._collect_answer(True)
            return
        if delivery.latency_ms is None:
            delivery.latency_ms = rt.rng.jitter_ms(*(timings.webhook_latency_ms if webhook
                                                     else timings.builtin_reasoning_ms))
        self._answered(delivery, now, utterance.text, call.state, start, end, url, True)

    def _collect_answer(self: CallProcess, inline: bool) -> None:
        """Collect the in-flight answer (blocking on the wall clock only now, at most until the
        exchange's deadline) and finish the turn as if it had answered when it was sent.

        Runs when virtual time reaches the moment the answer is needed (`inline`), or earlier
        (`settle_answer`) when the call is about to log something else, so its log keeps the order
        a synchronous answer gives. Either way the record is the same; only wall time differs."""
        flight, self._in_flight = self._in_flight, None
        if flight is None:
            return
        if self._reasoning_timer is not None:
            self._reasoning_timer.cancel()
            self._reasoning_timer = None
        delivery = flight.pending.collect()
        if delivery.latency_ms is None:
            delivery.latency_ms = flight.latency_ms
        self._answered(delivery, *flight.turn, inline)

    def settle_answer(self: CallProcess) -> None:
        """Before the call logs anything else: collect an answer still in flight (keeps log order)."""
        if self._in_flight is not None:
            self._collect_answer(False)

    def _answered(self: CallProcess, delivery: Delivery, sent_ms: int, text: str, state: dict[str, Any],
                  start: int, end: int, url: str, inline: bool) -> None:
        """Judge the answer to the request sent at `sent_ms`; the reasoning completes `latency` after it."""
        rt, call, timings = self.rt, self.call, self.rt.timings
        delivery = timed_out(delivery, turn_timeout_ms(self.assistant.reasoning_mode, timings))
        decision = interpret(delivery)
        if decision.transfer_target is not None or decision.error is not None:
            decision = self._vet_transfer(delivery, decision)
        latency = delivery.latency_ms or 0
        if self.assistant.reasoning_mode == "webhook":
            call.note((sent_ms, ev.WEBHOOK_CALLED, url, latency, decision.error, delivery.status_code))
            self.exchanges.append(Exchange(call.id, url, sent_ms, text, state, start, end, latency,
                                           delivery.status_code, delivery.body, decision.error))
        elapsed = rt.engine.clock.now_ms - sent_ms
        hold = latency - timings.hold_music_after_ms
        if hold > 0:
            self._hold_timer = rt.engine.schedule(timings.hold_music_after_ms - elapsed, self._hold_music, hold)
        if latency - elapsed or not inline:
            self._reasoning_timer = rt.engine.schedule(latency - elapsed, self._reasoning_done, decision)
        else:
            self._reasoning_done(decision)  # an instant answer needs no timer

    def _hold_music(self: CallProcess, duration_ms: int) -> None:
        if self.call.status not in TERMINAL:
            self.call.note((self.rt.engine.clock.now_ms, ev.HOLD_MUSIC, "reasoning", duration_ms))

    def _reasoning_done(self: CallProcess, decision: Decision) -> None:
        call = self.call
        if call.status in TERMINAL:
            return
        now = self.rt.engine.clock.now_ms
        call.note((now, ev.REASONING_COMPLETED, now - (self._reasoning_since or now)))
        self._reasoning_since = None
        if decision.state is not None:
            call.replace_state(now, decision.state)
        if decision.transfer_target is not None and self._try_transfer(decision.transfer_target, "webhook",
                                                                       decision.reply):
            return
        if decision.error is not None and self.assistant.reasoning_mode == "webhook":
            self._webhook_failures += 1
            escalation = self._escalation_after_failures()
            if escalation is not None and self._try_transfer(*escalation):
                return
        elif decision.error is None:
            self._webhook_failures = 0
        self._replies.append(decision.reply or self._acknowledgement())
        if self._reasoning_queue:
            self._start_reasoning(self._reasoning_queue.pop(0))
        self._after_turn()

    def _acknowledgement(self: CallProcess) -> str:
        text = ACKNOWLEDGEMENTS[self._acks % len(ACKNOWLEDGEMENTS)]
        self._acks += 1
        return text
