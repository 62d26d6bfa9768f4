"""Live voice for front ends: capture and recognition, and spoken replies, off the caller's thread.

A microphone read blocks for a block of audio, a vosk decode takes tens of milliseconds and
playing a reply blocks until it has been heard, so none of it may run on the thread that owns
the call (the engine's, or a UI's). `VoiceInput` reads and recognises on a worker thread and puts
what it found on a thread-safe queue that its owner drains with `drain()` whenever it likes (once
per engine run or UI tick); `ReplySpeaker` synthesises and plays lines on a second worker.
Both are used by the microphone caller (`aployee_sim.fakes.microphone`) and the TUI's voice mode, which
get their parts from `open_voice_kit` (one place that turns front-end options into devices).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aployee_sim.adapters.speech.audio import (
    AudioSink,
    AudioSource,
    MicrophoneSource,
    SoundDevicePlayer,
    WavFileSource,
)
from aployee_sim.adapters.speech.recognizer import SpeechRecognizer, load_model
from aployee_sim.adapters.speech.synthesizer import Isolation, SpeechSynthesizer
from aployee_sim.adapters.speech.vad import EnergyEndpointer

JOIN_SECONDS = 5.0
"""How long `close()` waits for a worker (a microphone read returns within one block)."""

ItemKind = Literal["partial", "final", "listening", "error", "done"]


class VoiceInput:
    """Caller speech from `source` through `recognizer`, on a worker thread.

    `drain()` returns what happened since the last call, in order, as (kind, value) pairs:
    `partial` (the running text), `final` (a `Recognition` with text), `listening` (push-to-talk
    recording started/stopped: bool), `error` (an exception from the device or recogniser) and
    `done` (the source has ended: a file used up, a microphone closed).
    """

    def __init__(self, source: AudioSource, recognizer: Any, *, endpointer: EnergyEndpointer | None = None,
                 max_utterance_s: float = 30.0) -> None:
        self.source = source
        self.recognizer = recognizer
        self.endpointer = endpointer
        self.max_utterance_s = max_utterance_s
        self._items: queue.Queue[tuple[ItemKind, Any]] = queue.Queue()
        self._closed = threading.Event()
        self._talk_stop: threading.Event | None = None
        self._worker: threading.Thread | None = None
        recognizer.on_partial = lambda text: self._items.put(("partial", text))

    @property
    def listening(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def start_continuous(self) -> None:
        """Hands-free: the end-pointer cuts the stream into utterances until the source ends or `close()`."""
        if not self.listening and not self._closed.is_set():
            self._start(self._listen)

    def start_talking(self) -> bool:
        """Push-to-talk: record one utterance until `stop_talking()`; False when already busy or closed."""
        if self.listening or self._closed.is_set():
            return False
        self._talk_stop = threading.Event()
        self._items.put(("listening", True))
        self._start(self._record_once, self._talk_stop)
        return True

    def stop_talking(self) -> None:
        if self._talk_stop is not None:
            self._talk_stop.set()

    def drain(self) -> list[tuple[ItemKind, Any]]:
        return _drain(self._items)

    def wait(self, timeout: float = JOIN_SECONDS) -> None:
        """Block until the worker is done with a finite source (an array or WAV file: tests), bounded."""
        if self._worker is not None:
            self._worker.join(timeout)

    def close(self) -> None:
        """Stop listening, wait for the worker (bounded) and close the source."""
        self._closed.set()
        self.stop_talking()
        self.wait()
        self.source.close()

    def _start(self, target: Callable[..., None], *args: Any) -> None:
        self._worker = threading.Thread(target=self._guarded, args=(target, *args), name="voice-input", daemon=True)
        self._worker.start()

    def _guarded(self, target: Callable[..., None], *args: Any) -> None:
        try:
            target(*args)
        except Exception as exc:  # a device failing mid-call: the owner reports it
            self._items.put(("error", exc))

    def _listen(self) -> None:
        for recognition in self.recognizer.listen(self.source, endpointer=self.endpointer, stop=self._closed):
            self._items.put(("final", recognition))
        self._items.put(("done", None))

    def _record_once(self, talk_stop: threading.Event) -> None:
        try:
            recognition = self.recognizer.transcribe(self.source, stop=talk_stop, max_seconds=self.max_utterance_s)
        finally:
            self._items.put(("listening", False))
        if recognition.text:
            self._items.put(("final", recognition))


class ReplySpeaker:
    """Speaks lines one after another on a worker thread: `synthesizer.speak(text, sink)`.

    Muting is the sink's toggle (a muted sink skips synthesis). Errors (e.g. eSpeak missing) are
    kept for the owner: `errors()` returns and forgets them. `on_played(text)` runs on the worker.
    """

    def __init__(self, synthesizer: Any, sink: AudioSink, *, on_played: Callable[[str], None] | None = None) -> None:
        self.synthesizer = synthesizer
        self.sink = sink
        self.on_played = on_played
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._errors: queue.Queue[BaseException] = queue.Queue()
        self._worker: threading.Thread | None = None

    @property
    def muted(self) -> bool:
        return self.sink.muted

    def set_muted(self, muted: bool) -> None:
        self.sink.set_muted(muted)

    def say(self, text: str) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="voice-replies", daemon=True)
            self._worker.start()
        self._lines.put(text)

    def errors(self) -> list[BaseException]:
        return _drain(self._errors)

    def wait(self, timeout: float = JOIN_SECONDS) -> None:
        """Block until every line queued so far has been played (bounded); later `say` starts a new worker."""
        if self._worker is not None:
            self._lines.put(None)
            self._worker.join(timeout)
            self._worker = None

    def close(self) -> None:
        """Drop the lines not yet spoken, cut the current one short and stop the worker."""
        while True:
            try:
                self._lines.get_nowait()
            except queue.Empty:
                break
        self.sink.stop()
        self.wait()

    def _run(self) -> None:
        while (text := self._lines.get()) is not None:
            try:
                clip = self.synthesizer.speak(text, self.sink)
            except Exception as exc:
                self._errors.put(exc)
                continue
            if clip is not None and self.on_played is not None:
                self.on_played(text)


@dataclass
class VoiceKit:
    """Everything a front end needs to talk and listen: where speech comes from and where replies go."""

    source: AudioSource
    recognizer: SpeechRecognizer
    synthesizer: SpeechSynthesizer
    sink: AudioSink


def open_voice_kit(*, model_dir: str | None = None, lang: str | None = None, phrases: Sequence[str] | None = None,
                   device: int | str | None = None, input_wav: str | Path | None = None,
                   output_device: int | str | None = None, voice: str | None = None, muted: bool = False,
                   isolation: Isolation = "fd") -> VoiceKit:
    """Load the model, open the microphone (or `input_wav`) and check the speaker and eSpeak up front.

    Everything that can be missing is tried now, so a front end fails before the call with one
    `VoiceUnavailable` (or `ValueError`: a phrase outside the vocabulary, a file that is no WAV),
    never mid-reply. With `muted`, the speaker and eSpeak are not needed. The microphone is opened
    last, so nothing is left open when an earlier piece fails.
    """
    recognizer = SpeechRecognizer(load_model(model_dir, lang=lang), phrases=phrases or None)
    sink = SoundDevicePlayer(device=output_device, muted=muted)
    synthesizer = SpeechSynthesizer(voice=voice, isolation=isolation)
    if not muted:
        sink.check()
        synthesizer.synthesize("Ready.")  # fails now, with the fix, if eSpeak is missing; warms the engine
    source: AudioSource = WavFileSource(input_wav) if input_wav else MicrophoneSource(device=device).open()
    return VoiceKit(source, recognizer, synthesizer, sink)


def _drain(items: queue.Queue) -> list[Any]:
    """Everything queued right now, without waiting."""
    found = []
    while True:
        try:
            found.append(items.get_nowait())
        except queue.Empty:
            return found
