"""What every screen shares: running source calls off the UI thread, and the app's messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.widget import Widget

from aployee_sim.tui.sources import SourceError


@dataclass
class OpenCall(Message):
    """Show one call in the call view (`run_id`: of a store file, where ids repeat across runs)."""

    call_id: str
    run_id: str = ""


@dataclass
class StartRolePlay(Message):
    """Open the role-play set-up (optionally attached to a live call)."""

    call_id: str | None = None


def background(widget: Widget, fn: Callable[[], Any], done: Callable[[Any], None],
               failed: Callable[[str], None], *, threaded: bool, group: str) -> None:
    """Run `fn` and hand its result to `done` (or a `SourceError`'s message to `failed`) on the UI thread.

    Blocking sources (a store file, HTTP) run in a thread worker, newest request wins per
    group; an in-process platform is read on the UI thread, where its engine also runs.
    """
    if not threaded:
        try:
            result = fn()
        except SourceError as exc:
            failed(str(exc))
            return
        done(result)
        return

    def work() -> None:
        try:
            result = fn()
        except SourceError as exc:
            widget.app.call_from_thread(failed, str(exc))
            return
        widget.app.call_from_thread(done, result)

    widget.run_worker(work, thread=True, group=group, exclusive=True, exit_on_error=False)
