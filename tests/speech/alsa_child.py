"""Runs the real sounddevice code against the virtual ALSA devices that test_speech_alsa.py defines.

PortAudio reads the ALSA configuration once, when sounddevice is imported, so each check runs in
its own process with XDG_CONFIG_HOME pointing at the test's asoundrc. Usage:
`python alsa_child.py '<json request>'`; prints one JSON line with the outcome.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(request: dict) -> dict:
    from aployee_sim.adapters.speech import (
        AudioClip,
        MicrophoneSource,
        SoundDevicePlayer,
        SpeechRecognizer,
        VoiceUnavailable,
        list_devices,
    )

    mode = request["mode"]
    if mode == "devices":
        return {"input": [d["name"] for d in list_devices("input")], "output": [d["name"] for d in list_devices("output")]}
    if mode == "record":
        with MicrophoneSource(device=request["device"], block_frames=request["block_frames"]) as mic:
            pcm = b""
            for _ in range(request["blocks"]):
                pcm += mic.read(request["block_frames"])
            name = mic.device_name
        Path(request["out"]).write_bytes(pcm)
        return {"device_name": name, "bytes": len(pcm), "after_close": len(mic.read(10))}
    if mode == "play":
        player = SoundDevicePlayer(device=request["device"], muted=request.get("muted", False))
        player.play(AudioClip.read_wav(request["wav"]))
        return {"played": player.played}
    if mode == "missing":
        try:
            MicrophoneSource(device=request["device"]).open()
        except VoiceUnavailable as exc:
            return {"problem": exc.problem, "fix": exc.fix}
        return {"problem": None}
    if mode == "recognize":  # several jobs, one model load
        recognizer = SpeechRecognizer(request["model"], phrases=request.get("phrases"))
        results = []
        for job in request["jobs"]:
            with MicrophoneSource(device=job["device"]) as mic:
                if job["kind"] == "transcribe":
                    result = recognizer.transcribe(mic, max_seconds=job["seconds"])
                    results.append({"text": result.text, "confidence": result.confidence})
                else:
                    results.append({"texts": [r.text for r in recognizer.listen(mic, max_seconds=job["seconds"])]})
        return {"results": results}
    raise ValueError(f"unknown mode {mode!r}")


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1])), ensure_ascii=False), flush=True)
