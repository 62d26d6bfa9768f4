"""Voice mode of the role-play screen: talk instead of typing, hear the assistant's replies.

Logic only, no widgets: the screen forwards its keys and ticks here and shows what comes back.
Opening the voice (loading the model, opening the microphone) may take a couple of seconds, so
the screen runs `open()` in a worker thread; everything else runs on the UI thread and never
blocks, because capture, recognition and playback live on `aployee_sim.adapters.speech.live`'s workers.
Push-to-talk: the record key starts an utterance, pressing it again stops it; the final text is
handed back to be said with the recogniser's confidence. Replies are spoken from the moment the
voice is open (earlier lines are not replayed). When any piece of the voice stack is missing,
`open()` returns its message (naming the fix) and the screen stays in typing mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.markup import escape

from aployee_sim.adapters.speech import Recognition, ReplySpeaker, VoiceInput, VoiceKit, VoiceUnavailable

Opener = Callable[[], VoiceKit]


@dataclass
class VoiceUpdate:
    """What happened since the last tick: utterances to say, problems to show."""

    utterances: list[Recognition] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    changed: bool = False


class VoiceControl:
    def __init__(self, opener: Opener, *, muted: bool = False) -> None:
        self._opener = opener
        self.muted = muted
        self.input: VoiceInput | None = None
        self.speaker: ReplySpeaker | None = None
        self.unavailable: str | None = None
        self.opening = False
        self.partial = ""
        self._spoken: int | None = None

    @property
    def ready(self) -> bool:
        return self.input is not None

    @property
    def recording(self) -> bool:
        return self.input is not None and self.input.listening

    def open(self) -> str | None:
        """Load and open everything (blocking: run it in a worker); the problem's message, or None."""
        try:
            kit = self._opener()
        except (VoiceUnavailable, ValueError) as exc:
            self.unavailable = str(exc)
            return self.unavailable
        finally:
            self.opening = False
        self.input = VoiceInput(kit.source, kit.recognizer)
        self.speaker = ReplySpeaker(kit.synthesizer, kit.sink)
        self.speaker.set_muted(self.muted)
        return None

    def press_record(self) -> str:
        """The record key: `unavailable` (show why), `open` (run `open()` in a worker, then record),
        `busy` (still opening) or `toggled` (recording started or stopped)."""
        if self.unavailable:
            return "unavailable"
        if self.opening:
            return "busy"
        if self.input is None:
            self.opening = True
            return "open"
        self.toggle_recording()
        return "toggled"

    def toggle_recording(self) -> bool:
        """Start or stop an utterance; True when recording now."""
        if self.input is None:
            return False
        if self.input.listening:
            self.input.stop_talking()
            return False
        self.partial = ""
        return self.input.start_talking()

    def toggle_mute(self) -> bool:
        """Mute or unmute spoken replies (cuts the current one); True when muted now."""
        self.muted = not self.muted
        if self.speaker is not None:
            self.speaker.set_muted(self.muted)
        return self.muted

    def poll(self, transcript: list[dict[str, Any]]) -> VoiceUpdate:
        """Speak the assistant's new lines and collect what the recogniser produced."""
        update = VoiceUpdate()
        if self.input is None:
            return update
        if self._spoken is None:
            self._spoken = len(transcript)
        for entry in transcript[self._spoken:]:
            if entry.get("role") == "assistant" and self.speaker is not None:
                self.speaker.say(entry["content"])
        self._spoken = len(transcript)
        problems: list[Any] = self.speaker.errors() if self.speaker is not None else []
        for kind, value in self.input.drain():
            update.changed = True
            if kind == "partial":
                self.partial = value
            elif kind == "final":
                self.partial = ""
                update.utterances.append(value)
            elif kind == "error":
                problems.append(value)
        update.problems = [str(p) for p in problems]
        update.changed = update.changed or bool(problems)
        return update

    def status(self) -> str:
        """One line for the screen (Rich markup)."""
        if self.unavailable:
            return f"[red]voice unavailable — type instead.[/] {escape(self.unavailable)}"
        if self.opening:
            return "[dim]voice: loading the speech model…[/]"
        if self.input is None:
            return "[dim]ctrl+r talk (voice) · ctrl+n mute replies[/]"
        replies = "replies muted" if self.muted else "replies spoken"
        if self.recording:
            return f"[b red]● recording[/] (ctrl+r sends) {escape(self.partial)}"
        return f"[dim]voice ready: ctrl+r talk · ctrl+n {'unmute' if self.muted else 'mute'} ({replies})[/]"

    def close(self) -> None:
        if self.speaker is not None:
            self.speaker.close()
        if self.input is not None:
            self.input.close()
