"""Unit tests for the synthesiser's own logic with a fake pyttsx3 (no speech engine needed)."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

from aployee_sim.adapters.speech import (
    AudioClip,
    CollectingSink,
    SpeechSynthesizer,
    VoiceUnavailable,
    captured_output,
)
from aployee_sim.adapters.speech import synthesizer as synth_module


class FakeEngine:
    """Writes a WAV of `len(text) * 100` samples at 1000 per unit of volume; can fail the first N renders."""

    def __init__(self, empty_renders: int = 0) -> None:
        self.props = {"voice": "gmw/en", "rate": 200, "volume": 1.0}
        self.set_calls: list[tuple[str, object]] = []
        self.empty_renders = empty_renders
        self.renders = 0
        self._job: tuple[str, str] | None = None

    def getProperty(self, name: str):  # noqa: N802 (pyttsx3's API)
        return self.props[name]

    def setProperty(self, name: str, value) -> None:  # noqa: N802
        self.set_calls.append((name, value))
        self.props[name] = value

    def save_to_file(self, text: str, path: str) -> None:
        self._job = (text, path)

    def runAndWait(self) -> None:  # noqa: N802
        assert self._job is not None
        text, path = self._job
        self.renders += 1
        print(f"Audio saved to {path}")  # what the real espeak driver does
        os.write(2, b"C-level noise\n")
        n = 0 if self.renders <= self.empty_renders else len(text) * 100
        AudioClip.from_samples([1000] * n, 22_050).write_wav(path)


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch):
    def install(engine: FakeEngine | None = None, init_error: Exception | None = None) -> FakeEngine | None:
        mod = types.ModuleType("pyttsx3")

        def init():
            if init_error is not None:
                raise init_error
            return engine

        mod.init = init
        monkeypatch.setitem(sys.modules, "pyttsx3", mod)
        monkeypatch.setattr(synth_module, "_ENGINE", None)
        monkeypatch.setattr(synth_module, "_ENGINE_STATE", {})
        return engine

    return install


def test_captured_output_catches_fd_and_python_writes(capfd: pytest.CaptureFixture[str]) -> None:
    with captured_output() as printed:
        os.write(1, b"fd one\n")
        os.write(2, b"fd two\n")
        print("python level")
    assert "fd one" in printed[0] and "fd two" in printed[0] and "python level" in printed[0]
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    print("after")
    assert capfd.readouterr().out == "after\n"  # the descriptors are back


def test_missing_pyttsx3_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyttsx3", None)
    monkeypatch.setattr(synth_module, "_ENGINE", None)
    with pytest.raises(VoiceUnavailable, match=r"pyttsx3 is not installed.*aployee-sim\[voice\]"):
        SpeechSynthesizer().synthesize("hello")


def test_missing_espeak_names_the_fix(fake_engine, capfd: pytest.CaptureFixture[str]) -> None:
    fake_engine(init_error=OSError("libespeak-ng.so.1: cannot open shared object file"))
    with pytest.raises(VoiceUnavailable) as err:
        SpeechSynthesizer().synthesize("hello")
    assert "libespeak-ng.so.1" in err.value.problem
    assert "apt-get install libespeak-ng1 espeak-ng" in err.value.fix
    assert capfd.readouterr() == ("", "")


def test_output_is_kept_off_the_terminal(fake_engine, capfd: pytest.CaptureFixture[str]) -> None:
    fake_engine(FakeEngine())
    synth = SpeechSynthesizer()
    clip = synth.synthesize("hello")
    assert clip.frames == 500 and clip.sample_rate == 22_050
    assert capfd.readouterr() == ("", "")
    assert "Audio saved to" in synth.last_output and "C-level noise" in synth.last_output


def test_empty_renders_are_retried(fake_engine) -> None:
    engine = fake_engine(FakeEngine(empty_renders=2))
    assert SpeechSynthesizer().synthesize("hello").frames == 500
    assert engine.renders == 3


def test_persistently_empty_renders_are_an_error(fake_engine) -> None:
    engine = fake_engine(FakeEngine(empty_renders=99))
    with pytest.raises(RuntimeError, match="produced no audio"):
        SpeechSynthesizer().synthesize("hello")
    assert engine.renders == synth_module.RENDER_ATTEMPTS


def test_voice_is_set_only_when_it_changes_and_restored(fake_engine) -> None:
    engine = fake_engine(FakeEngine())
    SpeechSynthesizer().synthesize("a")
    SpeechSynthesizer(voice="ko").synthesize("b")
    SpeechSynthesizer(voice="ko").synthesize("c")
    SpeechSynthesizer().synthesize("d")
    assert engine.set_calls == [("voice", "ko"), ("voice", "gmw/en")]


def test_volume_scales_the_samples(fake_engine) -> None:
    fake_engine(FakeEngine())
    assert set(SpeechSynthesizer(volume=0.25).synthesize("hello").samples()) == {250}
    assert set(SpeechSynthesizer().synthesize("hello").samples()) == {1000}


def test_speak_skips_synthesis_when_muted(fake_engine) -> None:
    engine = fake_engine(FakeEngine())
    sink = CollectingSink(muted=True)
    assert SpeechSynthesizer().speak("hello", sink) is None
    assert engine.renders == 0 and sink.clips == []


def test_bad_isolation_is_refused() -> None:
    with pytest.raises(ValueError, match="isolation"):
        SpeechSynthesizer(isolation="thread")  # type: ignore[arg-type]
