"""Audio in and out of the speech layer, behind two small protocols.

Everything here moves 16-bit signed little-endian mono PCM as `bytes` (what PortAudio and vosk
both speak), wrapped in `AudioClip` when a sample rate has to travel with it. Sources and sinks are
injectable: tests feed `ArraySource`/`WavFileSource` and read a `CollectingSink`; the real thing is
`MicrophoneSource`/`SoundDevicePlayer` on top of sounddevice. sounddevice is imported lazily so
that `import aployee_sim.adapters.speech` works without the `voice` extra; a missing piece of the voice
stack raises `VoiceUnavailable`, which names the fix.
"""

from __future__ import annotations

import math
import sys
import threading
import wave
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

SAMPLE_RATE = 16_000
"""What the recogniser and the microphone use: 16 kHz mono int16."""
SAMPLE_WIDTH = 2
BLOCK_FRAMES = 1_600
"""Default read size: 0.1 s at 16 kHz, short enough for live partial results."""

VOICE_EXTRA_FIX = "install the voice extra: pip install 'aployee-sim[voice]'"
PORTAUDIO_FIX = (
    "install the PortAudio library: `apt-get install libportaudio2` (Debian/Ubuntu), "
    "`dnf install portaudio` (Fedora), `brew install portaudio` (macOS)"
)
INPUT_DEVICE_FIX = (
    "connect a microphone or choose another input device (list them with `python -m sounddevice`); "
    "without one, type the caller's lines instead"
)
OUTPUT_DEVICE_FIX = (
    "connect speakers/headphones or choose another output device (list them with `python -m sounddevice`), "
    "or mute spoken replies"
)


class VoiceUnavailable(RuntimeError):
    """A piece of the voice stack is missing; `problem` says which and `fix` how to get it.

    Front ends catch this one error, show `str(err)` and fall back to typing.
    """

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}. Fix: {fix}")
        self.problem = problem
        self.fix = fix


def import_sounddevice() -> Any:
    """Import sounddevice, turning "not installed" and "no PortAudio" into `VoiceUnavailable`."""
    try:
        import sounddevice
    except ModuleNotFoundError as exc:
        raise VoiceUnavailable("the Python package sounddevice is not installed", VOICE_EXTRA_FIX) from exc
    except OSError as exc:  # sounddevice raises OSError("PortAudio library not found")
        raise VoiceUnavailable(f"the PortAudio library could not be loaded ({exc})", PORTAUDIO_FIX) from exc
    return sounddevice


# --- PCM helpers -----------------------------------------------------------------------------


def _to_int16_bytes(samples: Any) -> bytes:
    """bytes, an array('h'), a numpy int16 array or any iterable of ints -> little-endian PCM."""
    if isinstance(samples, bytes | bytearray | memoryview):
        data = bytes(samples)
        if len(data) % SAMPLE_WIDTH:
            raise ValueError(f"PCM byte length {len(data)} is not a multiple of {SAMPLE_WIDTH}")
        return data
    dtype = getattr(samples, "dtype", None)
    if dtype is not None:  # numpy, without importing it
        if str(dtype) != "int16" or getattr(samples, "ndim", 1) != 1:
            raise ValueError(f"expected a 1-D int16 array, got {getattr(samples, 'ndim', '?')}-D {dtype}")
        return samples.astype("<i2").tobytes()
    arr = samples if isinstance(samples, array) and samples.typecode == "h" else array("h", samples)
    if sys.byteorder == "big":
        arr = array("h", arr)
        arr.byteswap()
    return arr.tobytes()


def pcm_to_samples(pcm: bytes) -> array:
    """Little-endian int16 PCM -> array('h') in native order."""
    arr = array("h")
    arr.frombytes(pcm[: len(pcm) - len(pcm) % SAMPLE_WIDTH])
    if sys.byteorder == "big":
        arr.byteswap()
    return arr


def rms_dbfs(pcm: bytes) -> float:
    """Loudness of a stretch of PCM in dB relative to full scale (-inf for digital silence)."""
    samples = pcm_to_samples(pcm)
    if not samples:
        return -math.inf
    mean_square = sum(s * s for s in samples) / len(samples)
    if mean_square <= 0:
        return -math.inf
    return 10.0 * math.log10(mean_square / (32768.0 * 32768.0))


