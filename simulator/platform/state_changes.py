"""How a call's state moved: key-by-key diffs, and the history of a call's state turn by turn.

The call's state is replaced whole by every webhook answer with a `state` (docs/contract.md §4) and
merged by MCP rule updates, so a key the integrator expected can vanish in any turn. The TUI's call
view, `run`'s failure reports and `trigger` all show the same diffs from here.
"""

from __future__ import annotations

import json
from typing import Any, Literal

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
    """The keys that moved, one plain line each: `+ key: new`, `~ key: old → new`, `- key: old`."""
    lines = []
    for key, kind, old, new in state_diff(before, after):
        if kind == "changed":
            lines.append(f"~ {key}: {compact(old)} → {compact(new)}")
        elif kind != "same":
            lines.append(f"{MARKERS[kind]} {key}: {compact(old if kind == 'removed' else new)}")
    return lines
