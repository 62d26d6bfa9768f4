"""One call on the engine: dialing, the conversation agent's turn-taking, reasoning turns, endings.

The conversation agent answers on virtual time: speech lasts as long as its words take at the
speaking rate; the caller may speak over the assistant (barge-in); each user utterance goes to
the reasoning agent (webhook or built-in brain), one at a time and in order, and its reply is
spoken at the next natural turn (the floor is free: nobody speaking). Silence is detected and
ends the call after a timeout; end-call phrases, a maximum duration and transfers end it too.

The process owns its parts and talks to each through a small interface: `ReasoningTurns` (the
queue of utterances, the turn in flight, the webhook and MCP exchanges), `TransferAttempt` (hold, the
receiving party, the way back) and, on an inbound call, a `FrontDesk` (IVR menus and forwards,
`ports.FrontDesk`). The parts call back only the public methods below (`ReasoningHost`,
`TransferHost`, `ports.HeldCall`); the far end gets a `CallLine` (`ports.Line`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aployee_sim.contract import events as ev
from aployee_sim.contract.exchanges import Exchange
from aployee_sim.contract.lifecycle import COMPLETED, FAILED, IN_PROGRESS, RINGING, TERMINAL
from aployee_sim.contract.models import Assistant
from aployee_sim.core.engine import Timer, invoke
from aployee_sim.core.line import CallLine
from aployee_sim.core.phrases import any_phrase_in
from aployee_sim.core.ports import Caller, DialPlan, FrontDesk
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.reasoning import ReasoningBackend
from aployee_sim.core.reasoning_turns import ReasoningTurns, Utterance
from aployee_sim.core.record import OUTBOUND, CallRecord
from aployee_sim.core.runtime import Runtime
from aployee_sim.core.timings import speech_ms
from aployee_sim.core.transfers import TransferAttempt, requested_by_caller

SILENCE_PROMPT = "Are you still there?"


def default_greeting(assistant: Assistant) -> str:
    return f"Hi, this is {assistant.name}. How can I help you today?"


class CallProcess:
    """One call on the engine: its record, its assistant, its far end and its parts."""

    __slots__ = ("rt", "rng", "record", "assistant", "brain", "caller", "front", "line", "reasoning", "transfer",
                 "speaking", "_user_timer", "_user_backlog", "replies", "_reply_timer", "_silence_since",
                 "_silence_reported", "_silence_timer", "_max_timer")

    def __init__(self, rt: Runtime, rng: SeededRandom, record: CallRecord, assistant: Assistant,
                 brain: ReasoningBackend, caller: Caller, front: FrontDesk | None = None) -> None:
        self.rt = rt
        self.rng = rng  # this call's own stream (`SeededRandom.for_call`): every draw the call makes
        self.record = record
        self.assistant = assistant
        self.brain = brain  # the built-in brain, or an MCP assistant's backend (core.mcp_turns)
        self.caller = caller
        self.front = front  # holds the line before an assistant does (an inbound call's IVR or forward)
        self.line = CallLine(self)
        self.transfer = TransferAttempt(self)
        self.reasoning = ReasoningTurns(self, self.transfer)
        self.speaking: Timer | None = None
        self._user_timer: Timer | None = None
        # Short queues (rarely over one item) as lists: an empty deque costs 760 bytes, a list 56.
        self._user_backlog: list[tuple[str, float | None]] = []
        self.replies: list[str] = []  # what the assistant will say at the next natural turns, in order
        self._reply_timer: Timer | None = None
        self._silence_since: int | None = None
        self._silence_reported = False
        self._silence_timer: Timer | None = None
        self._max_timer: Timer | None = None

    @property
    def exchanges(self) -> list[Exchange]:
        """The call's webhook round trips and MCP tool calls so far."""
        return self.reasoning.exchanges

    @property
    def now_ms(self) -> int:
        return self.rt.engine.clock.now_ms

    @property
    def live(self) -> bool:
        return self.record.status == IN_PROGRESS

    @property
    def caller_speaking(self) -> bool:
        return self._user_timer is not None

    def after(self, delay_ms: int, fn: Callable[[], None]) -> Timer:
        return self.rt.engine.schedule(delay_ms, invoke, fn)

    def log(self, event: ev.Event) -> None:
        self.record.add(event)

    # --- dialing -------------------------------------------------------------------------
    def start(self, plan: DialPlan | None = None) -> None:
        """Ask the carrier what happens (unless an inbound arrival brings its own plan) and schedule
        the phases; nothing runs until the engine does."""
        if plan is None:
            plan = self.rt.carrier.dial(self.record.to, self.record.from_, self.rng)
        if plan.far_end is not None:
            self.caller = plan.far_end
        schedule = self.rt.engine.schedule
        if plan.result == "error":
            schedule(0, self._fail, ev.ERROR)
        elif plan.result == "busy":
            schedule(plan.dial_ms, self._fail, ev.BUSY)
        else:
            schedule(plan.dial_ms, self._ring, plan)

    def _ring(self, plan: DialPlan) -> None:
        if self.record.status in TERMINAL:
            return
        now = self.rt.engine.clock.now_ms
        self.record.change_status(now, RINGING)
        then: Callable[[Any], None]
        if plan.result == "no_answer":
            ring_ms, then = self.rt.timings.ring_timeout_ms, self._no_answer
        else:
            ring_ms, then = plan.ring_ms, self._connect
        if ring_ms and self.record.direction == OUTBOUND:  # an inbound caller hears ringback, not music
            self.record.add(ev.HoldMusic(now, during="ringing", duration_ms=ring_ms))
        self.rt.engine.schedule(ring_ms, then)

    def _fail(self, reason: str) -> None:
        if self.record.status not in TERMINAL:
            self.end(FAILED, reason)

    def _no_answer(self, _: Any) -> None:
        self._fail(ev.NO_ANSWER)

    def _connect(self, _: Any) -> None:
        if self.record.status in TERMINAL:
            return
        engine = self.rt.engine
        self.record.change_status(engine.clock.now_ms, IN_PROGRESS)
        self._max_timer = engine.schedule(self.rt.timings.max_duration_ms, self._max_duration)
        front = self.front
        if front is not None:
            # The menu prompt starts before the caller acts, so keys pressed at once interrupt it.
            front.connected(self)
        self.caller.connected(self.line)
        if self.record.status == IN_PROGRESS and front is None:
            self._greet()

    def _greet(self) -> None:
        first = self.assistant.first_message
        if first is None:
            first = default_greeting(self.assistant)
        if first:
            self.say(first)
        else:
            self._yield_floor()

    # --- the assistant speaking ------------------------------------------------------------
    def say(self, text: str, agent_ms: int | None = None) -> int:
        """The assistant speaks now; returns how long the speech lasts."""
        if self.reasoning.in_flight is not None:
            self.reasoning.settle_answer()
        rt = self.rt
        now = rt.engine.clock.now_ms
        timings = rt.timings
        duration = speech_ms(text, timings.assistant_words_per_minute, timings.min_speech_ms)
        self.record.add(ev.AssistantSpeech(now, content=text, duration_ms=duration,
                                           tts_ms=self.rng.jitter_ms(*timings.tts_ms), agent_ms=agent_ms))
        self.speaking = rt.engine.schedule(duration, self._assistant_done, text)
        self.caller.assistant_started(text, duration)
        return duration

    def take_floor(self) -> None:
        """The platform takes the floor (a transfer announcement): the assistant's speech and its
        pending reply stop, and the caller's silence no longer counts."""
        self._disarm_silence()
        for timer in (self.speaking, self._reply_timer):
            if timer is not None:
                timer.cancel()
        self.speaking = self._reply_timer = None

    def back_from_transfer(self, apology: str) -> None:
        self.replies.insert(0, apology)
        self.reasoning.resume()
        self.after_turn()

    # --- inbound: the platform's own voice and the hand-over to an assistant (`ports.HeldCall`) -----
    def announce(self, text: str, done: Callable[[], None], menu: str | None, attempt: int) -> int:
        """The platform speaks (an IVR prompt): `assistant_speech` with `source: "ivr"` on the
        timeline and transcript, `platform_prompt` internally; `done()` runs when it has been said."""
        timings, now = self.rt.timings, self.rt.engine.clock.now_ms
        duration = speech_ms(text, timings.assistant_words_per_minute, timings.min_speech_ms)
        self.record.add(ev.PlatformPrompt(now, content=text, duration_ms=duration, menu=menu, attempt=attempt))
        self.record.add(ev.AssistantSpeech(now, content=text, duration_ms=duration, source="ivr"))
        self.speaking = self.rt.engine.schedule(duration, self._announced, done)
        self.caller.assistant_started(text, duration)
        return duration

    def _announced(self, done: Callable[[], None]) -> None:
        self.speaking = None
        if self.record.status == IN_PROGRESS:
            done()

    def interrupt(self) -> None:
        if self.speaking is not None:
            self.speaking.cancel()
            self.speaking = None

    def caller_turn(self) -> None:
        self.caller.your_turn()

    def hand_over(self, assistant: Assistant, brain: ReasoningBackend) -> None:
        """The front desk is done: this assistant takes the call and greets the caller."""
        self.front = None
        self.assistant, self.brain = assistant, brain
        if self.record.assistant_id != assistant.id:
            self.record.add(ev.Routed(self.now_ms, assistant_id=assistant.id))  # folded into assistant_id
        self._greet()

    def forward(self, target: str, fallback: Callable[[], None]) -> None:
        """A routing rule or IVR option forwards the call: a cold transfer (trigger `routing`)."""
        self.front = None
        self.transfer.start(target, "routing", warm=False, fallback=fallback)

    def _assistant_done(self, text: str) -> None:
        if self.record.status in TERMINAL:
            return
        self.speaking = None
        if any_phrase_in(self.assistant.end_call_phrases, text):
            self.end(COMPLETED, ev.HANGUP_ASSISTANT)
            return
        self.after_turn()

    def after_turn(self) -> None:
        """Whoever holds nothing back gets the floor: a pending reply, else the caller."""
        if (self.speaking is not None or self._user_timer is not None or self.transfer.active
                or self.record.status in TERMINAL):
            return
        if self.replies:
            if self._reply_timer is None:
                gap = self.rng.jitter_ms(*self.rt.timings.response_gap_ms)
                if gap:
                    self._reply_timer = self.rt.engine.schedule(gap, self._speak_reply, gap)
                else:
                    self._speak_reply(0)  # no gap, no timer: the reply starts now
        elif self.reasoning.since is None:
            self._yield_floor()

    def _speak_reply(self, gap: int) -> None:
        self._reply_timer = None
        if self.record.status in TERMINAL or self.speaking is not None or self._user_timer is not None:
            return
        self.say(self.replies.pop(0), agent_ms=gap)

    def _yield_floor(self) -> None:
        self.caller.your_turn()
        # Silence counts from now, unless the caller answered at once (then there is none to count).
        if self._user_timer is None and self.record.status == IN_PROGRESS:
            self._arm_silence()

    # --- the caller ------------------------------------------------------------------------
    def user_says(self, text: str, confidence: float | None = None) -> int:
        """The caller starts speaking; returns the speech duration (0 when ignored or queued)."""
        if self.record.status != IN_PROGRESS or self.transfer.active:
            return 0
        if self._user_timer is not None:
            self._user_backlog.append((text, confidence))
            return 0
        if self.reasoning.in_flight is not None:
            self.reasoning.settle_answer()
        rt = self.rt
        now = rt.engine.clock.now_ms
        if self.speaking is not None:
            self.speaking.cancel()
            self.speaking = None
            self.record.add(ev.BargeIn(now, content=text))
        if self._reply_timer is not None:
            self._reply_timer.cancel()
            self._reply_timer = None
        self._disarm_silence()
        timings = rt.timings
        duration = speech_ms(text, timings.caller_words_per_minute, timings.min_speech_ms)
        self.record.add(ev.UserSpeech(now, content=text, duration_ms=duration,
                                      confidence=1.0 if confidence is None else confidence,
                                      asr_ms=self.rng.jitter_ms(*timings.asr_ms)))
        utterance = Utterance(text, len(self.record.dialogue) - 1)
        # Words begun while the front desk (IVR) holds the line are its input, even if it has moved on.
        done = self._user_done if self.front is None else self._front_heard
        self._user_timer = rt.engine.schedule(duration, done, utterance)
        return duration

    def _user_done(self, utterance: Utterance) -> None:
        self._user_timer = None
        if self.record.status in TERMINAL:
            return
        request = requested_by_caller(self.assistant, self.rt.transfer_phrases, utterance.text)
        if request is not None and self.transfer.attempt(*request):
            return
        self.reasoning.hear(utterance)
        if self._user_backlog:
            self.user_says(*self._user_backlog.pop(0))
        else:
            self.after_turn()

    def _front_heard(self, utterance: Utterance) -> None:
        self._user_timer = None
        if self.record.status in TERMINAL:
            return
        if self.front is not None:
            self.front.heard(utterance.text)
        if self._user_backlog:
            self.user_says(*self._user_backlog.pop(0))

    def user_presses(self, digits: str) -> None:
        if self.record.status == IN_PROGRESS:
            self.reasoning.settle_answer()
            self._disarm_silence()
            self.record.add(ev.Digits(self.now_ms, digits=digits))
            if self.front is not None:
                self.front.pressed(digits)

    def user_hangs_up(self) -> None:
        status = self.record.status
        if status == IN_PROGRESS:
            self.end(COMPLETED, ev.HANGUP_USER)
        elif status not in TERMINAL:
            self.end(FAILED, ev.HANGUP_USER)

    # --- silence and endings -----------------------------------------------------------------
    def _arm_silence(self) -> None:
        """Start counting the caller's silence. One lazily re-armed timer per call does the work,
        so a turn costs no timer churn: speaking just resets `_silence_since`."""
        if self._silence_since is not None:
            return
        self._silence_since = self.rt.engine.clock.now_ms
        self._silence_reported = False
        if self._silence_timer is None:
            self._silence_timer = self.rt.engine.schedule(self.rt.timings.silence_detect_ms, self._silence_check)

    def _disarm_silence(self) -> None:
        self._silence_since = None

    def _silence_check(self, _: Any) -> None:
        self._silence_timer = None
        since = self._silence_since
        if since is None or self.record.status != IN_PROGRESS or self.transfer.active:
            return
        timings, now = self.rt.timings, self.rt.engine.clock.now_ms
        if now >= since + timings.silence_timeout_ms:
            self.end(COMPLETED, ev.SILENCE_TIMEOUT)
            return
        if not self._silence_reported and now >= since + timings.silence_detect_ms:
            self._silence_reported = True
            self.record.add(ev.SilenceDetected(now, duration_ms=now - since))
            if self.speaking is None and self._user_timer is None:
                self.say(SILENCE_PROMPT)
        deadline = since + (timings.silence_timeout_ms if self._silence_reported else timings.silence_detect_ms)
        self._silence_timer = self.rt.engine.schedule(deadline - now, self._silence_check)

    def _max_duration(self, _: Any) -> None:
        if self.record.status == IN_PROGRESS:
            self.end(COMPLETED, ev.MAX_DURATION)

    def end(self, status: str, reason: str) -> None:
        """End the call now. Whatever it still has pending is cancelled, so an idle engine rests at
        the call's end instead of at its (never reached) maximum duration."""
        self.reasoning.settle_answer()  # a webhook answer still in flight is recorded before the end
        self._disarm_silence()
        for timer in (self.speaking, self._user_timer, self._reply_timer, self._silence_timer, self._max_timer):
            if timer is not None:
                timer.cancel()
        # Forget them too: a finished call keeps only its record (a timer holds a bound method).
        self.speaking = self._user_timer = self._reply_timer = self._silence_timer = self._max_timer = None
        self.reasoning.stop()
        self.transfer.stop()
        if self.front is not None:
            self.front.stop()
        self.record.end(self.rt.engine.clock.now_ms, status, reason)
        self.caller.ended(reason)
        if self.rt.on_ended is not None:
            self.rt.on_ended(self.record)
