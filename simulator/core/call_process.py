"""One call on the engine: dialing, the conversation agent's turn-taking, reasoning turns, endings.

The conversation agent answers on virtual time: speech lasts as long as its words take at the
speaking rate; the caller may speak over the assistant (barge-in); each user utterance goes to
the reasoning agent (webhook or built-in brain), one at a time and in order, and its reply is
spoken at the next natural turn (the floor is free: nobody speaking). Silence is detected and
ends the call after a timeout; end-call phrases, a maximum duration and transfers end it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aployee_sim.contract import events as ev
from aployee_sim.contract.lifecycle import COMPLETED, FAILED, IN_PROGRESS, RINGING, TERMINAL
from aployee_sim.contract.models import Assistant
from aployee_sim.core.engine import Engine, Timer
from aployee_sim.core.mcp_turns import ToolExchange
from aployee_sim.core.ports import Caller, Carrier, DialPlan, TransferParty
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.reasoning import ReasoningBackend
from aployee_sim.core.reasoning_turns import Exchange, InFlight, ReasoningSteps, Utterance
from aployee_sim.core.record import OUTBOUND, CallRecord
from aployee_sim.core.timings import Timings, speech_ms
from aployee_sim.core.transfers import DEFAULT_TRANSFER_PHRASES, TransferSteps

SILENCE_PROMPT = "Are you still there?"


def default_greeting(assistant: Assistant) -> str:
    return f"Hi, this is {assistant.name}. How can I help you today?"


@dataclass(slots=True)
class Runtime:
    """What every call process shares: the engine, the random source, timings and the ports."""

    engine: Engine
    rng: SeededRandom
    timings: Timings
    carrier: Carrier
    reasoning: ReasoningBackend
    transfer_party: TransferParty | None = None
    transfer_phrases: tuple[str, ...] = DEFAULT_TRANSFER_PHRASES
    on_ended: Callable[[CallRecord], None] | None = None
    on_started: Callable[[CallProcess], None] | None = None


def _invoke(fn: Callable[[], None]) -> None:
    fn()


class CallLine:
    """The far end's side of the phone line (the `Line` port)."""

    __slots__ = ("_process",)

    def __init__(self, process: CallProcess) -> None:
        self._process = process

    @property
    def now_ms(self) -> int:
        return self._process.rt.engine.clock.now_ms

    @property
    def assistant_speaking(self) -> bool:
        return self._process.speaking is not None

    @property
    def live(self) -> bool:
        return self._process.call.status == IN_PROGRESS

    def say(self, text: str, *, confidence: float | None = None) -> int:
        """Speak now; returns how long the speech lasts (0 when the line is not live)."""
        return self._process.user_says(text, confidence)

    def press(self, digits: str) -> None:
        self._process.user_presses(digits)

    def hang_up(self) -> None:
        self._process.user_hangs_up()

    def after(self, delay_ms: int, fn: Callable[[], None]) -> Timer:
        return self._process.rt.engine.schedule(delay_ms, _invoke, fn)


