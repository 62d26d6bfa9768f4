"""Unit tests for the recogniser's own logic, with a scripted fake of the vosk module.

The fake "hears" the PCM bytes literally: each fed chunk is a word written as UTF-8 bytes (padded to
an even length), an empty chunk is silence. That makes partials, segments, confidence and grammar
handling checkable without a model; the real model is exercised in test_speech_voice_real.py.
"""

from __future__ import annotations

import json
import sys
import threading
import types
from pathlib import Path

import pytest

from aployee_sim.adapters.speech import (
    MODEL_ENV,
    ArraySource,
    AudioClip,
    EnergyEndpointer,
    SpeechRecognizer,
    VoiceUnavailable,
    choose_model,
    load_model,
)
from aployee_sim.adapters.speech import recognizer as recognizer_module

VOCAB = {"hello": 1, "world": 2, "transfer": 3, "me": 4, "yes": 5, "no": 6}


class FakeModel:
    def __init__(self, path: str | None = None, lang: str | None = None) -> None:
        self.path, self.lang = path, lang

    def vosk_model_find_word(self, word: str) -> int:
        return VOCAB.get(word, -1)


class FakeKaldi:
    """Words arrive as `word:conf;` text in the PCM; `|` closes a segment (vosk's own endpoint)."""

    def __init__(self, model: FakeModel, rate: int, grammar: str | None = None) -> None:
        self.grammar = json.loads(grammar) if grammar else None
        self.pending: list[tuple[str, float]] = []
        self.words = False

    def SetWords(self, on: bool) -> None:  # noqa: N802 (vosk's API)
        self.words = on

    def AcceptWaveform(self, data: bytes) -> bool:  # noqa: N802
        if b":" not in data:  # plain audio: silence to this fake
            return False
        text = data.decode().strip("\x00")
        closed = text.endswith("|")
        for token in filter(None, text.rstrip("|").split(";")):
            word, conf = token.split(":")
            if self.grammar is not None and not any(word in phrase.split() for phrase in self.grammar):
                word = "[unk]"
            self.pending.append((word, float(conf)))
        return closed

    def _result(self) -> str:
        words = [{"word": w, "conf": c, "start": i * 0.5, "end": i * 0.5 + 0.4} for i, (w, c) in enumerate(self.pending)]
        self.pending = []
        out = {"text": " ".join(w["word"] for w in words)}
        if words:
            out["result"] = words
        return json.dumps(out)

    def Result(self) -> str:  # noqa: N802
        return self._result()

    def FinalResult(self) -> str:  # noqa: N802
        return self._result()

    def PartialResult(self) -> str:  # noqa: N802
        return json.dumps({"partial": " ".join(w for w, _ in self.pending)})


def chunk(text: str) -> bytes:
    data = text.encode()
    return data + b"\x00" * (len(data) % 2)


@pytest.fixture
def fake_vosk(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    mod = types.ModuleType("vosk")
    mod.Model = FakeModel
    mod.KaldiRecognizer = FakeKaldi
    mod.SetLogLevel = lambda level: None
    monkeypatch.setitem(sys.modules, "vosk", mod)
    monkeypatch.setattr(recognizer_module, "_MODELS", {})
    monkeypatch.delenv(MODEL_ENV, raising=False)
    return mod


# --- choosing and loading the model --------------------------------------------------------------


def test_model_precedence_argument_env_language() -> None:
    env = {MODEL_ENV: "/models/env"}
    assert choose_model("/models/arg", lang="ko", environ=env).value == "/models/arg"
    assert choose_model(None, lang="ko", environ=env) == recognizer_module.ModelChoice("path", "/models/env", "environment")
    assert choose_model(None, lang="ko", environ={}) == recognizer_module.ModelChoice("lang", "ko", "language")


def test_no_model_configured_names_every_way_to_fix_it() -> None:
    with pytest.raises(VoiceUnavailable) as err:
        choose_model(None, environ={})
    assert MODEL_ENV in err.value.fix and "--vosk-model" in err.value.fix and "language code" in err.value.fix


def test_missing_model_directory(fake_vosk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "nope"))
    with pytest.raises(VoiceUnavailable, match=r"does not exist") as err:
        load_model()
    assert f"${MODEL_ENV}" in err.value.problem


def test_directory_that_is_not_a_model(fake_vosk, tmp_path: Path) -> None:
    (tmp_path / "vosk-model-small-en-us-0.15").mkdir()
    with pytest.raises(VoiceUnavailable, match=r"not a vosk model directory"):
        load_model(tmp_path)


def test_model_is_loaded_once_per_directory(fake_vosk, tmp_path: Path) -> None:
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"x")
    first = load_model(tmp_path)
    assert isinstance(first, FakeModel) and first.path == str(tmp_path)
    assert load_model(str(tmp_path)) is first


def test_language_code_download_failure_is_voice_unavailable(fake_vosk) -> None:
    class Offline(FakeModel):
        def __init__(self, path=None, lang=None):  # noqa: ANN001
            if lang == "xx":
                raise SystemExit(1)  # what vosk does for an unknown language
            raise ConnectionError("Name or service not known")

    fake_vosk.Model = Offline
    with pytest.raises(VoiceUnavailable, match="could be found or downloaded .*ConnectionError"):
        load_model(lang="en-us")
    with pytest.raises(VoiceUnavailable, match="exit status 1"):
        load_model(lang="xx")


def test_language_code_uses_vosk_lookup(fake_vosk) -> None:
    model = load_model(lang="ko")
    assert model.lang == "ko" and model.path is None


