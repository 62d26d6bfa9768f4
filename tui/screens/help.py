"""The help screen: every key binding, grouped by screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
[b]aployee-sim tui[/b]: inspect calls and role-play a caller.  [dim]esc closes this help[/dim]

[b]Everywhere[/b]
  ? or f1     this help
  ctrl+q      quit

[b]Calls list[/b]
  ↑ ↓ enter   move, open the call (the mouse works too)
  /           search: call id, number, assistant, status (esc leaves the box)
  s / a       filter by status / by assistant (each press picks the next)
  u           filter by scenario run (store files written by `run --db`)
  o / r       sort by the next column / reverse the sort
  ] / \\[      next / previous page
  c           clear every filter
  p           role-play: start a call
  l           role-play: be the far end of the selected live call

[b]Call view[/b]
  1 2 3 4     conversation, timeline, webhooks, summary
  j           export the call as JSON
  y           export it as a regression scenario (YAML)
  esc         back to the list

[b]Role-play[/b]
  enter       say the typed line
  ctrl+t      press the typed keys as DTMF digits (or type /d 1#)
  ctrl+g      hang up (or type /hangup)
  ctrl+r      voice: start talking, press again to send (push-to-talk)
  ctrl+n      voice: mute / unmute the spoken replies
  ctrl+o      open the call in the call view
  esc         leave (hangs up a live call)
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(HELP)
