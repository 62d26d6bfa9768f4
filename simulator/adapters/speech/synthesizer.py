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
* `isolation="process"`: in a child process (`python -m aployee_sim.adapters.speech._tts_child`) whose output is
  captured; about 0.2 s slower per sentence, and nothing in this process is touched.
"""

from __future__ import annotations

import atexit
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

from aployee_sim.adapters.speech.audio import VOICE_EXTRA_FIX, AudioClip, AudioSink, VoiceUnavailable

ESPEAK_FIX = (
    "install eSpeak NG: `apt-get install libespeak-ng1 espeak-ng` (Debian/Ubuntu), "
    "`dnf install espeak-ng` (Fedora), `brew install espeak-ng` (macOS); "
    "or mute spoken replies"
)
Isolation = Literal["fd", "process"]

_WAV_HEADER_BYTES = 44
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


_ENGINE: Any = None
_ENGINE_STATE: dict[str, Any] = {}  # the voice and rate last given to the shared engine


def shared_engine() -> Any:
    """The process's one pyttsx3 engine, kept alive for good (call with `_IO_LOCK` held).

    pyttsx3 caches engines only weakly, and the espeak driver's synthesis callback is global: when
    a dropped engine is garbage-collected it unregisters the callback of the engine that replaced
    it. One engine held for the process's lifetime avoids that.
    """
    global _ENGINE
    if _ENGINE is None:
        engine = _init_engine()
        _ENGINE_STATE["default_voice"] = engine.getProperty("voice")
        _ENGINE_STATE["voice"] = _ENGINE_STATE["default_voice"]
        _ENGINE = engine
        atexit.register(_release_engine)
    return _ENGINE


def _release_engine() -> None:
    """Drop the engine while the interpreter is intact (pyttsx3's finaliser fails during teardown)."""
    global _ENGINE
    if _IO_LOCK.acquire(timeout=2.0):  # a thread stuck mid-synthesis must not hang the exit
        try:
            _ENGINE = None
            _ENGINE_STATE.clear()
        finally:
            _IO_LOCK.release()


class SpeechSynthesizer:
    """Text -> WAV/`AudioClip` with pyttsx3, keeping the terminal clean (see the module docstring).

    `voice` is a pyttsx3 voice id (espeak: a language such as "en", "en-us", "ko"); `volume` 0.0-1.0
    (applied to the samples);
    `rate` is words per minute, but with eSpeak NG 1.51 only the first rate set in a process takes
    effect (later changes are ignored by the library), so pick one rate per process or use
    `isolation="process"`, which starts a fresh engine each time. `timeout` bounds that child process.
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
                _render(shared_engine(), text, target, self._settings())
            self.last_output = printed[0] if printed else ""
        if not target.is_file() or target.stat().st_size <= _WAV_HEADER_BYTES:
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


RENDER_ATTEMPTS = 3


def _render(engine: Any, text: str, target: Path, settings: dict[str, Any]) -> None:
    """One `save_to_file` + `runAndWait`, retried when it renders nothing; then apply the volume.

    eSpeak NG 1.51 through pyttsx3 2.99 has three quirks handled here:
    * about one rendering in 40 yields a header-only WAV (no sample delivered); it does not repeat
      on the next try, so a couple of retries make synthesis reliable;
    * a voice change resets the other speech parameters, so the voice is set only when it changes;
    * volume set through the engine is lost on voice changes, so it is applied to the samples.
    """
    voice = settings.get("voice") or _ENGINE_STATE.get("default_voice")
    if voice is not None and voice != _ENGINE_STATE.get("voice"):
        engine.setProperty("voice", voice)
        _ENGINE_STATE["voice"] = voice
    rate = settings.get("rate")
    if rate is not None and rate != _ENGINE_STATE.get("rate"):
        engine.setProperty("rate", rate)
        _ENGINE_STATE["rate"] = rate
    for _ in range(RENDER_ATTEMPTS):
        target.unlink(missing_ok=True)
        engine.save_to_file(text, str(target))
        engine.runAndWait()
        if target.is_file() and target.stat().st_size > _WAV_HEADER_BYTES:
            break
    volume = settings.get("volume")
    if volume is not None and volume != 1.0 and target.is_file():
        clip = AudioClip.read_wav(target)
        gain = max(0.0, float(volume))
        scaled = [max(-32768, min(32767, int(round(x * gain)))) for x in clip.samples()]
        AudioClip.from_samples(scaled, clip.sample_rate).write_wav(target)


def _synthesize_in_child(text: str, target: Path, settings: dict[str, Any], timeout: float) -> str:
    request = json.dumps({"text": text, "path": str(target), **settings})
    try:
        done = subprocess.run(
            [sys.executable, "-m", "aployee_sim.adapters.speech._tts_child"],
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

