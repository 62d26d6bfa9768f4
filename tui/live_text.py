"""Role-play text as pure functions: the live conversation, the status line, the state panel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text

from aployee_sim.tui.call_text import ROLE_STYLES, clock_text, state_text
from aployee_sim.tui.model import LiveView
from aployee_sim.tui.rows import STATUS_STYLES, duration_text


def conversation(view: LiveView, pressed: Sequence[tuple[str, str]] = ()) -> Text:
    """The live transcript, with the keys the caller pressed (`pressed`: (ISO time, digits)) in time
    order among the lines (the live state has no digits: the screen remembers what it sent)."""
    text = Text()
    entries = sorted([(line["timestamp"][:19], 0, line) for line in view.transcript]
                     + [(at[:19], 1, {"role": "user", "digits": keys}) for at, keys in pressed],
                     key=lambda entry: (entry[0], entry[1]))
    for at, _, line in entries:
        role = line["role"]
        text.append(at[11:19] + " ", style="dim")
        text.append("You".ljust(10) if role == "user" else "Assistant ", style=ROLE_STYLES.get(role, ""))
        if "digits" in line:
            text.append(f"pressed {line['digits']}\n", style="yellow")
        else:
            text.append(line["content"] + "\n")
    if not entries:
        text.append("Waiting for the call to connect…" if view.status in ("initiated", "ringing")
                    else "Nobody has spoken yet.", style="dim")
    return text


def status_line(view: LiveView) -> Text:
    text = Text()
    text.append(view.status, style=STATUS_STYLES.get(view.status, ""))
    text.append(f"  {clock_text(view.now) or view.now}  {duration_text(view.duration_seconds)}")
    if view.reasoning_active:
        text.append("  reasoning…", style="bold blue")
    if view.on_hold:
        text.append("  ♪ on hold", style="bold magenta")
    if view.caller_note:
        text.append(f"  {view.caller_note}", style="italic")
    if view.ended:
        text.append("  call ended — ctrl+o opens it, esc leaves", style="dim")
    return text


def state_panel(before: dict[str, Any], now: dict[str, Any]) -> Text:
    text = Text("state", style="bold")
    text.append("  (last change highlighted)\n", style="dim")
    text.append_text(state_text(before, now, indent=""))
    return text


def track_state(before: dict[str, Any], now: dict[str, Any] | None,
                latest: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(state before the last change, current state) after seeing `latest`; `now` None at first."""
    if now is None:
        return latest, latest
    if latest != now:
        return now, latest
    return before, now


def parse_command(line: str) -> tuple[str, str]:
    """A typed line as (action, argument): ("say", text), ("digits", keys), ("hangup", "")."""
    stripped = line.strip()
    if stripped.startswith("/"):
        word, _, rest = stripped[1:].partition(" ")
        if word in ("d", "digits", "dtmf"):
            return "digits", rest.replace(" ", "")
        if word in ("hangup", "bye", "h"):
            return "hangup", ""
        return "unknown", word
    return "say", stripped
