"""Integration tests: the real sounddevice/PortAudio/ALSA path, with no sound card and no daemon.

Each test writes an asoundrc defining `file`-type PCMs over ALSA's `null` device: the microphone
reads a raw file (`infile`), the speaker writes one (`file`). `null` runs as fast as it is read,
so these tests take no real time. The raw input is padded with silence so that PortAudio's
read-ahead never reaches the end of the file (past it the plugin hands back stale buffer data).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from aployee_sim.adapters.speech import AudioClip, concat

pytestmark = pytest.mark.voice

CHILD = Path(__file__).with_name("alsa_child.py")
REPO = Path(__file__).resolve().parents[2]
MIC, MIC2, SPEAKER = "aployee_test_mic", "aployee_test_mic_two", "aployee_test_speaker"


@pytest.fixture
def alsa(tmp_path: Path, need_voice):
    """A virtual microphone reading `mic.raw` and a speaker writing `speaker.raw`, and a runner."""
    need_voice("sounddevice", "alsa")
    mic_raw, mic2_raw, speaker_raw = tmp_path / "mic.raw", tmp_path / "mic2.raw", tmp_path / "speaker.raw"
    conf = tmp_path / "xdg" / "alsa" / "asoundrc"
    conf.parent.mkdir(parents=True)
    conf.write_text(
        f"""
pcm.{MIC} {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{mic_raw}"
    format "raw"
}}
pcm.{MIC2} {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{mic2_raw}"
    format "raw"
}}
pcm.{SPEAKER} {{
    type file
    slave.pcm "null"
    file "{speaker_raw}"
    format "raw"
}}
"""
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "PYTHONPATH": str(REPO)}

    def run(request: dict) -> dict:
        done = subprocess.run(
            [sys.executable, str(CHILD), json.dumps(request, ensure_ascii=False)],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=120, check=False,
        )
        assert done.returncode == 0, f"child failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    return SimpleNamespace(run=run, mic_raw=mic_raw, mic2_raw=mic2_raw, speaker_raw=speaker_raw, dir=tmp_path)


def chirp(seconds: float, rate: int = 16_000) -> AudioClip:
    n = int(seconds * rate)
    return AudioClip.from_samples(
        [int(9_000 * math.sin(2 * math.pi * (200 + 600 * i / n) * i / rate)) for i in range(n)], rate
    )


def test_virtual_devices_are_listed(alsa) -> None:
    alsa.mic_raw.write_bytes(bytes(32_000))
    devices = alsa.run({"mode": "devices"})
    assert MIC in devices["input"]
    assert SPEAKER in devices["output"]


def test_microphone_source_reads_the_exact_samples(alsa) -> None:
    signal = chirp(1.0)
    alsa.mic_raw.write_bytes(signal.pcm + AudioClip.silence(2.0).pcm)
    out = alsa.dir / "recorded.raw"
    result = alsa.run({"mode": "record", "device": MIC, "block_frames": 1_600, "blocks": 10, "out": str(out)})
    assert result == {"device_name": MIC, "bytes": len(signal.pcm), "after_close": 0}
    assert out.read_bytes() == signal.pcm


def test_player_writes_the_clip_to_the_device(alsa) -> None:
    clip = chirp(0.75)
    wav = clip.write_wav(alsa.dir / "reply.wav")
    assert alsa.run({"mode": "play", "device": SPEAKER, "wav": str(wav)}) == {"played": 1}
    assert alsa.speaker_raw.read_bytes() == clip.pcm


def test_muted_player_sends_nothing(alsa) -> None:
    wav = chirp(0.5).write_wav(alsa.dir / "reply.wav")
    assert alsa.run({"mode": "play", "device": SPEAKER, "wav": str(wav), "muted": True}) == {"played": 0}
    assert not alsa.speaker_raw.exists() or alsa.speaker_raw.stat().st_size == 0


def test_unknown_input_device_names_the_fix(alsa) -> None:
    alsa.mic_raw.write_bytes(bytes(32_000))
    result = alsa.run({"mode": "missing", "device": "no_such_microphone"})
    assert result["problem"] is not None and "no_such_microphone" in result["problem"]
    assert "python -m sounddevice" in result["fix"]


def test_microphone_to_vosk_push_to_talk_and_continuous(alsa, korean_wavs, ko_model_dir) -> None:
    """Korean speech enters through virtual microphones and vosk (grammar mode) hears it.

    Push-to-talk on the first microphone: one phrase. Hands-free on the second: the end-pointer
    splits the stream into utterances. One child process, so the model is loaded once.
    """
    phrase = "내일 예약"
    ptt = concat([AudioClip.silence(0.3), AudioClip.read_wav(korean_wavs[phrase]), AudioClip.silence(0.5)])
    alsa.mic_raw.write_bytes(ptt.pcm + AudioClip.silence(2.0).pcm)
    phrases = ["안녕하세요", "예약 확인", "취소"]
    gap = AudioClip.silence(1.0)
    stream = concat([gap] + [c for p in phrases for c in (AudioClip.read_wav(korean_wavs[p]), gap)])
    alsa.mic2_raw.write_bytes(stream.pcm + AudioClip.silence(2.0).pcm)
    jobs = [
        {"kind": "transcribe", "device": MIC, "seconds": ptt.duration},
        {"kind": "listen", "device": MIC2, "seconds": stream.duration},
    ]
    result = alsa.run({"mode": "recognize", "model": str(ko_model_dir), "phrases": list(korean_wavs), "jobs": jobs})
    heard_ptt, heard_stream = result["results"]
    assert heard_ptt["text"] == phrase
    assert 0.5 <= heard_ptt["confidence"] <= 1.0
    assert heard_stream["texts"] == phrases


def test_call_command_with_the_virtual_microphone_and_speaker(alsa, ko_model_dir, korean_wavs, need_voice) -> None:
    """`aployee-sim call --mic` through the real sounddevice code: speech in from the virtual
    microphone, the assistant's replies synthesised by pyttsx3 and written to the virtual speaker."""
    need_voice("pyttsx3", "libespeak")
    said = concat([AudioClip.silence(0.5), AudioClip.read_wav(korean_wavs["취소"]), AudioClip.silence(3.0)])
    alsa.mic_raw.write_bytes(said.pcm)
    env = {**os.environ, "XDG_CONFIG_HOME": str(alsa.dir / "xdg")}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from aployee_sim.cli import main; sys.exit(main())", "call", "--mic",
         "--device", MIC, "--output-device", SPEAKER, "--vosk-model", str(ko_model_dir), "--phrases", "취소",
         "안녕하세요", "--intent", "취소=Your booking is cancelled. Goodbye.", "--speed", "10", "--max-seconds", "20"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "user: 취소  [asr " in done.stdout
    assert "assistant: Your booking is cancelled. Goodbye." in done.stdout
    assert '"status": "completed"' in done.stdout.splitlines()[-1]
    played = AudioClip(alsa.speaker_raw.read_bytes())
    assert played.duration > 0.5 and played.rms_dbfs() > -40  # spoken replies, not silence
