"""The real voice path end to end: espeak-ng speech -> vosk (grammar mode) -> a call -> pyttsx3 reply.

Also `aployee-sim call --input-wav` in a subprocess. CI fails instead of skipping when a piece of
the stack is missing (`need_voice`, the fixture behind conftest's `require_voice`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aployee_sim.adapters.speech import (
    AudioClip,
    CollectingSink,
    SpeechRecognizer,
    SpeechSynthesizer,
    WavFileSource,
    concat,
)
from aployee_sim.api import Simulator
from aployee_sim.fakes.microphone import MicrophoneCaller

pytestmark = pytest.mark.voice

PHRASES = ["취소", "안녕하세요", "예약 확인"]
REPLY = "Your booking is cancelled."
CLI = [sys.executable, "-c", "import sys; from aployee_sim.cli import main; sys.exit(main())"]


def padded_wav(said: Path, out: Path) -> Path:
    return concat([AudioClip.silence(0.3), AudioClip.read_wav(said), AudioClip.silence(1.0)]).write_wav(out)


def test_spoken_korean_reaches_the_assistant_and_its_reply_is_played(ko_model, korean_wavs, tmp_path, need_voice) -> None:
    need_voice("pyttsx3", "libespeak")
    sim = Simulator(seed=5)
    assistant = sim.create_assistant(name="Mina", first_message="Hello, bookings desk.", end_call_phrases=["cancelled"],
                                     intents=[{"keywords": ["취소"], "reply": REPLY}], fallback_reply="Sorry?")
    sink = CollectingSink()
    heard = []
    caller = MicrophoneCaller(WavFileSource(padded_wav(korean_wavs["취소"], tmp_path / "cancel.wav")),
                              SpeechRecognizer(ko_model, phrases=PHRASES), synthesizer=SpeechSynthesizer(),
                              sink=sink, hold_until_turn=True, hang_up_when_done=True, on_heard=heard.append)
    call_id = sim.start_call(assistant["id"], "+15551234567", caller=caller)["id"]
    for _ in range(600):
        caller.wait_listening(10.0)
        caller.pump()
        sim.run(seconds=0.1)
        if sim.is_terminal(call_id):
            break
    caller.wait_replies(20.0)
    caller.close()

    assert len(heard) == 1 and heard[0].text == "취소" and 0.5 <= heard[0].confidence <= 1.0
    entries = sim.transcript(call_id)["transcript"]
    assert [(e["role"], e["content"]) for e in entries] == [
        ("assistant", "Hello, bookings desk."), ("user", "취소"), ("assistant", REPLY)]
    assert entries[1]["confidence"] == heard[0].confidence
    assert sim.record(call_id).status == "completed"
    # Both assistant lines were synthesised and "played": real speech, not silence.
    assert len(sink.clips) == 2
    assert all(c.duration > 0.5 and c.rms_dbfs() > -40 for c in sink.clips)


def test_call_command_with_an_input_wav(ko_model_dir, korean_wavs, tmp_path) -> None:
    wav = padded_wav(korean_wavs["안녕하세요"], tmp_path / "hello.wav")
    done = subprocess.run(
        [*CLI, "call", "--input-wav", str(wav), "--vosk-model", str(ko_model_dir),
         "--phrases", *PHRASES, "--intent", "안녕하세요=Hi! How can I help? Goodbye.", "--mute",
         "--speed", "20", "--max-seconds", "20"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "assistant: Thanks for calling Acme support. How can I help?"
    assert lines[2].startswith("user: 안녕하세요  [asr ")
    assert lines[3] == "assistant: Hi! How can I help? Goodbye."
    assert '"status": "completed"' in lines[-1]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("extra", "message"), [
    (["--vosk-model", "/nonexistent/model"], "vosk model directory '/nonexistent/model' does not exist. Fix: "),
    (["--phrases", "zzzz"], "--phrases: not in the speech model's vocabulary: zzzz"),
])
def test_call_command_errors_are_one_line(ko_model_dir, korean_wavs, extra, message) -> None:
    args = ["--vosk-model", str(ko_model_dir), *extra] if extra[0] != "--vosk-model" else extra
    done = subprocess.run([*CLI, "call", "--input-wav", str(korean_wavs["취소"]),
                           "--mute", *args], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("aployee-sim: error: " + message)
    assert len(done.stderr.strip().splitlines()) == 1


def test_call_command_with_your_own_webhook(ko_model_dir, korean_wavs, tmp_path) -> None:
    """`--webhook-url`: the recognised line reaches a real HTTP webhook (loopback) and its reply is the assistant's."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[dict] = []

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append(request)
            body = json.dumps({"reply": f"You said {request['utterance']}. Goodbye.", "state": request["state"]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        wav = padded_wav(korean_wavs["취소"], tmp_path / "cancel.wav")
        done = subprocess.run(
            [*CLI, "call", "--input-wav", str(wav), "--vosk-model", str(ko_model_dir), "--phrases", *PHRASES,
             "--webhook-url", f"http://127.0.0.1:{server.server_port}/reason", "--mute", "--speed", "20",
             "--max-seconds", "20"],
            capture_output=True, text=True, timeout=60, check=False,
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert done.returncode == 0, done.stderr
    assert [r["utterance"] for r in received] == ["취소"]
    assert "assistant: You said 취소. Goodbye." in done.stdout.splitlines()