def test_vosk_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vosk", None)
    with pytest.raises(VoiceUnavailable, match=r"vosk is not installed.*aployee-sim\[voice\]"):
        SpeechRecognizer(FakeModel())


# --- recognising ---------------------------------------------------------------------------------


def test_confidence_is_the_mean_of_word_confidences(fake_vosk) -> None:
    rec = SpeechRecognizer(FakeModel())
    rec.accept(chunk("hello:0.9;world:0.5;"))
    result = rec.finish()
    assert result.text == "hello world"
    assert result.confidence == pytest.approx(0.7)
    assert [w.text for w in result.words] == ["hello", "world"]


def test_nothing_heard_is_empty_with_zero_confidence(fake_vosk) -> None:
    result = SpeechRecognizer(FakeModel()).recognize(AudioClip.silence(0.2))
    assert result.empty and result.text == "" and result.confidence == 0.0
    assert result.audio_seconds == pytest.approx(0.2)


def test_segments_closed_by_vosk_join_into_one_utterance_and_partials_run(fake_vosk) -> None:
    partials: list[str] = []
    rec = SpeechRecognizer(FakeModel(), on_partial=partials.append)
    for piece in ["hello:1;", "", "world:0.8;|", "transfer:0.6;", "me:0.6;"]:
        rec.accept(chunk(piece) if piece else b"\x00\x00")
    result = rec.finish()
    assert result.text == "hello world transfer me"
    assert result.confidence == pytest.approx(0.75)
    assert partials == ["hello", "hello world", "hello world transfer", "hello world transfer me"]
    # finish() leaves a fresh recogniser behind.
    assert rec.finish().empty


def test_grammar_mode_rejects_words_the_model_does_not_know(fake_vosk) -> None:
    with pytest.raises(ValueError, match="not in the speech model's vocabulary: frobnicate, the, gizmo;"):
        SpeechRecognizer(FakeModel(), phrases=["yes", "frobnicate the gizmo"])
    with pytest.raises(ValueError, match="at least one"):
        SpeechRecognizer(FakeModel(), phrases=["  "])


def test_grammar_mode_and_unknown_speech(fake_vosk) -> None:
    rec = SpeechRecognizer(FakeModel(), phrases=["yes", "no", "transfer  me"], allow_unknown=True)
    assert rec.phrases == ("yes", "no", "transfer me")
    assert rec._recognizer.grammar == ["yes", "no", "transfer me", "[unk]"]
    rec.accept(chunk("hello:0.4;yes:1;"))
    result = rec.finish()
    assert result.text == "yes"  # [unk] is dropped from the text ...
    assert [w.text for w in result.words] == ["[unk]", "yes"]  # ... but kept in the words
    rec.set_phrases(None)
    assert rec.phrases is None and rec._recognizer.grammar is None


def test_transcribe_stops_on_event_and_on_max_seconds(fake_vosk) -> None:
    rec = SpeechRecognizer(FakeModel())

    class Endless:
        sample_rate = 16_000

        def __init__(self) -> None:
            self.reads = 0

        def read(self, frames: int) -> bytes:
            self.reads += 1
            return b"\x00\x00" * frames

        def close(self) -> None:
            pass

    src = Endless()
    result = rec.transcribe(src, max_seconds=1.0, block_frames=1_600)
    assert src.reads == 10 and result.audio_seconds == pytest.approx(1.0)
    stop = threading.Event()
    stop.set()
    src2 = Endless()
    rec.transcribe(src2, stop=stop)
    assert src2.reads == 0


def test_transcribe_refuses_a_source_at_another_rate(fake_vosk) -> None:
    with pytest.raises(ValueError, match="8000 Hz"):
        SpeechRecognizer(FakeModel()).transcribe(ArraySource(b"", sample_rate=8_000))


def test_listen_yields_one_recognition_per_utterance(fake_vosk, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each VAD utterance is recognised as a word of our choosing: the fake decodes nothing from PCM here,
    # so swap in a recogniser whose finish() reports how much audio it got.
    heard: list[float] = []
    rec = SpeechRecognizer(FakeModel())
    real_finish = rec.finish

    def finish():
        result = real_finish()
        heard.append(result.audio_seconds)
        return recognizer_module.Recognition("word", 1.0, (), result.audio_seconds) if result.audio_seconds else result

    monkeypatch.setattr(rec, "finish", finish)
    tone = AudioClip.from_samples([8_000, -8_000] * 8_000)  # 1 s of loud square wave
    clip = AudioClip.silence(0.5) + tone + AudioClip.silence(1.0) + tone + AudioClip.silence(0.2)
    starts: list[int] = []
    results = list(rec.listen(ArraySource(clip), endpointer=EnergyEndpointer(), on_speech_start=lambda: starts.append(1)))
    assert [r.text for r in results] == ["word", "word"]
    assert len(starts) == 2
    # first: pre-roll 0.3 + 1 s + 0.6 s hang-over; second ends at the end of the stream (flush).
    assert heard[0] == pytest.approx(1.9, abs=0.07)
    assert heard[1] == pytest.approx(1.5, abs=0.07)


def test_listen_is_bounded_by_max_seconds(fake_vosk) -> None:
    class Loud:
        sample_rate = 16_000

        def read(self, frames: int) -> bytes:
            return b"\x00\x40" * frames

        def close(self) -> None:
            pass

    rec = SpeechRecognizer(FakeModel())
    assert list(rec.listen(Loud(), max_seconds=0.5)) == []  # speech never ended, nothing decoded: no result
