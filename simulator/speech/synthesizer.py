"""The assistant's voice: pyttsx3 renders text to a WAV file, which is loaded back as samples.

pyttsx3's `say()` plays through another program, so we never use it: the clip goes to whatever
`AudioSink` the front end chose (a `SoundDevicePlayer`, whose mute toggle silences replies).
`save_to_file` with the espeak driver prints "Audio saved to ..." on stdout, and the espeak C
library may write to the process's stdout/stderr too, which would scribble over a TUI. So the
synthesis runs either

* `isolation="fd"` (default): in-process with file descriptors 1 and 2 (and `sys.stdout`/
  `sys.stderr`) pointed at a temporary file for its duration; what was printed is kept in
  `last_output` for diagnosis. The redirection is process-wide, so another thread writing to the
  terminal at that very moment (a TUI redraw) would be swallowed for those milliseconds;
* `isolation="process"`: in a child process (`python -m simulator.speech._tts_child`) whose output is
  captured; about 0.2 s slower per sentence, and nothing in this process is touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from simulator.speech.audio import VOICE_EXTRA_FIX, AudioClip, AudioSink, VoiceUnavailable

ESPEAK_FIX = (
    "install eSpeak NG: `apt-get install libespeak-ng1 espeak-ng` (Debian/Ubuntu), "
    "`dnf install espeak-ng` (Fedora), `brew install espeak-ng` (macOS); "
    "or mute spoken replies"
)
Isolation = Literal["fd", "process"]

_IO_LOCK = threading.Lock()  # one synthesis (and one fd redirection) at a time per process


def _flush_c_stdio() -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).fflush(None)


@contextlib.contextmanager
def captured_output() -> Iterator[list[str]]:
    """Send everything written to fds 1/2 and sys.stdout/sys.stderr to a temp file meanwhile.

    Yields a list that holds the captured text (one string) once the block has exited.
    """
    holder: list[str] = []
    with tempfile.TemporaryFile() as tmp:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        saved: list[tuple[int, int]] = []
        for fd in (1, 2):
            try:
                saved.append((fd, os.dup(fd)))
                os.dup2(tmp.fileno(), fd)
            except OSError:  # no such descriptor (a detached daemon): nothing to protect
                pass
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                yield holder
        finally:
            _flush_c_stdio()
            for fd, copy in saved:
                os.dup2(copy, fd)
                os.close(copy)
            tmp.seek(0)
            holder.append(tmp.read().decode("utf-8", "replace") + out.getvalue() + err.getvalue())


def _init_engine() -> Any:
    try:
        import pyttsx3
    except ModuleNotFoundError as exc:
        raise VoiceUnavailable("the Python package pyttsx3 is not installed", VOICE_EXTRA_FIX) from exc
    try:
        return pyttsx3.init()
    except Exception as exc:  # pyttsx3 raises OSError/RuntimeError/KeyError when no driver loads
        raise VoiceUnavailable(f"pyttsx3 could not start its speech engine ({type(exc).__name__}: {exc})",
                               ESPEAK_FIX) from exc


class SpeechSynthesizer:
    """Text -> WAV/`AudioClip` with pyttsx3, keeping the terminal clean (see the module docstring).

    `voice` is a pyttsx3 voice id (espeak: a language such as "en", "en-us", "ko"); `rate` is words
    per minute; `volume` 0.0-1.0. `timeout` bounds the child process in "process" isolation.
    """

    def __init__(
        self,
        *,
        voice: str | None = None,
        rate: int | None = None,
        volume: float | None = None,
        isolation: Isolation = "fd",
        timeout: float = 30.0,
    ) -> None:
        if isolation not in ("fd", "process"):
            raise ValueError(f"isolation must be 'fd' or 'process', not {isolation!r}")
        self.voice = voice
        self.rate = rate
        self.volume = volume
        self.isolation = isolation
        self.timeout = timeout
        self.last_output = ""
        self._engine: Any = None

    def _settings(self) -> dict[str, Any]:
        return {"voice": self.voice, "rate": self.rate, "volume": self.volume}

    def synthesize_to_file(self, text: str, path: str | os.PathLike[str]) -> Path:
        """Render `text` into a 16-bit mono WAV at `path` (espeak's own rate, 22050 Hz)."""
        target = Path(path)
        if not text.strip():
            AudioClip(b"", 22_050).write_wav(target)
            return target
        if self.isolation == "process":
            self.last_output = _synthesize_in_child(text, target, self._settings(), self.timeout)
        else:
            with _IO_LOCK, captured_output() as printed:
                if self._engine is None:
                    self._engine = _init_engine()
                _render(self._engine, text, target, self._settings())
            self.last_output = printed[0] if printed else ""
        if not target.is_file() or target.stat().st_size <= 44:
            raise RuntimeError(f"pyttsx3 produced no audio for {text[:40]!r} (output: {self.last_output.strip()!r})")
        return target

    def synthesize(self, text: str) -> AudioClip:
        """Render `text` and load it back as a clip (the temporary WAV is removed)."""
        with tempfile.TemporaryDirectory(prefix="aployee-tts-") as tmp:
            path = self.synthesize_to_file(text, Path(tmp) / "reply.wav")
            return AudioClip.read_wav(path)

    def speak(self, text: str, sink: AudioSink) -> AudioClip | None:
        """Synthesise and play on `sink`; skips the synthesis entirely while the sink is muted."""
        if sink.muted:
            return None
        clip = self.synthesize(text)
        sink.play(clip)
        return clip


def _render(engine: Any, text: str, target: Path, settings: dict[str, Any]) -> None:
    for name in ("voice", "rate", "volume"):
        if settings.get(name) is not None:
            engine.setProperty(name, settings[name])
    engine.save_to_file(text, str(target))
    engine.runAndWait()


def _synthesize_in_child(text: str, target: Path, settings: dict[str, Any], timeout: float) -> str:
    request = json.dumps({"text": text, "path": str(target), **settings})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "simulator.speech._tts_child"],
            input=request, capture_output=True, text=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"speech synthesis took longer than {timeout} s") from exc
    if done.returncode == 3:
        problem = json.loads(done.stdout.strip().splitlines()[-1])
        raise VoiceUnavailable(problem["problem"], problem["fix"])
    if done.returncode != 0:
        raise RuntimeError(f"speech synthesis failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout + done.stderr

