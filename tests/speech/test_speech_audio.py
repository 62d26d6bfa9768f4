"""Unit tests for aployee_sim.adapters.speech.audio with injected arrays, WAV files and fake sounddevice modules."""

from __future__ import annotations

import importlib.abc
import math
import subprocess
import sys
import types
import wave
from array import array
from pathlib import Path

import pytest

from aployee_sim.adapters.speech import (
    ArraySource,
    AudioClip,
    CollectingSink,
    MicrophoneSource,
    SoundDevicePlayer,
    VoiceUnavailable,
    WavFileSource,
    concat,
    resample_pcm,
    rms_dbfs,
)
from aployee_sim.adapters.speech.audio import import_sounddevice


def sine(freq: float, seconds: float, rate: int = 16_000, amplitude: int = 16_000) -> AudioClip:
    n = int(seconds * rate)
    return AudioClip.from_samples([int(amplitude * math.sin(2 * math.pi * freq * i / rate)) for i in range(n)], rate)


def zero_crossings(clip: AudioClip) -> int:
    s = clip.samples()
    return sum(1 for a, b in zip(s, s[1:], strict=False) if (a < 0) != (b < 0))


def test_import_needs_no_voice_extra() -> None:
    code = (
        "import sys, aployee_sim.adapters.speech\n"
        "bad = [m for m in ('sounddevice', 'vosk', 'pyttsx3', 'numpy') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == ""


def test_clip_from_samples_and_bytes_agree() -> None:
    a = AudioClip.from_samples([0, 1, -1, 32767, -32768])
    b = AudioClip.from_samples(a.pcm)
    assert a == b
    assert list(a.samples()) == [0, 1, -1, 32767, -32768]
    assert a.pcm[:4] == b"\x00\x00\x01\x00"  # little-endian on every platform
    with pytest.raises(ValueError, match="multiple of 2"):
        AudioClip.from_samples(b"\x00\x00\x01")


def test_numpy_arrays_are_accepted_when_numpy_is_there() -> None:
    np = pytest.importorskip("numpy")
    clip = AudioClip.from_samples(np.array([1, 2, -3], dtype=np.int16))
    assert list(clip.samples()) == [1, 2, -3]
    with pytest.raises(ValueError, match="int16"):
        AudioClip.from_samples(np.zeros(4, dtype=np.float32))


def test_silence_duration_and_level() -> None:
    clip = AudioClip.silence(0.5)
    assert clip.frames == 8_000 and clip.duration == pytest.approx(0.5)
    assert clip.rms_dbfs() == -math.inf
    assert rms_dbfs(b"") == -math.inf


def test_full_scale_sine_is_about_minus_3_dbfs() -> None:
    assert sine(440, 0.2, amplitude=32767).rms_dbfs() == pytest.approx(-3.01, abs=0.1)
    assert sine(440, 0.2, amplitude=3277).rms_dbfs() == pytest.approx(-23.0, abs=0.2)


def test_wav_round_trip(tmp_path: Path) -> None:
    clip = sine(300, 0.25, rate=22_050)
    path = clip.write_wav(tmp_path / "a.wav")
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22_050)
    assert AudioClip.read_wav(path) == clip


def test_stereo_wav_is_mixed_to_mono(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    frames = array("h", [100, 300, -50, -150, 7, 9])
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8_000)
        wav.writeframes(AudioClip.from_samples(frames).pcm)
    clip = AudioClip.read_wav(path)
    assert clip.sample_rate == 8_000
    assert list(clip.samples()) == [200, -100, 8]


def test_bad_wavs_are_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not a wav file at all")
    with pytest.raises(ValueError, match="not a PCM WAV"):
        AudioClip.read_wav(junk)
    eight = tmp_path / "8bit.wav"
    with wave.open(str(eight), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8_000)
        wav.writeframes(b"\x80" * 100)
    with pytest.raises(ValueError, match="8-bit"):
        AudioClip.read_wav(eight)


def test_resampling_keeps_duration_and_pitch() -> None:
    clip = sine(500, 1.0, rate=22_050)
    down = clip.resampled(16_000)
    assert down.sample_rate == 16_000
    assert down.frames == 16_000
    # 500 Hz -> about 1000 zero crossings per second, whatever the rate.
    assert zero_crossings(down) == pytest.approx(zero_crossings(clip), abs=4)
    assert resample_pcm(b"", 8_000, 16_000) == b""
    assert resample_pcm(clip.pcm, 22_050, 22_050) is clip.pcm


def test_concat_and_add_resample_to_one_rate() -> None:
    joined = concat([AudioClip.silence(0.1, 8_000), sine(200, 0.1, rate=16_000)])
    assert joined.sample_rate == 16_000 and joined.frames == 3_200
    added = AudioClip.silence(0.1) + AudioClip.silence(0.1, 8_000)
    assert added.frames == 3_200


def test_array_source_reads_in_blocks_then_ends() -> None:
    src = ArraySource(list(range(10)))
    assert src.sample_rate == 16_000
    assert src.read(4) == AudioClip.from_samples([0, 1, 2, 3]).pcm
    assert src.read(0) == b""
    assert len(src.read(100)) == 12
    assert src.read(4) == b""


