"""The call view as pure functions: conversation, state changes, timeline, webhooks, summary.

Each function takes a `CallData` and returns rich `Text` or plain rows; the screens only put
them in widgets. State changes come from the internal `state_changed` events, diffed against
the state before them, so the view shows what each turn changed.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from aployee_sim.contract import events as ev
from aployee_sim.contract.exchanges import shown_kind
from aployee_sim.platform.state_changes import MARKERS, compact, state_diff
from aployee_sim.tui.model import CallData, EventRow
from aployee_sim.tui.rows import STATUS_STYLES, duration_text

ROLE_STYLES = {"assistant": "bold cyan", "user": "bold green"}
DIFF_STYLES = {"added": "bold green", "changed": "bold yellow", "removed": "bold red strike", "same": "dim"}


def offset_text(ms: int) -> str:
    """Virtual time since the call was created: `+1:05.300`."""
    sign = "-" if ms < 0 else "+"
    minutes, rest = divmod(abs(ms), 60000)
    return f"{sign}{minutes}:{rest // 1000:02d}.{rest % 1000:03d}"


def clock_text(iso: str) -> str:
    """`2024-01-15T10:30:05.123Z` → `10:30:05.123`."""
    return iso[11:23] if len(iso) >= 23 else iso[11:19]


def ms_text(ms: int | None) -> str:
    if ms is None:
        return ""
    return f"{ms} ms" if ms < 10000 else f"{ms / 1000:.1f} s"


# --- state diffs -----------------------------------------------------------------------------
def state_text(before: dict[str, Any], after: dict[str, Any], indent: str = "    ") -> Text:
    """The whole state, one key a line, what changed highlighted (old values shown struck)."""
    text = Text()
    diff = state_diff(before, after)
    if not diff:
        text.append(indent + "(empty state)\n", style="dim")
    for key, kind, old, new in diff:
        text.append(f"{indent}{MARKERS[kind]} {key}: ", style=DIFF_STYLES[kind])
        if kind == "changed":
            text.append(compact(old), style="red strike")
            text.append(" → ")
        text.append(compact(old if kind == "removed" else new), style=DIFF_STYLES[kind])
        text.append("\n")
    return text


def state_changes(data: CallData) -> list[tuple[EventRow, dict[str, Any], dict[str, Any]]]:
    """Each `state_changed` event with the state before and after it."""
    state = data.initial_state
    out = []
    for row in data.events:
        if isinstance(row.event, ev.StateChanged):
            after = row.event.state or {}
            out.append((row, state, after))
            state = after
    return out


# --- conversation ----------------------------------------------------------------------------
def conversation_text(data: CallData) -> Text:
    """The call as a conversation: who, when, what and ASR confidence, with state changes inline."""
    text = Text()
    state = data.initial_state
    if state:
        text.append("initial state\n", style="bold")
        text.append_text(state_text({}, state))
    for row in data.events:
        when = f"{offset_text(row.t_ms)} "
        match row.event:
            case ev.UserSpeech() | ev.AssistantSpeech() as line:
                text.append(when, style="dim")
                text.append(("Caller" if line.role == "user" else "Assistant").ljust(10), style=ROLE_STYLES[line.role])
                text.append(line.content)
                if isinstance(line, ev.UserSpeech) and line.confidence is not None:
                    style = "dim" if line.confidence >= 0.8 else "bold red"
                    text.append(f"  (ASR {line.confidence:.2f})", style=style)
                text.append("\n")
            case ev.StateChanged(state=changed):
                after = changed or {}
                text.append(when, style="dim")
                if after == state:
                    text.append("state after this turn: unchanged\n", style="magenta")
                else:
                    text.append("state after this turn\n", style="bold magenta")
                    text.append_text(state_text(state, after))
                state = after
            case ev.Digits(digits=digits):
                text.append(when, style="dim")
                text.append(f"Caller pressed {digits}\n", style="green")
            case ev.BargeIn():
                text.append(when, style="dim")
                text.append("caller barged in\n", style="yellow")
            case ev.TransferInitiated(target=target, trigger=trigger):
                text.append(when, style="dim")
                text.append(f"transfer to {target} ({trigger})\n", style="magenta")
            case ev.CallEnded(status=status, reason=reason):
                text.append(when, style="dim")
                text.append(f"call ended: {status} ({reason})\n", style=STATUS_STYLES.get(status, ""))
    if not text:
        text.append("No conversation yet.", style="dim")
    return text


# --- timeline --------------------------------------------------------------------------------
def _span_ms(events: list[EventRow], index: int) -> int | None:
    """How long the span that starts at events[index] lasted (reasoning: until it completed)."""
    event = events[index].event
    if isinstance(event, ev.ReasoningStarted):
        for later in events[index + 1:]:
            if isinstance(later.event, ev.ReasoningCompleted):
                return later.t_ms - event.t_ms
        return None
    value = getattr(event, "duration_ms", None)
    return value if isinstance(value, int) else None


def _detail(event: ev.Event) -> str:
    match event:
        case ev.UserSpeech(content=content) | ev.AssistantSpeech(content=content) | ev.BargeIn(content=content) \
                | ev.PlatformPrompt(content=content):
            return content
        case ev.HoldMusic(during=during):
            return f"♪ hold music ({during})"
        case ev.ReasoningStarted(mode=mode):
            return f"reasoning ({mode})"
        case ev.WebhookCalled(url=url, error=error, status_code=status_code):
            outcome = error or (f"HTTP {status_code}" if status_code is not None else "")
            return f"{url} {outcome}".strip()
        case ev.StatusChanged(from_=before, to=after):
            return f"{before} → {after}"
        case ev.StateChanged(state=state):
            return compact(state)
    return ", ".join(f"{k}={compact(v) if isinstance(v, (dict, list)) else v}" for k, v in ev.to_json(event).items()
                     if k not in ("duration_ms", "context"))


TIMELINE_COLUMNS = ("+Offset", "Time", "Event", "Span", "Detail")
_EVENT_STYLES = {ev.ReasoningStarted.type: "bold blue", ev.ReasoningCompleted.type: "blue",
                 ev.HoldMusic.type: "bold magenta", ev.WebhookCalled.type: "cyan", ev.StateChanged.type: "magenta",
                 ev.CallEnded.type: "bold", ev.StatusChanged.type: "dim", ev.SilenceDetected.type: "yellow",
                 ev.BargeIn.type: "yellow"}


def timeline_rows(data: CallData) -> list[tuple[str, str, Text, str, str]]:
    """One row per event: offset, virtual time, type (internal ones dimmed), span and detail."""
    rows = []
    for index, row in enumerate(data.events):
        kind = row.event.type
        style = _EVENT_STYLES.get(kind, "" if kind in ev.PUBLIC_TYPES else "dim")
        rows.append((offset_text(row.t_ms), clock_text(row.at), Text(kind, style=style),
                     ms_text(_span_ms(data.events, index)), _detail(row.event)))
    return rows


# --- webhooks --------------------------------------------------------------------------------
def exchanges_text(data: CallData) -> Text:
    text = Text()
    if not data.exchanges:
        text.append("No webhook or MCP exchanges (this assistant uses neither, or none ran yet).", style="dim")
        return text
    for number, exchange in enumerate(data.exchanges, 1):
        failed = exchange.get("error") is not None
        if shown_kind(exchange) == "mcp":
            text.append_text(_tool_call_text(number, exchange, failed))
            continue
        text.append(f"#{number} POST {exchange.get('url')}\n", style="bold red" if failed else "bold")
        text.append(f"   sent {clock_text(exchange.get('sent_at', ''))}  latency {exchange.get('duration_ms')} ms"
                    f"  status {exchange.get('status_code') if exchange.get('status_code') is not None else '—'}\n")
        if failed:
            text.append(f"   error: {exchange['error']}\n", style="bold red")
        text.append("   request  ", style="dim")
        text.append(json.dumps(exchange.get("request"), ensure_ascii=False, indent=2).replace("\n", "\n   ") + "\n")
        text.append("   response ", style="dim")
        text.append(json.dumps(exchange.get("response"), ensure_ascii=False, indent=2).replace("\n", "\n   ") + "\n\n")
    return text


def _tool_call_text(number: int, exchange: dict[str, Any], failed: bool) -> Text:
    """An MCP tool call, beside the webhook exchanges: server, tool, arguments, result or error."""
    text = Text()
    text.append(f"#{number} MCP {exchange.get('tool')} @ {exchange.get('server')}\n", style="bold red" if failed else "bold")
    wall = exchange.get("wall_ms")
    text.append(f"   sent {clock_text(exchange.get('sent_at', ''))}  latency {exchange.get('duration_ms')} ms"
                + (f"  wall {wall} ms" if wall is not None else "") + "\n")
    if failed:
        text.append(f"   error: {exchange['error']}\n", style="bold red")
    for label, value in (("arguments", exchange.get("arguments")), ("result   ", exchange.get("result"))):
        text.append(f"   {label} ", style="dim")
        text.append(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n   ") + "\n")
    text.append("\n")
    return text


# --- summary ---------------------------------------------------------------------------------
def summary_text(data: CallData) -> Text:
    details = data.details
    text = Text()

    def field(name: str, value: Any, style: str = "") -> None:
        text.append(f"{name:<12}", style="bold")
        text.append(f"{value}\n", style=style)

    status = details.get("status", "")
    field("call", details.get("id"))
    field("status", status + (f"  ({data.end_reason})" if data.end_reason else ""), STATUS_STYLES.get(status, ""))
    field("direction", data.direction or "unknown")
    field("assistant", f"{data.assistant_name or '?'} ({details.get('assistant_id')})")
    field("to / from", f"{details.get('to')} / {details.get('from') or '—'}")
    field("created", details.get("created_at"))
    field("started", details.get("started_at") or "—")
    field("ended", details.get("ended_at") or "—")
    field("duration", duration_text(details.get("duration_seconds")))
    text.append("\nsummary\n", style="bold")
    text.append(f"  {details.get('summary') or '(not yet: the call has not ended)'}\n")
    text.append("\nfinal state\n", style="bold")
    final = details.get("final_state")
    if final is None:
        text.append("  (not yet: the call has not ended)\n", style="dim")
    else:
        text.append_text(state_text(data.initial_state, final, indent="  "))
    if data.latency:
        text.append("\nlatency (ms)        count   p50   p95   max\n", style="bold")
        for name, component in data.latency.get("components", {}).items():
            if component.get("count"):
                text.append(f"  {name:<18}{component['count']:>5} {component['p50_ms']:>5} "
                            f"{component['p95_ms']:>5} {component['max_ms']:>5}\n")
    return text
