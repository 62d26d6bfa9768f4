"""A far end driven by audio: a microphone (or a WAV/array standing in for one) and a speaker.

`MicrophoneCaller` implements the `Caller` port. Capture and recognition block, so they run on
`aployee_sim.adapters.speech.live.VoiceInput`'s worker thread, which queues what it heard; the engine stays
single-threaded because only `pump()`, which the driver calls on the engine thread between engine
runs, touches the `Line`. The assistant's replies are synthesised and played by a `ReplySpeaker`
on a second worker thread (playing blocks until the clip has been heard).

Two ways to talk:

* continuous (hands-free): the `EnergyEndpointer` cuts the stream into utterances;
* push-to-talk: `start_talking()` records until `stop_talking()`; one utterance per press.

The final `Recognition` becomes `line.say(text, confidence=recognition.confidence)`, so the
transcript carries the recogniser's ASR confidence. With `hold_until_turn` (a WAV file as the
caller: the whole file is recognised at once, far faster than real time) each utterance waits
for the caller's next turn instead of talking over the assistant, and `hang_up_when_done` ends
the call once the source is exhausted and every utterance has been said.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from aployee_sim.adapters.speech import (
    BLOCK_FRAMES,
    SAMPLE_RATE,
    AudioClip,
    AudioSink,
    AudioSource,
    EnergyEndpointer,
    Recognition,
    SpeechRecognizer,
)
from aployee_sim.adapters.speech.live import JOIN_SECONDS, ReplySpeaker, VoiceInput
from aployee_sim.core.ports import Line


class MicrophoneCaller:
    """The `Caller` port on top of an `AudioSource`, a `SpeechRecognizer` and optionally a voice.

    Callbacks run on the engine thread (inside `pump()`): `on_partial(text)` while an utterance is
    being recognised, `on_heard(recognition)` when it is final, `on_listening(bool)` when push-to-talk
    recording starts/stops, `on_error(exc)` when a device, the recogniser or the synthesiser failed
    (also kept in `errors`). `on_reply_played(text)` runs on the speaker thread after a reply was played.
    """

    def __init__(
        self,
        source: AudioSource,
        recognizer: SpeechRecognizer | Any,
        *,
        push_to_talk: bool = False,
        synthesizer: Any = None,
        sink: AudioSink | None = None,
        endpointer: EnergyEndpointer | None = None,
        hold_until_turn: bool = False,
        hang_up_when_done: bool = False,
        max_utterance_s: float = 30.0,
        on_partial: Callable[[str], None] | None = None,
        on_heard: Callable[[Recognition], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_reply_played: Callable[[str], None] | None = None,
        on_listening: Callable[[bool], None] | None = None,
    ) -> None:
        self.voice_input = VoiceInput(source, recognizer, endpointer=endpointer, max_utterance_s=max_utterance_s)
        self.speaker = (ReplySpeaker(synthesizer, sink, on_played=on_reply_played)
                        if synthesizer is not None and sink is not None else None)
        self.push_to_talk = push_to_talk
        self.hold_until_turn = hold_until_turn
        self.hang_up_when_done = hang_up_when_done
        self.on_partial = on_partial
        self.on_heard = on_heard
        self.on_error = on_error
        self.on_listening = on_listening
        self.line: Line | None = None
        self.heard: list[str] = []
        self.said: list[Recognition] = []
        self.errors: list[BaseException] = []
        self.ended_reason: str | None = None
        self._held: deque[Recognition] = deque()
        self._my_turn = False
        self._source_done = False

    # --- the Caller port (engine thread) -------------------------------------------------------
    def connected(self, line: Line) -> None:
        self.line = line
        if not self.push_to_talk:
            self.voice_input.start_continuous()

    def assistant_started(self, text: str, duration_ms: int) -> None:
        self.heard.append(text)
        self._my_turn = False
        if self.speaker is not None:
            self.speaker.say(text)

    def your_turn(self) -> None:
        self._my_turn = True
        self._release_held()

    def ended(self, reason: str) -> None:
        self.ended_reason = reason
        self.voice_input.stop_talking()

    # --- push-to-talk (any thread) ---------------------------------------------------------------
    @property
    def listening(self) -> bool:
        return self.voice_input.listening

    def start_talking(self) -> bool:
        """Start recording one utterance; False when already recording or the call is over."""
        return self.ended_reason is None and self.voice_input.start_talking()

    def stop_talking(self) -> None:
        """Stop recording; the utterance is recognised and said at the next `pump()`."""
        self.voice_input.stop_talking()

    # --- the driver's side (engine thread) -------------------------------------------------------
    def pump(self) -> int:
        """Deliver what the workers produced: partials, final utterances, errors. Returns how many items."""
        items = self.voice_input.drain()
        if self.speaker is not None:
            items += [("error", exc) for exc in self.speaker.errors()]
        for kind, value in items:
            if kind == "partial" and self.on_partial is not None:
                self.on_partial(value)
            elif kind == "final":
                if self.on_heard is not None:
                    self.on_heard(value)
                self._held.append(value)
            elif kind == "listening" and self.on_listening is not None:
                self.on_listening(value)
            elif kind == "error":
                self.errors.append(value)
                if self.on_error is not None:
                    self.on_error(value)
            elif kind == "done":
                self._source_done = True
        self._release_held()
        return len(items)

    @property
    def finished(self) -> bool:
        """The source is exhausted and every utterance was said (or the call is over)."""
        return self.ended_reason is not None or (self._source_done and not self._held)

    def _release_held(self) -> None:
        line = self.line
        if line is None or not line.live:
            self._held.clear()
            return
        while self._held and (not self.hold_until_turn or (self._my_turn and not line.assistant_speaking)):
            recognition = self._held.popleft()
            self._my_turn = False
            self.said.append(recognition)
            line.say(recognition.text, confidence=recognition.confidence)
            if self.hold_until_turn:
                return
        if (self.hang_up_when_done and self._source_done and not self._held and self._my_turn
                and not line.assistant_speaking):
            line.hang_up()

    # --- waiting and closing ---------------------------------------------------------------------
    def wait_listening(self, timeout: float = JOIN_SECONDS) -> None:
        """Block until the listener has used up a finite source (an array or WAV file: tests), bounded."""
        self.voice_input.wait(timeout)

    def wait_replies(self, timeout: float = JOIN_SECONDS) -> None:
        """Block until every reply queued so far has been played (tests, the end of a CLI call)."""
        if self.speaker is not None:
            self.speaker.wait(timeout)

    def close(self) -> None:
        """Stop the workers and wait for them (bounded); the source is closed too."""
        if self.speaker is not None:
            self.speaker.close()
        self.voice_input.close()


class ScriptedRecognizer:
    """A `SpeechRecognizer` stand-in without vosk: real end-pointing, scripted words.

    Each utterance the end-pointer finds (or each push-to-talk recording with audio in it) is
    "heard" as the next of `texts`, word by word through `on_partial`, with `confidence`. For tests
    and demos of the microphone path on machines without a model.
    """

    def __init__(self, texts: list[str], *, confidence: float = 0.9, sample_rate: int = SAMPLE_RATE,
                 on_partial: Callable[[str], None] | None = None) -> None:
        self.texts = deque(texts)
        self.confidence = confidence
        self.sample_rate = sample_rate
        self.on_partial = on_partial

    def _heard(self, audio_bytes: int) -> Recognition:
        text = self.texts.popleft() if self.texts else ""
        words = text.split()
        for i in range(1, len(words) + 1):
            if self.on_partial is not None:
                self.on_partial(" ".join(words[:i]))
        return Recognition(text, self.confidence if text else 0.0, audio_seconds=audio_bytes / 2 / self.sample_rate)

    def transcribe(self, source: AudioSource, *, stop: threading.Event | None = None, max_seconds: float = 30.0,
                   block_frames: int = BLOCK_FRAMES) -> Recognition:
        limit, read = int(max_seconds * self.sample_rate) * 2, 0
        words = self.texts[0].split() if self.texts else []
        while read < limit and not (stop is not None and stop.is_set()):
            pcm = source.read(block_frames)
            if not pcm:
                break
            read += len(pcm)
            shown = min(len(words), read // (2 * block_frames))  # one more word per block, like a live decode
            if shown and self.on_partial is not None:
                self.on_partial(" ".join(words[:shown]))
        return self._heard(read) if read else Recognition("", 0.0)

    def listen(self, source: AudioSource, *, endpointer: EnergyEndpointer | None = None,
               stop: threading.Event | None = None, max_seconds: float = 300.0,
               block_frames: int = BLOCK_FRAMES) -> Any:
        vad = endpointer or EnergyEndpointer(sample_rate=self.sample_rate)
        limit, read, speech = int(max_seconds * self.sample_rate) * 2, 0, 0
        while read < limit and not (stop is not None and stop.is_set()):
            pcm = source.read(block_frames)
            if not pcm:
                break
            read += len(pcm)
            for event in vad.feed(pcm):
                speech += len(event.pcm)
                if event.kind == "end":
                    yield self._heard(speech)
                    speech = 0
        for event in vad.flush():
            if event.kind == "end":
                yield self._heard(speech)


class SilentSynthesizer:
    """A `SpeechSynthesizer` stand-in without eSpeak: each reply is a short silent clip, and is logged.

    For tests of the reply path (what was spoken, mute) on machines without a voice.
    """

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds = seconds
        self.spoken: list[str] = []

    def speak(self, text: str, sink: AudioSink) -> AudioClip | None:
        if sink.muted:
            return None
        self.spoken.append(text)
        clip = AudioClip.silence(self.seconds)
        sink.play(clip)
        return clip
