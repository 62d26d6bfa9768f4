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
from aployee_sim.core.reasoning import Decision, interpret, timed_out

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
class Utterance:
    """What the caller said, and where it sits in the dialogue (the end of its webhook `context`)."""

    text: str
    dialogue_index: int


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
        timeout = timings.mcp_timeout_ms if mode == "mcp" else timings.webhook_timeout_ms
        webhook = mode == "webhook"
        url = assistant.webhook_url or ""
        delivery = rt.reasoning(url, request, timeout) if webhook else self.brain("", request, timeout)
        if delivery.latency_ms is None:
            delivery.latency_ms = rt.rng.jitter_ms(*(timings.webhook_latency_ms if webhook
                                                     else timings.builtin_reasoning_ms))
        delivery = timed_out(delivery, timeout)
        decision = interpret(delivery)
        if decision.transfer_target is not None or decision.error is not None:
            decision = self._vet_transfer(delivery, decision)
        latency = delivery.latency_ms or 0
        if webhook:
            call.note((now, ev.WEBHOOK_CALLED, url, latency, decision.error, delivery.status_code))
            self.exchanges.append(Exchange(call.id, url, now, utterance.text, call.state, start, end, latency,
                                           delivery.status_code, delivery.body, decision.error))
        hold = latency - timings.hold_music_after_ms
        if hold > 0:
            self._hold_timer = rt.engine.schedule(timings.hold_music_after_ms, self._hold_music, hold)
        if latency:
            self._reasoning_timer = rt.engine.schedule(latency, self._reasoning_done, decision)
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
