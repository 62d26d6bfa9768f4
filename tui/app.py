"""The Textual application: wires a call source and an optional role-play session to the screens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from aployee_sim.terminal_text import printable
from aployee_sim.tui.roleplay import RolePlay
from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.screens.calls import CallsScreen
from aployee_sim.tui.screens.common import OpenCall, StartRolePlay, background
from aployee_sim.tui.screens.help import HelpScreen
from aployee_sim.tui.screens.roleplay import CallPlan, RolePlayScreen, RolePlaySetup
from aployee_sim.tui.sources import CallSource
from aployee_sim.tui.voice import Opener, VoiceControl

CSS = """
#filters { height: 1; padding: 0 1; background: $boost; }
#message, #callbar, #live-status { height: 1; padding: 0 1; }
#search { height: 3; }
#calls { height: 1fr; }
#tabs { height: 1fr; }
#live { height: 1fr; }
#talk { width: 2fr; border: round $primary; padding: 0 1; }
#side { width: 1fr; min-width: 26; border: round $secondary; padding: 0 1; }
#say { dock: bottom; margin-bottom: 1; }
RolePlaySetup, HelpScreen { align: center middle; }
#setup { width: 64; height: auto; max-width: 100%; border: thick $primary; background: $surface; padding: 0 1; }
.setup-row { height: 3; }
.setup-row > Input { width: 1fr; }
.setup-row > Button { margin-left: 2; }
#help { width: 80; max-width: 100%; height: 90%; border: thick $primary; background: $surface; padding: 0 1; }
"""


class AployeeTui(App):
    """`source` is what the inspector shows; `roleplay`, when given, lets the user be a caller.

    `threaded` says whether reading the source blocks (a file, HTTP): then it runs in workers.
    `poll_seconds` is how often live data is re-read (None: never, for snapshots and tests).
    """

    CSS = CSS
    TITLE = "aployee-sim"
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(self, source: CallSource, *, roleplay: RolePlay | None = None, threaded: bool = False,
                 poll_seconds: float | None = 1.0, export_dir: Path | str = ".", tick_seconds: float = 0.1,
                 start_roleplay: bool = False, attach: str | None = None, voice: Opener | None = None,
                 voice_muted: bool = False) -> None:
        """`voice` opens the microphone, recogniser and speaker for role-play's voice mode (aployee_sim.tui.voice)."""
        super().__init__()
        self.voice = voice
        self.voice_muted = voice_muted
        self.source = source
        self.roleplay = roleplay
        self.threaded = threaded
        self.poll_seconds = poll_seconds
        self.export_dir = Path(export_dir)
        self.tick_seconds = tick_seconds
        self._start = StartRolePlay(attach) if (start_roleplay or attach) else None

    def on_mount(self) -> None:
        self.push_screen(CallsScreen(self.source, threaded=self.threaded, poll_seconds=self.poll_seconds))
        if self._start is not None:
            self.on_start_role_play(self._start)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def on_open_call(self, message: OpenCall) -> None:
        self.push_screen(CallScreen(self.source, message.call_id, run_id=message.run_id, threaded=self.threaded,
                                    export_dir=self.export_dir, poll_seconds=self.poll_seconds))

    def on_start_role_play(self, message: StartRolePlay) -> None:
        session = self.roleplay
        if session is None:
            self.notify("role-play needs a simulator: run `aployee-sim tui` without --db, or with --url",
                        severity="warning")
            return
        call_id = message.call_id
        if call_id is not None:
            self._begin(session, lambda: session.attach(call_id))
            return

        def options() -> tuple[list[tuple[str, str]], list[str] | None]:
            return session.assistants(), session.inbound_numbers() if session.can_place_inbound() else None

        def choose(found: tuple[list[tuple[str, str]], list[str] | None]) -> None:
            assistants, numbers = found
            if not assistants:
                self.notify("there are no assistants to call with", severity="warning")
                return
            self.push_screen(RolePlaySetup(assistants, numbers, session.can_play_persona()), self._plan_chosen)

        background(self.screen, options, choose, lambda message: self.notify(printable(message), severity="error",
                                                                            markup=False),
                   threaded=session.blocking, group="roleplay-options")

    def _plan_chosen(self, plan: CallPlan | None) -> None:
        session = self.roleplay
        if plan is not None and session is not None:
            self._begin(session, lambda: session.start(plan.assistant_id, plan.to, plan.from_, inbound=plan.inbound,
                                                       persona=plan.persona))

    def _begin(self, session: RolePlay, connect: Callable[[], object]) -> None:
        """Place or attach the call (off the UI thread when it is HTTP), then show the role-play screen."""

        def start() -> str | None:
            connect()
            return session.notice()

        def started(notice: str | None) -> None:
            if notice:
                self.notify(printable(notice), severity="warning", timeout=10, markup=False)
            voice = VoiceControl(self.voice, muted=self.voice_muted) if self.voice is not None else None
            self.push_screen(RolePlayScreen(session, tick_seconds=self.tick_seconds, voice=voice))

        def failed(message: str) -> None:
            self.notify(printable(f"cannot start the call: {message}"), severity="error", markup=False)

        background(self.screen, start, started, failed, threaded=session.blocking, group="roleplay-start")