def test_array_source_resamples_a_clip() -> None:
    src = ArraySource(AudioClip.silence(1.0, 8_000))
    total = b""
    for _ in range(100):  # bounded
        chunk = src.read(1_600)
        if not chunk:
            break
        total += chunk
    assert len(total) == 2 * 16_000


def test_wav_file_source(tmp_path: Path) -> None:
    path = sine(300, 0.5, rate=8_000).write_wav(tmp_path / "caller.wav")
    with WavFileSource(path) as src:
        assert src.path == path
        first = src.read(16_000)
        assert len(first) == 2 * 8_000  # 0.5 s at 16 kHz
        assert src.read(10) == b""


def test_collecting_sink_and_mute_toggle() -> None:
    sink = CollectingSink()
    sink.play(AudioClip.silence(0.1))
    assert sink.toggle_mute() is True and sink.muted
    sink.play(AudioClip.silence(0.2))
    assert sink.toggle_mute() is False
    sink.play(AudioClip.silence(0.3))
    assert [c.duration for c in sink.clips] == pytest.approx([0.1, 0.3])
    assert sink.dropped == 1
    assert len(sink.pcm) == 2 * 6_400


# --- missing pieces of the voice stack ---------------------------------------------------------


class _Refuse(importlib.abc.MetaPathFinder):
    def __init__(self, name: str, exc: BaseException) -> None:
        self.name, self.exc = name, exc

    def find_spec(self, fullname, path, target=None):  # noqa: ANN001
        if fullname == self.name:
            raise self.exc
        return None


def test_missing_portaudio_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_Refuse("sounddevice", OSError("PortAudio library not found")), *sys.meta_path])
    with pytest.raises(VoiceUnavailable) as err:
        import_sounddevice()
    assert "PortAudio" in err.value.problem
    assert "libportaudio2" in err.value.fix and "Fix:" in str(err.value)


def test_missing_sounddevice_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    with pytest.raises(VoiceUnavailable, match=r"aployee-sim\[voice\]"):
        MicrophoneSource().open()


class FakePortAudioError(Exception):
    pass


def fake_sounddevice(devices: list[dict], *, written: list[bytes] | None = None, stream_error: bool = False):
    """Just enough of sounddevice's API for MicrophoneSource and SoundDevicePlayer."""
    sd = types.ModuleType("sounddevice")
    sd.PortAudioError = FakePortAudioError

    def query_devices(device=None, kind=None):  # noqa: ANN001
        if kind is None:
            return devices
        key = f"max_{kind}_channels"
        usable = [d for d in devices if d[key] > 0 and (device is None or device == d["name"])]
        if not usable:
            raise ValueError(f"No {kind} device matching {device!r}")
        return usable[0]

    class RawOutputStream:
        def __init__(self, **kwargs):  # noqa: ANN003
            if stream_error and kwargs["samplerate"] != 48_000:
                raise FakePortAudioError("Invalid sample rate")
            self.kwargs = kwargs

        def __enter__(self):
            return self

        def __exit__(self, *exc):  # noqa: ANN002
            return None

        def write(self, data: bytes) -> None:
            assert written is not None
            written.append(bytes(data))

        def abort(self) -> None:
            pass

    sd.query_devices = query_devices
    sd.RawOutputStream = RawOutputStream
    return sd


SPEAKER = {"name": "speaker", "max_input_channels": 0, "max_output_channels": 2, "default_samplerate": 48_000.0}
MIC = {"name": "mic", "max_input_channels": 1, "max_output_channels": 0, "default_samplerate": 16_000.0}


def test_no_input_device_is_voice_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([SPEAKER]))
    with pytest.raises(VoiceUnavailable) as err:
        MicrophoneSource().open()
    assert "no microphone (input) audio device" in err.value.problem
    assert "type the caller's lines" in err.value.fix


def test_player_writes_in_chunks_and_respects_mute(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[bytes] = []
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([SPEAKER, MIC], written=written))
    player = SoundDevicePlayer()
    clip = sine(300, 0.35)
    player.play(clip)
    assert b"".join(written) == clip.pcm
    assert len(written) == 4  # 0.1 s chunks
    written.clear()
    player.toggle_mute()
    player.play(clip)
    assert written == [] and player.played == 1


def test_player_stop_cuts_playback_short(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[bytes] = []
    player = SoundDevicePlayer()

    class StoppingList(list):
        def append(self, item: bytes) -> None:
            super().append(item)
            written.append(item)
            if len(written) == 2:
                player.stop()  # as if the user pressed "stop" while it plays

    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([SPEAKER], written=StoppingList()))
    player.play(sine(300, 1.0))
    assert len(written) == 2


def test_player_without_output_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([MIC]))
    with pytest.raises(VoiceUnavailable, match="no speaker"):
        SoundDevicePlayer().play(sine(300, 0.1))


def test_player_falls_back_to_the_device_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[bytes] = []
    monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice([SPEAKER], written=written, stream_error=True))
    SoundDevicePlayer().play(sine(300, 0.5, rate=22_050))
    assert len(b"".join(written)) == 2 * 24_000  # 0.5 s at the speaker's 48 kHz
