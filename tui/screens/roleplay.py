"""Role-play: set up a call, then be its far end — type lines, press digits, hang up — or hand the
caller role to a persona (a language model, docs/personas.md) and watch the call."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static

from aployee_sim.terminal_text import in_markup, printable, shown
from aployee_sim.tui import live_text
from aployee_sim.tui.model import LiveView
from aployee_sim.tui.roleplay import DEFAULT_TO, PersonaPlan, RolePlay
from aployee_sim.tui.screens.common import OpenCall, background
from aployee_sim.tui.voice import VoiceControl


@dataclass(frozen=True)
class CallPlan:
    assistant_id: str
    to: str
    from_: str | None
    inbound: bool
    persona: PersonaPlan | None = None


class RolePlaySetup(ModalScreen[CallPlan | None]):
    """Pick an assistant and a number; enter starts the call, esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, assistants: list[tuple[str, str]], inbound_numbers: list[str] | None,
                 personas: bool = False) -> None:
        super().__init__()
        self.assistants = assistants
        self.inbound_numbers = inbound_numbers  # None: this simulator cannot place inbound calls
        self.personas = personas  # whether a persona can play the caller (the in-process playground)

    def compose(self) -> ComposeResult:
        with Vertical(id="setup"):
            yield Label("[b]Role-play a call[/b] — you are the person on the phone")
            yield Select([(shown(f"{name} ({aid})", multiline=False), aid) for aid, name in self.assistants],
                         id="assistant",
                         value=self.assistants[0][0] if self.assistants else Select.BLANK,
                         prompt="assistant", allow_blank=not self.assistants)
            with Horizontal(classes="setup-row"):
                yield Input(DEFAULT_TO, placeholder="to (E.164)", id="to")
                yield Input(placeholder="from (optional)", id="from")
            if self.personas:
                with Horizontal(classes="setup-row"):
                    yield Input(placeholder="persona (optional: a model plays the caller)", id="persona")
                    yield Input(placeholder="persona's goal", id="goal")
            with Horizontal(classes="setup-row"):
                yield Checkbox("inbound", id="inbound", disabled=not self.inbound_numbers,
                               tooltip="I dial a provisioned number instead of the assistant calling me")
                yield Button("Start call", id="start", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#to", Input).focus()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """Inbound calls go to a provisioned number (its routing picks the assistant)."""
        to = self.query_one("#to", Input)
        if event.value and self.inbound_numbers and to.value not in self.inbound_numbers:
            to.value = self.inbound_numbers[0]
        elif not event.value and to.value in (self.inbound_numbers or []):
            to.value = DEFAULT_TO

    def on_input_submitted(self) -> None:
        self._start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._start()

    def _start(self) -> None:
        assistant = self.query_one("#assistant", Select).value
        if assistant is Select.BLANK:
            self.notify("there is no assistant to call with", severity="error")
            return
        to = self.query_one("#to", Input).value.strip()
        from_ = self.query_one("#from", Input).value.strip() or None
        persona = self._field("#persona")
        goal = self._field("#goal")
        if persona and not goal:
            self.notify("a persona needs a goal: what the caller wants from the call", severity="error")
            return
        plan = PersonaPlan(persona, goal) if persona else None
        self.dismiss(CallPlan(str(assistant), to, from_, self.query_one("#inbound", Checkbox).value, plan))

    def _field(self, selector: str) -> str:
        """A persona field's text ("" when this session offers no personas)."""
        return self.query_one(selector, Input).value.strip() if self.personas else ""

    def action_cancel(self) -> None:
        self.dismiss(None)


class RolePlayScreen(Screen):
    BINDINGS = [
        Binding("escape", "leave", "Leave"),
        Binding("ctrl+t", "digits", "Digits"),
        Binding("ctrl+g", "hangup", "Hang up"),
        Binding("ctrl+o", "inspect", "Inspect"),
        Binding("ctrl+r", "record", "Talk"),
        Binding("ctrl+n", "mute", "Mute"),
    ]

    def __init__(self, session: RolePlay, *, tick_seconds: float, voice: VoiceControl | None = None) -> None:
        """`voice`: push-to-talk and spoken replies (aployee_sim.tui.voice); None when this session has no voice mode."""
        super().__init__()
        self.session = session
        self.voice = voice
        self.call_id = session.call_id
        self.tick_seconds = tick_seconds
        self.view: LiveView | None = None
        self.pressed: list[tuple[str, str]] = []   # (virtual time, digits) sent, shown among the lines
        self._drawn_presses = 0
        self.state_before: dict = {}
        self.state_now: dict | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="live-status")
        with Horizontal(id="live"):
            with VerticalScroll(id="talk"):
                yield Static(id="talk-text")
            with VerticalScroll(id="side"):
                yield Static(id="state-text")
        yield Static(id="voice-status")
        yield Input(placeholder="say something (enter) · /d 1# digits · /hangup", id="say")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "aployee-sim role-play"
        self.sub_title = printable(self.call_id or "", multiline=False)
        say = self.query_one("#say", Input)
        if getattr(self.session, "persona", None) is not None:
            say.placeholder = "a persona is the caller: watch it · /hangup ends the call"
        say.focus()
        self.tick()
        self.set_interval(self.tick_seconds, self.tick)
        self._show_voice()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Talk and mute are offered only when this session has a voice mode (the voice extra)."""
        if action in ("record", "mute") and self.voice is None:
            return False
        return True

    def on_unmount(self) -> None:
        if self.voice is not None:
            self.voice.close()

    # --- the clock and the view ---------------------------------------------------------------
    def tick(self) -> None:
        background(self, self.session.tick, self.show, self._failed, threaded=self.session.blocking, group="tick")

    def show(self, view: LiveView) -> None:
        self._poll_voice(view)
        if view == self.view and len(self.pressed) == self._drawn_presses:  # nothing new: leave the widgets alone
            return
        self.view = view
        self._drawn_presses = len(self.pressed)
        self.state_before, self.state_now = live_text.track_state(self.state_before, self.state_now, view.state)
        self.query_one("#live-status", Static).update(shown(live_text.status_line(view), multiline=False))
        talk = self.query_one("#talk", VerticalScroll)
        at_end = talk.scroll_offset.y >= talk.max_scroll_y
        self.query_one("#talk-text", Static).update(shown(live_text.conversation(view, self.pressed)))
        if at_end:
            talk.scroll_end(animate=False)
        self.query_one("#state-text", Static).update(shown(live_text.state_panel(self.state_before, self.state_now)))

    def _failed(self, message: str) -> None:
        self.query_one("#live-status", Static).update(f"[b red]{in_markup(message)}[/]")

    # --- the caller's actions ----------------------------------------------------------------
    def _act(self, fn) -> None:
        background(self, fn, lambda _: self.tick(), self._failed, threaded=self.session.blocking, group="act")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        action, argument = live_text.parse_command(event.value)
        event.input.value = ""
        if action == "say" and argument:
            self._act(lambda: self.session.say(argument))
        elif action == "digits" and argument:
            self._press(argument)
        elif action == "hangup":
            self.action_hangup()
        elif action == "unknown":
            self.notify(f"unknown command /{argument}: use /d DIGITS or /hangup", severity="warning")

    def action_digits(self) -> None:
        box = self.query_one("#say", Input)
        keys = box.value.replace(" ", "")
        box.value = ""
        if keys:
            self._press(keys)

    def _press(self, keys: str) -> None:
        if self.view is not None:
            self.pressed.append((self.view.now, keys))
        self._act(lambda: self.session.press(keys))

    def action_hangup(self) -> None:
        if self.view is None or not self.view.ended:
            self._act(self.session.hang_up)

    # --- voice mode (aployee_sim.tui.voice holds the logic) -----------------------------------------------
    def _show_voice(self) -> None:
        text = self.voice.status() if self.voice is not None else "[dim]no voice mode in this session[/]"
        self.query_one("#voice-status", Static).update(text)

    def _poll_voice(self, view: LiveView) -> None:
        if self.voice is None:
            return
        update = self.voice.poll(view.transcript)
        for heard in update.utterances:
            self._act(lambda heard=heard: self.session.say(heard.text, confidence=heard.confidence))
        for problem in update.problems:
            self.notify(f"voice: {problem}", severity="warning", markup=False)
        if update.changed:
            self._show_voice()

    def action_record(self) -> None:
        voice = self.voice
        if voice is None:
            self.notify("no voice mode in this session: type instead", severity="warning", markup=False)
            self._show_voice()
            return
        outcome = voice.press_record()
        if outcome == "unavailable":
            self.notify(voice.unavailable or "voice unavailable: type instead", severity="warning", markup=False)
        elif outcome == "open":
            background(self, voice.open, self._voice_opened, self._failed, threaded=True, group="voice-open")
        self._show_voice()

    def _voice_opened(self, problem: str | None) -> None:
        if problem:
            self.notify(f"voice unavailable, type instead: {problem}", severity="warning", timeout=10, markup=False)
            self.query_one("#say", Input).focus()
        elif self.voice is not None:
            self.voice.toggle_recording()
        self._show_voice()

    def action_mute(self) -> None:
        if self.voice is not None:
            self.voice.toggle_mute()
            self._show_voice()

    def action_inspect(self) -> None:
        if self.call_id:
            self.post_message(OpenCall(self.call_id))

    def action_leave(self) -> None:
        if self.view is not None and not self.view.ended:
            self.action_hangup()
        self.app.pop_screen()
