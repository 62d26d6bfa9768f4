"""How a call's state moved: key-by-key diffs, and the history of a call's state turn by turn.

The call's state is replaced whole by every webhook answer with a `state` (docs/contract.md §4) and
merged by MCP rule updates, so a key the integrator expected can vanish in any turn. The TUI's call
view, `run`'s failure reports and `trigger` all show the same diffs from here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from aployee_sim.contract import events as ev

Change = Literal["added", "changed", "removed", "same"]
MARKERS: dict[Change, str] = {"added": "+", "changed": "~", "removed": "-", "same": " "}


def state_diff(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Change, Any, Any]]:
    """(key, added|changed|removed|same, old, new) for every key of either state, in a stable order:
    the new state's keys as it orders them, then the removed ones."""
    keys = list(after) + [k for k in before if k not in after]
    out: list[tuple[str, Change, Any, Any]] = []
    for key in keys:
        if key not in before:
            out.append((key, "added", None, after[key]))
        elif key not in after:
            out.append((key, "removed", before[key], None))
        elif before[key] != after[key]:
            out.append((key, "changed", before[key], after[key]))
        else:
            out.append((key, "same", before[key], after[key]))
    return out


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def diff_lines(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The keys that moved, one plain line each: `+ key: new`, `~ key: old → new`, `- key: old` (an
    in-process backend's state that is not an object: one line with it)."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [f"= {compact(after)}"]
    lines = []
    for key, kind, old, new in state_diff(before, after):
        if kind == "changed":
            lines.append(f"~ {key}: {compact(old)} → {compact(new)}")
        elif kind != "same":
            lines.append(f"{MARKERS[kind]} {key}: {compact(old if kind == 'removed' else new)}")
    return lines


@dataclass(frozen=True, slots=True)
class StateTurn:
    """One replacement of the call's state: when, the caller's utterance the turn answered (None
    before the caller spoke), the answer that replaced it, and the state before and after."""

    t_ms: int
    utterance: str | None
    answer: str
    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def heard(self) -> str:
        return f"after the caller said {self.utterance!r}" if self.utterance is not None else "before the caller spoke"

    def changes(self, key: str) -> bool:
        before, after = (s if isinstance(s, dict) else {} for s in (self.before, self.after))
        return bool(before.get(key, _ABSENT) != after.get(key, _ABSENT))


_ABSENT = object()


def state_turns(initial: dict[str, Any], events: Iterable[ev.Event]) -> list[StateTurn]:
    """The call's state history from its event log. A turn answers the last utterance heard before
    its reasoning started; its answer is the webhook that was called (URL and status), the MCP turn
    (the tools it called) or the built-in reasoning."""
    turns: list[StateTurn] = []
    state, heard, utterance, answer = initial, None, None, "the platform"
    tools: list[str] = []
    for event in events:
        match event:
            case ev.UserSpeech(content=content):
                heard = content
            case ev.ReasoningStarted(mode=mode):
                utterance, tools = heard, []
                answer = {"mcp": "the MCP turn", "builtin": "the built-in reasoning"}.get(mode, f"the {mode} turn")
            case ev.WebhookCalled(url=url, status_code=code):
                answer = f"the webhook answer from {url}" + (f" (HTTP {code})" if code is not None else "")
            case ev.McpToolCalled(tool=tool):
                tools.append(tool)
                answer = f"the MCP turn that called {', '.join(tools)}"
            case ev.StateChanged(state=after):
                state_after = after if after is not None else {}  # an in-process backend's non-object is kept
                turns.append(StateTurn(event.t_ms, utterance, answer, state, state_after))
                state = state_after
    return turns


def last_change(turns: list[StateTurn], key: str) -> StateTurn | None:
    """The turn that last added, changed or removed `key` (None: it kept its initial value)."""
    return next((turn for turn in reversed(turns) if turn.changes(key)), None)
