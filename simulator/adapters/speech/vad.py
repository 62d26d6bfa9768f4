"""Energy-based voice-activity end-pointing for the continuous (hands-free) microphone mode.

Deliberately simple, so its behaviour is easy to predict and to test:

* The audio is cut into `frame_ms` frames; each frame's loudness is its RMS in dBFS.
* A frame is *voiced* when it is louder than `max(min_speech_dbfs, noise_floor + margin_db)`.
  The noise floor starts at `initial_noise_dbfs` and follows the unvoiced frames (an exponential
  moving average), so a steady fan or hiss raises the bar instead of counting as speech.
* Speech *starts* after `start_ms` of consecutive voiced frames; the `preroll_ms` before that is
  kept, so the first syllable is not clipped.
* Speech *ends* after `hangover_ms` of consecutive unvoiced frames, or when an utterance reaches
  `max_utterance_s` (a cough-free monologue is still cut into pieces the recogniser can finish).

It knows nothing about vosk: it turns PCM into `VadEvent`s, and `SpeechRecognizer.listen`
feeds the audio between a start and an end to the recogniser.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Literal

from aployee_sim.adapters.speech.audio import SAMPLE_RATE, SAMPLE_WIDTH, rms_dbfs

VadKind = Literal["start", "audio", "end"]


@dataclass(frozen=True, slots=True)
class VadEvent:
    """`start` carries the pre-roll and the frames that triggered it; `audio` more speech; `end` none."""

    kind: VadKind
    pcm: bytes = b""


class EnergyEndpointer:
    """Turns a PCM stream into start/audio/end events; see the module docstring for the rules."""

    def __init__(
        self,
        *,
        sample_rate: int = SAMPLE_RATE,
        frame_ms: int = 30,
        min_speech_dbfs: float = -45.0,
        margin_db: float = 12.0,
        initial_noise_dbfs: float = -70.0,
        noise_adapt: float = 0.05,
        start_ms: int = 90,
        hangover_ms: int = 600,
        preroll_ms: int = 300,
        max_utterance_s: float = 20.0,
    ) -> None:
        self.sample_rate = sample_rate
        self.frame_bytes = SAMPLE_WIDTH * max(1, sample_rate * frame_ms // 1000)
        self.min_speech_dbfs = min_speech_dbfs
        self.margin_db = margin_db
        self.noise_adapt = noise_adapt
        self.noise_dbfs = initial_noise_dbfs
        self._start_frames = max(1, math.ceil(start_ms / frame_ms))
        self._hangover_frames = max(1, math.ceil(hangover_ms / frame_ms))
        self._max_frames = max(1, int(max_utterance_s * 1000 / frame_ms))
        self._preroll: deque[bytes] = deque(maxlen=max(1, math.ceil(preroll_ms / frame_ms)) + self._start_frames)
        self._pending = b""
        self._in_speech = False
        self._voiced_run = 0
        self._silent_run = 0
        self._utterance_frames = 0

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    def threshold_dbfs(self) -> float:
        return max(self.min_speech_dbfs, self.noise_dbfs + self.margin_db)

    def is_voiced(self, frame: bytes) -> bool:
        level = rms_dbfs(frame)
        voiced = level > self.threshold_dbfs()
        if not voiced and not self._in_speech and level > -math.inf:
            self.noise_dbfs += self.noise_adapt * (level - self.noise_dbfs)
        return voiced

    def feed(self, pcm: bytes) -> list[VadEvent]:
        """Process more audio; returns the events it completes (audio frames are coalesced)."""
        data = self._pending + pcm
        usable = len(data) - len(data) % self.frame_bytes
        self._pending = data[usable:]
        events: list[VadEvent] = []
        for pos in range(0, usable, self.frame_bytes):
            self._frame(data[pos : pos + self.frame_bytes], events)
        return _coalesce(events)

    def flush(self) -> list[VadEvent]:
        """End of stream: a running utterance ends here (its last partial frame included)."""
        events: list[VadEvent] = []
        if self._in_speech:
            if self._pending:
                events.append(VadEvent("audio", self._pending))
            events.append(VadEvent("end"))
        self._pending = b""
        self._reset_utterance()
        return _coalesce(events)

    def _frame(self, frame: bytes, events: list[VadEvent]) -> None:
        voiced = self.is_voiced(frame)
        if not self._in_speech:
            self._preroll.append(frame)
            self._voiced_run = self._voiced_run + 1 if voiced else 0
            if self._voiced_run >= self._start_frames:
                self._in_speech = True
                self._silent_run = 0
                self._utterance_frames = len(self._preroll)
                events.append(VadEvent("start", b"".join(self._preroll)))
                self._preroll.clear()
            return
        events.append(VadEvent("audio", frame))
        self._utterance_frames += 1
        self._silent_run = 0 if voiced else self._silent_run + 1
        if self._silent_run >= self._hangover_frames or self._utterance_frames >= self._max_frames:
            events.append(VadEvent("end"))
            self._reset_utterance()

    def _reset_utterance(self) -> None:
        self._in_speech = False
        self._voiced_run = 0
        self._silent_run = 0
        self._utterance_frames = 0
        self._preroll.clear()


def _coalesce(events: list[VadEvent]) -> list[VadEvent]:
    out: list[VadEvent] = []
    for event in events:
        if event.kind == "audio" and out and out[-1].kind in ("audio", "start"):
            out[-1] = VadEvent(out[-1].kind, out[-1].pcm + event.pcm)
        else:
            out.append(event)
    return out
