"""Role-play's voice mode with Pilot: push-to-talk with partial results, the utterance said with its
confidence, the reply spoken, mute, and the fall-back to typing when the voice stack is missing.

The audio side is injected (a slow in-memory source, scripted recognition, a silent synthesiser
and a collecting sink), so this runs without vosk, eSpeak or a sound card; the real stack is
tested in tests/speech.
"""

from __future__ import annotations

import math
import threading

import pytest
from textual.widgets import Input, Static
from tui_helpers import wait_for

from aployee_sim.adapters.speech import AudioClip, CollectingSink, VoiceKit, VoiceUnavailable
from aployee_sim.fakes.microphone import ScriptedRecognizer, SilentSynthesizer
from aployee_sim.tui.screens.roleplay import RolePlayScreen

pytestmark = pytest.mark.anyio

TONE = AudioClip.from_samples([int(8000 * math.sin(2 * math.pi * 440 * i / 16_000)) for i in range(1_600)])


class HeldMicrophone:
    """A microphone that hears a tone for as long as it is read, a block at a time, until closed."""

    sample_rate = 16_000

    def __init__(self) -> None:
        self.closed = threading.Event()

    def read(self, frames: int) -> bytes:
        if self.closed.wait(0.01):
            return b""
        return TONE.pcm[: 2 * frames]

    def close(self) -> None:
        self.closed.set()


def _text(app, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id, Static).render())


async def _start_call(pilot, app, pacer) -> None:
    await pilot.press("p")
    await pilot.press("enter")  # Alex, the default number
    await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
    pacer.advance(10)           # dial, ring, answer, greeting
    await wait_for(pilot, lambda: "subscription renewal" in _text(app, "#talk-text"))
    pacer.advance(6)


async def test_push_to_talk_sends_the_recognised_line_and_speaks_the_reply(make_app, pacer, sim):
    mic, synth, sink = HeldMicrophone(), SilentSynthesizer(), CollectingSink()
    kit = VoiceKit(mic, ScriptedRecognizer(["yes please renew it"], confidence=0.83), synth, sink)
    app = make_app(tick_seconds=0.05, voice=lambda: kit)
    async with app.run_test(size=(100, 30)) as pilot:
        await _start_call(pilot, app, pacer)
        assert "ctrl+r talk" in _text(app, "#voice-status")
        await pilot.press("ctrl+r")      # opens the voice, starts recording
        await wait_for(pilot, lambda: "● recording" in _text(app, "#voice-status")
                       and "yes please" in _text(app, "#voice-status"))  # partial results, live
        await pilot.press("ctrl+r")      # stop: the final text is said
        await wait_for(pilot, lambda: "yes please renew it" in _text(app, "#talk-text"))
        assert "● recording" not in _text(app, "#voice-status")
        pacer.advance(8)
        await wait_for(pilot, lambda: "renewal is confirmed" in _text(app, "#talk-text"))
        await wait_for(pilot, lambda: any("renewal is confirmed" in s for s in synth.spoken))
        assert not any("subscription renewal" in s for s in synth.spoken)  # said before the voice was open
        await pilot.press("ctrl+n")
        assert "replies muted" in _text(app, "#voice-status") and sink.muted
        call_id = app.screen.call_id
    user = [e for e in sim.transcript(call_id)["transcript"] if e["role"] == "user"]
    assert [(e["content"], e["confidence"]) for e in user] == [("yes please renew it", 0.83)]
    assert mic.closed.is_set()          # leaving the screen closed the microphone


async def test_missing_voice_stack_falls_back_to_typing(make_app, pacer, sim):
    def no_model() -> VoiceKit:
        raise VoiceUnavailable("no speech recognition model is configured", "pass --vosk-model DIR")

    app = make_app(tick_seconds=0.05, voice=no_model)
    async with app.run_test(size=(100, 30)) as pilot:
        await _start_call(pilot, app, pacer)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "voice unavailable" in _text(app, "#voice-status"))
        assert "no speech recognition model is configured. Fix: pass --vosk-model DIR" in _text(app, "#voice-status")
        assert any("type instead" in n.message for n in app._notifications)
        assert app.focused is app.screen.query_one("#say", Input)
        app.screen.query_one("#say", Input).value = "How much does it cost?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "How much does it cost?" in _text(app, "#talk-text"))
        await pilot.press("ctrl+r")      # asking again shows the reason, nothing breaks
        assert sum("no speech recognition model" in n.message for n in app._notifications) == 2
