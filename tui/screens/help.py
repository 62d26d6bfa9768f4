"""The help screen: every key binding, grouped by screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
[b]aployee-sim tui[/b] — inspect calls and role-play a caller.   [dim]esc / q / ? closes this help[/dim]

[b]Everywhere[/b]
  ?  / f1      this help               ctrl+q      quit

[b]Calls list[/b]
  ↑ ↓ / mouse  move                    enter       open the call
  /            search (id, number, assistant, status); esc leaves the box
  s            filter by status (cycles)   a     filter by assistant (cycles)
  o            sort by (cycles)            r     reverse the sort
  ] / \\[        next / previous page        c     clear filters
  p            role-play: start a call     l     role-play: attach to the selected live call

[b]Call view[/b]
  1 2 3 4      conversation, timeline, webhooks, summary
  j            export as JSON              y     export as a regression scenario (YAML)
  esc          back to the list

[b]Role-play[/b]
  enter        say the typed line          ctrl+t  press the typed keys as DTMF digits
  /d 1#        press digits                /hangup hang up
  ctrl+g       hang up                     ctrl+o  open the call in the call view
  esc          leave (hangs up a live call)
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(HELP)