@dataclass(eq=False)
class CallProcess(ReasoningSteps, TransferSteps):
    rt: Runtime
    call: CallRecord
    assistant: Assistant
    brain: ReasoningBackend  # the built-in brain, or an MCP assistant's backend (core.mcp_turns)
    caller: Caller
    speaking: Timer | None = None
    exchanges: list[Exchange | ToolExchange] = field(default_factory=list)
    _user_timer: Timer | None = None
    # Short queues (rarely over one item) as lists: an empty deque costs 760 bytes, a list 56.
    _user_backlog: list[tuple[str, float | None]] = field(default_factory=list)
    _reasoning_since: int | None = None
    _reasoning_queue: list[Utterance] = field(default_factory=list)
    _in_flight: InFlight | None = None  # a webhook request on its way (pipelined delivery)
    _replies: list[str] = field(default_factory=list)
    _reply_timer: Timer | None = None
    _silence_since: int | None = None
    _silence_reported: bool = False
    _silence_timer: Timer | None = None
    _max_timer: Timer | None = None
    _reasoning_timer: Timer | None = None
    _hold_timer: Timer | None = None
    _transfer_timer: Timer | None = None
    _acks: int = 0
    _webhook_failures: int = 0
    _transferring: bool = False
    _transfer_fallback: Callable[[], None] | None = None
    # Holds the line before an assistant does (an inbound call's IVR or forward, aployee_sim.platform.inbound):
    # it gets `connected(process)`, `heard(text)` and `pressed(keys)` until it calls `hand_over`.
    front: Any = None

    def __post_init__(self) -> None:
        self.line = CallLine(self)

    # --- dialing -------------------------------------------------------------------------
    def start(self, plan: DialPlan | None = None) -> None:
        """Ask the carrier what happens (unless an inbound arrival brings its own plan) and schedule
        the phases; nothing runs until the engine does."""
        if plan is None:
            plan = self.rt.carrier.dial(self.call.to, self.call.from_, self.rt.rng)
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
        if self.call.status in TERMINAL:
            return
        now = self.rt.engine.clock.now_ms
        self.call.change_status(now, RINGING)
        if plan.result == "no_answer":
            ring_ms, then, arg = self.rt.timings.ring_timeout_ms, self._fail, ev.NO_ANSWER
        else:
            ring_ms, then, arg = plan.ring_ms, self._connect, None
        if ring_ms and self.call.direction == OUTBOUND:  # an inbound caller hears ringback, not music
            self.call.note((now, ev.HOLD_MUSIC, "ringing", ring_ms))
        self.rt.engine.schedule(ring_ms, then, arg)

    def _fail(self, reason: str) -> None:
        if self.call.status not in TERMINAL:
            self._end(FAILED, reason)

    def _connect(self, _: Any = None) -> None:
        if self.call.status in TERMINAL:
            return
        engine = self.rt.engine
        self.call.change_status(engine.clock.now_ms, IN_PROGRESS)
        self._max_timer = engine.schedule(self.rt.timings.max_duration_ms, self._max_duration)
        if self.rt.on_started is not None:
            self.rt.on_started(self)
        front = self.front
        if front is not None:
            # The menu prompt starts before the caller acts, so keys pressed at once interrupt it.
            front.connected(self)
        self.caller.connected(self.line)
        if self.call.status == IN_PROGRESS and front is None:
            self._greet()

    def _greet(self) -> None:
        first = self.assistant.first_message
        if first is None:
            first = default_greeting(self.assistant)
        if first:
            self._say(first)
        else:
            self._yield_floor()

    # --- the assistant speaking ------------------------------------------------------------
    def _say(self, text: str, agent_ms: int | None = None) -> int:
        """Speak now; returns how long the speech lasts."""
        if self._in_flight is not None:
            self.settle_answer()
        rt = self.rt
        now = rt.engine.clock.now_ms
        timings = rt.timings
        duration = speech_ms(text, timings.assistant_words_per_minute, timings.min_speech_ms)
        self.call.add((now, ev.ASSISTANT_SPEECH, text, duration, rt.rng.jitter_ms(*timings.tts_ms), agent_ms, None))
        self.speaking = rt.engine.schedule(duration, self._assistant_done, text)
        self.caller.assistant_started(text, duration)
        return duration

    # --- inbound: the platform's own voice and the hand-over to an assistant ----------------------
    def platform_say(self, text: str, done: Callable[[], None], data: dict[str, Any]) -> int:
        """The platform speaks (an IVR prompt): `assistant_speech` with `source: "ivr"` on the
        timeline and transcript, `platform_prompt` internally; `done()` runs when it has been said."""
        timings, now = self.rt.timings, self.rt.engine.clock.now_ms
        duration = speech_ms(text, timings.assistant_words_per_minute, timings.min_speech_ms)
        self.call.log(now, ev.PLATFORM_PROMPT, {"content": text, "duration_ms": duration, **data})
        self.call.add((now, ev.ASSISTANT_SPEECH, text, duration, None, None, "ivr"))
        self.speaking = self.rt.engine.schedule(duration, self._platform_said, done)
        self.caller.assistant_started(text, duration)
        return duration

    def _platform_said(self, done: Callable[[], None]) -> None:
        self.speaking = None
        if self.call.status == IN_PROGRESS:
            done()

    def hand_over(self, assistant: Assistant, brain: ReasoningBackend) -> None:
        """The front desk is done: this assistant takes the call and greets the caller."""
        self.front = None
        self.assistant, self.brain = assistant, brain
        if self.call.assistant_id != assistant.id:
            self.call.assistant_id = assistant.id
            self.call.log(self.rt.engine.clock.now_ms, ev.ROUTED, {"assistant_id": assistant.id})
        self._greet()

    def forward(self, target: str, fallback: Callable[[], None]) -> None:
        """A routing rule or IVR option forwards the call: a cold transfer (trigger `routing`)."""
        self.front = None
        self._transfer(target, "routing", warm=False, fallback=fallback)

    def _assistant_done(self, text: str) -> None:
        if self.call.status in TERMINAL:
            return
        self.speaking = None
        phrases = self.assistant.end_call_phrases
        if phrases and any(phrase.lower() in text.lower() for phrase in phrases):
            self._end(COMPLETED, ev.HANGUP_ASSISTANT)
            return
        self._after_turn()

    def _after_turn(self) -> None:
        """Whoever holds nothing back gets the floor: a pending reply, else the caller."""
        if (self.speaking is not None or self._user_timer is not None or self._transferring
                or self.call.status in TERMINAL):
            return
        if self._replies:
            if self._reply_timer is None:
                gap = self.rt.rng.jitter_ms(*self.rt.timings.response_gap_ms)
                if gap:
                    self._reply_timer = self.rt.engine.schedule(gap, self._speak_reply, gap)
                else:
                    self._speak_reply(0)  # no gap, no timer: the reply starts now
        elif self._reasoning_since is None:
            self._yield_floor()

    def _speak_reply(self, gap: int) -> None:
        self._reply_timer = None
        if self.call.status in TERMINAL or self.speaking is not None or self._user_timer is not None:
            return
        self._say(self._replies.pop(0), agent_ms=gap)

    def _yield_floor(self) -> None:
        self.caller.your_turn()
        # Silence counts from now, unless the caller answered at once (then there is none to count).
        if self._user_timer is None and self.call.status == IN_PROGRESS:
            self._arm_silence()

    # --- the caller ------------------------------------------------------------------------
    def user_says(self, text: str, confidence: float | None = None) -> int:
        """The caller starts speaking; returns the speech duration (0 when ignored or queued)."""
        if self.call.status != IN_PROGRESS or self._transferring:
            return 0
        if self._user_timer is not None:
            self._user_backlog.append((text, confidence))
            return 0
        if self._in_flight is not None:
            self.settle_answer()
        rt = self.rt
        now = rt.engine.clock.now_ms
        if self.speaking is not None:
            self.speaking.cancel()
            self.speaking = None
            self.call.note((now, ev.BARGE_IN, text))
        if self._reply_timer is not None:
            self._reply_timer.cancel()
            self._reply_timer = None
        self._disarm_silence()
        timings = rt.timings
        duration = speech_ms(text, timings.caller_words_per_minute, timings.min_speech_ms)
        self.call.add((now, ev.USER_SPEECH, text, duration, 1.0 if confidence is None else confidence,
                      rt.rng.jitter_ms(*timings.asr_ms)))
        utterance = Utterance(text, len(self.call.dialogue) - 1)
        # Words begun while the front desk (IVR) holds the line are its input, even if it has moved on.
        done = self._user_done if self.front is None else self._front_heard
        self._user_timer = rt.engine.schedule(duration, done, utterance)
        return duration

    def _user_done(self, utterance: Utterance) -> None:
        self._user_timer = None
        if self.call.status in TERMINAL:
            return
        request = self._transfer_requested(utterance.text)
        if request is not None and self._try_transfer(*request):
            return
        if self._reasoning_since is None:
            self._start_reasoning(utterance)
        else:
            self._reasoning_queue.append(utterance)
        if self._user_backlog:
            self.user_says(*self._user_backlog.pop(0))
        else:
            self._after_turn()

    def _front_heard(self, utterance: Utterance) -> None:
        self._user_timer = None
        if self.call.status in TERMINAL:
            return
        if self.front is not None:
            self.front.heard(utterance.text)
        if self._user_backlog:
            self.user_says(*self._user_backlog.pop(0))

    def user_presses(self, digits: str) -> None:
        if self.call.status == IN_PROGRESS:
            self.settle_answer()
            self._disarm_silence()
            self.call.log(self.rt.engine.clock.now_ms, ev.DIGITS, {"digits": digits})
            if self.front is not None:
                self.front.pressed(digits)

    def user_hangs_up(self) -> None:
        status = self.call.status
        if status == IN_PROGRESS:
            self._end(COMPLETED, ev.HANGUP_USER)
        elif status not in TERMINAL:
            self._end(FAILED, ev.HANGUP_USER)

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
        if since is None or self.call.status != IN_PROGRESS or self._transferring:
            return
        timings, now = self.rt.timings, self.rt.engine.clock.now_ms
        if now >= since + timings.silence_timeout_ms:
            self._end(COMPLETED, ev.SILENCE_TIMEOUT)
            return
        if not self._silence_reported and now >= since + timings.silence_detect_ms:
            self._silence_reported = True
            self.call.note((now, ev.SILENCE_DETECTED, now - since))
            if self.speaking is None and self._user_timer is None:
                self._say(SILENCE_PROMPT)
        deadline = since + (timings.silence_timeout_ms if self._silence_reported else timings.silence_detect_ms)
        self._silence_timer = self.rt.engine.schedule(deadline - now, self._silence_check)

    def _max_duration(self, _: Any) -> None:
        if self.call.status == IN_PROGRESS:
            self._end(COMPLETED, ev.MAX_DURATION)

    def _end(self, status: str, reason: str) -> None:
        # Cancel what this call still has pending, so an idle engine rests at the call's end
        # instead of at its (never reached) maximum duration.
        self.settle_answer()  # a webhook answer still in flight is recorded before the end
        self._disarm_silence()
        for timer in (self.speaking, self._user_timer, self._reply_timer, self._silence_timer, self._max_timer,
                      self._reasoning_timer, self._hold_timer, self._transfer_timer):
            if timer is not None:
                timer.cancel()
        # Forget them too: a finished call keeps only its record (a timer holds a bound method).
        self.speaking = self._user_timer = self._reply_timer = self._silence_timer = self._max_timer = None
        self._reasoning_timer = self._hold_timer = self._transfer_timer = None
        if self.front is not None:
            self.front.stop()
        self.call.end(self.rt.engine.clock.now_ms, status, reason)
        self.caller.ended(reason)
        if self.rt.on_ended is not None:
            self.rt.on_ended(self.call)