def resample_pcm(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Linear-interpolation resampling: good enough for speech into a recogniser or a speaker."""
    if from_rate == to_rate or not pcm:
        return pcm
    src = pcm_to_samples(pcm)
    n_out = max(1, round(len(src) * to_rate / from_rate))
    step = from_rate / to_rate
    last = len(src) - 1
    out = array("h", bytes(2 * n_out))
    for i in range(n_out):
        pos = i * step
        j = int(pos)
        if j >= last:
            out[i] = src[last]
            continue
        frac = pos - j
        out[i] = int(round(src[j] + (src[j + 1] - src[j]) * frac))
    return _to_int16_bytes(out)


@dataclass(frozen=True, slots=True)
class AudioClip:
    """A stretch of mono int16 PCM and its sample rate."""

    pcm: bytes
    sample_rate: int = SAMPLE_RATE

    @classmethod
    def from_samples(cls, samples: Any, sample_rate: int = SAMPLE_RATE) -> AudioClip:
        return cls(_to_int16_bytes(samples), sample_rate)

    @classmethod
    def silence(cls, seconds: float, sample_rate: int = SAMPLE_RATE) -> AudioClip:
        return cls(bytes(SAMPLE_WIDTH * round(seconds * sample_rate)), sample_rate)

    @classmethod
    def read_wav(cls, path: str | Path) -> AudioClip:
        """Load a 16-bit PCM WAV file; several channels are mixed down to mono."""
        try:
            with wave.open(str(path), "rb") as wav:
                width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
                frames = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as exc:
            raise ValueError(f"{path}: not a PCM WAV file ({exc})") from exc
        if width != SAMPLE_WIDTH:
            raise ValueError(f"{path}: {8 * width}-bit samples; only 16-bit PCM WAV is supported")
        if channels > 1:
            interleaved = pcm_to_samples(frames)
            mono = array("h", bytes(2 * (len(interleaved) // channels)))
            for i in range(len(mono)):
                mono[i] = sum(interleaved[i * channels : (i + 1) * channels]) // channels
            frames = _to_int16_bytes(mono)
        return cls(frames, rate)

    def write_wav(self, path: str | Path) -> Path:
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(SAMPLE_WIDTH)
            wav.setframerate(self.sample_rate)
            wav.writeframes(self.pcm)
        return Path(path)

    @property
    def frames(self) -> int:
        return len(self.pcm) // SAMPLE_WIDTH

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate

    def samples(self) -> array:
        return pcm_to_samples(self.pcm)

    def resampled(self, sample_rate: int) -> AudioClip:
        return AudioClip(resample_pcm(self.pcm, self.sample_rate, sample_rate), sample_rate)

    def rms_dbfs(self) -> float:
        return rms_dbfs(self.pcm)

    def __add__(self, other: AudioClip) -> AudioClip:
        if other.sample_rate != self.sample_rate:
            other = other.resampled(self.sample_rate)
        return AudioClip(self.pcm + other.pcm, self.sample_rate)


def concat(clips: Iterable[AudioClip], sample_rate: int = SAMPLE_RATE) -> AudioClip:
    """Join clips (resampling each to `sample_rate`), e.g. speech padded with silence."""
    return AudioClip(b"".join(c.resampled(sample_rate).pcm for c in clips), sample_rate)


# --- sources ---------------------------------------------------------------------------------


@runtime_checkable
class AudioSource(Protocol):
    """Where caller audio comes from: mono int16 PCM at `sample_rate`.

    `read(frames)` blocks until up to `frames` frames are available and returns their bytes;
    `b""` means the source has ended (a finished file, a closed microphone).
    """

    sample_rate: int

    def read(self, frames: int) -> bytes: ...
    def close(self) -> None: ...


class ArraySource:
    """An in-memory source: PCM bytes, an int16 array, or an `AudioClip` (resampled to `sample_rate`)."""

    def __init__(self, samples: Any, sample_rate: int = SAMPLE_RATE, *, source_rate: int | None = None) -> None:
        if isinstance(samples, AudioClip):
            pcm = resample_pcm(samples.pcm, samples.sample_rate, sample_rate)
        else:
            pcm = resample_pcm(_to_int16_bytes(samples), source_rate or sample_rate, sample_rate)
        self.sample_rate = sample_rate
        self._pcm = pcm
        self._pos = 0

    def read(self, frames: int) -> bytes:
        if frames <= 0:
            return b""
        chunk = self._pcm[self._pos : self._pos + frames * SAMPLE_WIDTH]
        self._pos += len(chunk)
        return chunk

    def close(self) -> None:
        self._pos = len(self._pcm)

    def __enter__(self) -> ArraySource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WavFileSource(ArraySource):
    """A WAV file as caller audio (e.g. a scenario line): mixed to mono, resampled to `sample_rate`."""

    def __init__(self, path: str | Path, sample_rate: int = SAMPLE_RATE) -> None:
        self.path = Path(path)
        super().__init__(AudioClip.read_wav(self.path), sample_rate)


def _check_device(sd: Any, device: int | str | None, kind: str) -> dict[str, Any]:
    """Resolve `device` for `kind` ("input"/"output") or raise `VoiceUnavailable`."""
    fix = INPUT_DEVICE_FIX if kind == "input" else OUTPUT_DEVICE_FIX
    what = "microphone (input)" if kind == "input" else "speaker (output)"
    try:
        info = sd.query_devices(device, kind=kind)
    except (ValueError, sd.PortAudioError) as exc:
        name = "default" if device is None else repr(device)
        raise VoiceUnavailable(f"no {what} audio device: {name} not found ({exc})", fix) from exc
    channels = info.get(f"max_{kind}_channels", 0)
    if channels < 1:
        raise VoiceUnavailable(f"audio device {info.get('name')!r} has no {kind} channels", fix)
    return dict(info)


class MicrophoneSource:
    """The real microphone through sounddevice/PortAudio: 16 kHz mono int16, blocking reads.

    Blocking reads (no callback thread) keep it simple and make `read` pace the caller at real
    time. Open it with `open()` or `with`; `read` after `close` returns `b""`.
    """

    def __init__(
        self,
        *,
        sample_rate: int = SAMPLE_RATE,
        device: int | str | None = None,
        block_frames: int = BLOCK_FRAMES,
    ) -> None:
        self.sample_rate = sample_rate
        self.device = device
        self.block_frames = block_frames
        self.overflows = 0
        self.device_name: str | None = None
        self._stream: Any = None

    def open(self) -> MicrophoneSource:
        if self._stream is not None:
            return self
        sd = import_sounddevice()
        info = _check_device(sd, self.device, "input")
        self.device_name = info.get("name")
        try:
            stream = sd.RawInputStream(
                samplerate=self.sample_rate,
                channels=1,
                dtype="int16",
                device=self.device,
                blocksize=self.block_frames,
            )
            stream.start()
        except sd.PortAudioError as exc:
            raise VoiceUnavailable(
                f"could not open microphone {self.device_name!r} at {self.sample_rate} Hz mono ({exc})",
                INPUT_DEVICE_FIX,
            ) from exc
        self._stream = stream
        return self

    def read(self, frames: int) -> bytes:
        stream = self._stream
        if stream is None or frames <= 0:
            return b""
        data, overflowed = stream.read(frames)
        if overflowed:
            self.overflows += 1
        return bytes(data)

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()
            finally:
                stream.close()

    def __enter__(self) -> MicrophoneSource:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


def list_devices(kind: str | None = None) -> list[dict[str, Any]]:
    """The audio devices PortAudio sees (`kind` "input"/"output" filters); raises `VoiceUnavailable`."""
    sd = import_sounddevice()
    devices = [dict(d) for d in sd.query_devices()]
    if kind is not None:
        devices = [d for d in devices if d.get(f"max_{kind}_channels", 0) > 0]
    return devices


# --- sinks -----------------------------------------------------------------------------------


@runtime_checkable
class AudioSink(Protocol):
    """Where the assistant's voice goes. `play` blocks until the clip is played (or stopped/muted)."""

    @property
    def muted(self) -> bool: ...
    def set_muted(self, muted: bool) -> None: ...
    def play(self, clip: AudioClip) -> None: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...


class _MutableSink:
    """The mute toggle shared by every sink: muting drops new clips and stops the current one."""

    def __init__(self, *, muted: bool = False) -> None:
        self._muted = muted
        self._stopping = threading.Event()

    @property
    def muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        self._muted = bool(muted)
        if muted:
            self.stop()

    def toggle_mute(self) -> bool:
        """Flip mute; returns the new state (True = muted)."""
        self.set_muted(not self._muted)
        return self._muted

    def stop(self) -> None:
        self._stopping.set()

    def close(self) -> None:
        self.stop()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CollectingSink(_MutableSink):
    """Keeps what would have been played, for tests; clips played while muted are counted, not kept."""

    def __init__(self, *, muted: bool = False) -> None:
        super().__init__(muted=muted)
        self.clips: list[AudioClip] = []
        self.dropped = 0

    def play(self, clip: AudioClip) -> None:
        if self._muted:
            self.dropped += 1
            return
        self.clips.append(clip)

    @property
    def pcm(self) -> bytes:
        return b"".join(c.pcm for c in self.clips)


class SoundDevicePlayer(_MutableSink):
    """Plays clips on a speaker through sounddevice, in short chunks so `stop`/mute cut in quickly."""

    CHUNK_SECONDS = 0.1

    def __init__(self, *, device: int | str | None = None, muted: bool = False) -> None:
        super().__init__(muted=muted)
        self.device = device
        self.played = 0

    def check(self) -> dict[str, Any]:
        """Resolve the output device now, so a front end can fail before a call rather than mid-reply."""
        return _check_device(import_sounddevice(), self.device, "output")

    def play(self, clip: AudioClip) -> None:
        if self._muted or not clip.pcm:
            return
        self._stopping.clear()
        sd = import_sounddevice()
        info = _check_device(sd, self.device, "output")
        try:
            self._write(sd, clip)
        except sd.PortAudioError:
            # The device refused the clip's rate: convert to the device's own rate and try once more.
            rate = int(info.get("default_samplerate") or SAMPLE_RATE)
            if rate == clip.sample_rate:
                raise
            self._write(sd, clip.resampled(rate))
        self.played += 1

    def _write(self, sd: Any, clip: AudioClip) -> None:
        chunk = SAMPLE_WIDTH * max(1, int(clip.sample_rate * self.CHUNK_SECONDS))
        with sd.RawOutputStream(
            samplerate=clip.sample_rate, channels=1, dtype="int16", device=self.device
        ) as stream:
            for start in range(0, len(clip.pcm), chunk):
                if self._stopping.is_set() or self._muted:
                    stream.abort()
                    return
                stream.write(clip.pcm[start : start + chunk])
