"""The microphone caller with an in-memory source, scripted recognition and a collecting sink.

No vosk, no sound card: the end-pointing is real (tones separated by silence), the words are
scripted, the call is a real built-in-brain call on the virtual clock.
"""

from __future__ import annotations

import math
import threading

from aployee_sim.adapters.speech import ArraySource, AudioClip, CollectingSink, concat
from aployee_sim.api import Simulator
from aployee_sim.fakes.microphone import MicrophoneCaller, ScriptedRecognizer, SilentSynthesizer


def tone(seconds: float, hz: float = 440.0) -> AudioClip:
    n = round(seconds * 16_000)
    return AudioClip.from_samples([int(8000 * math.sin(2 * math.pi * hz * i / 16_000)) for i in range(n)])


def two_utterances() -> AudioClip:
    return concat([AudioClip.silence(0.5), tone(0.6), AudioClip.silence(1.0), tone(0.6), AudioClip.silence(1.0)])


def support_desk(sim: Simulator) -> str:
    return sim.create_assistant(
        name="Sam", first_message="Acme support, how can I help?", end_call_phrases=["goodbye"],
        intents=[{"keywords": ["refund"], "reply": "I've started a refund."},
                 {"keywords": ["bye"], "reply": "You're welcome, goodbye!"}],
        fallback_reply="Could you tell me more?")["id"]


def drive(sim: Simulator, call_id: str, caller: MicrophoneCaller, steps: int = 2_000) -> None:
    """The engine-thread loop of a driver, on virtual time: wait for the worker, drain, run 0.1 s."""
    for _ in range(steps):
        caller.wait_listening(2.0)
        caller.pump()
        sim.run(seconds=0.1)
        if sim.is_terminal(call_id):
            return
    raise AssertionError("the call did not end")


def test_each_utterance_is_said_at_the_callers_turn_with_its_confidence() -> None:
    sim = Simulator(seed=3)
    partials: list[str] = []
    sink, synth = CollectingSink(), SilentSynthesizer()
    caller = MicrophoneCaller(ArraySource(two_utterances()), ScriptedRecognizer(["I want a refund", "bye then"],
                                                                               confidence=0.71),
                              synthesizer=synth, sink=sink, hold_until_turn=True, hang_up_when_done=True,
                              on_partial=partials.append)
    call_id = sim.start_call(support_desk(sim), "+15551234567", caller=caller)["id"]
    drive(sim, call_id, caller)
    caller.wait_replies()
    caller.close()
    entries = sim.transcript(call_id)["transcript"]
    assert [(e["role"], e["content"], e["confidence"]) for e in entries] == [
        ("assistant", "Acme support, how can I help?", None),
        ("user", "I want a refund", 0.71),
        ("assistant", "I've started a refund.", None),
        ("user", "bye then", 0.71),
        ("assistant", "You're welcome, goodbye!", None),
    ]
    assert partials[:4] == ["I", "I want", "I want a", "I want a refund"]
    assert synth.spoken == ["Acme support, how can I help?", "I've started a refund.", "You're welcome, goodbye!"]
    assert len(sink.clips) == 3


def test_hangs_up_when_the_source_is_used_up_and_mute_plays_nothing() -> None:
    sim = Simulator(seed=3)
    sink = CollectingSink(muted=True)
    caller = MicrophoneCaller(ArraySource(concat([tone(0.5), AudioClip.silence(1.0)])),
                              ScriptedRecognizer(["hello there"]), synthesizer=SilentSynthesizer(), sink=sink,
                              hold_until_turn=True, hang_up_when_done=True)
    call_id = sim.start_call(support_desk(sim), "+15551234567", caller=caller)["id"]
    drive(sim, call_id, caller)
    caller.close()
    assert sim.record(call_id).status == "completed"
    assert [e["content"] for e in sim.transcript(call_id)["transcript"]][1:] == ["hello there",
                                                                                  "Could you tell me more?"]
    assert caller.ended_reason is not None and caller.finished
    assert sink.clips == [] and sink.dropped == 0  # muted: not even synthesised


def test_push_to_talk_records_only_between_start_and_stop() -> None:
    sim = Simulator(seed=3)
    listening: list[bool] = []
    caller = MicrophoneCaller(ArraySource(tone(0.3)), ScriptedRecognizer(["refund please"]), push_to_talk=True,
                              on_listening=listening.append)
    call_id = sim.start_call(support_desk(sim), "+15551234567", caller=caller)["id"]
    sim.run(seconds=15)
    assert caller.pump() == 0  # nothing is recorded until the key is pressed
    assert caller.start_talking()
    caller.stop_talking()
    caller.wait_listening()
    caller.pump()
    sim.run(seconds=5)
    caller.close()
    assert listening == [True, False]
    assert [e["content"] for e in sim.transcript(call_id)["transcript"]][-2:] == ["refund please",
                                                                                   "I've started a refund."]


def test_a_failing_source_is_reported_on_the_engine_thread() -> None:
    class Broken(ArraySource):
        def read(self, frames: int) -> bytes:
            raise OSError("device unplugged")

    seen: list[tuple[str, bool]] = []
    sim = Simulator(seed=3)
    caller = MicrophoneCaller(Broken(b""), ScriptedRecognizer([]),
                              on_error=lambda exc: seen.append((str(exc), threading.current_thread()
                                                                is threading.main_thread())))
    sim.start_call(support_desk(sim), "+15551234567", caller=caller)
    sim.run(seconds=10)
    caller.wait_listening()
    caller.pump()
    caller.close()
    assert seen == [("device unplugged", True)]


def test_live_driver_hangs_up_at_the_time_limit() -> None:
    """`call --max-seconds`: the real-time loop is bounded; a call still running then is hung up."""
    from aployee_sim.commands.call import drive_live

    sim = Simulator(seed=3)
    caller = MicrophoneCaller(ArraySource(AudioClip.silence(1.0)), ScriptedRecognizer([]))
    call_id = sim.start_call(support_desk(sim), "+15551234567", caller=caller)["id"]
    drive_live(sim, call_id, caller, max_seconds=0.2, speed=50)  # 10 virtual seconds: answered, greeted
    caller.close()
    record = sim.record(call_id)
    assert record.status == "completed" and record.end_reason == "hangup_user"
    assert sim.now_ms == 10_000  # capped at the limit, whatever the wall clock did
