"""An inbound call's world for its regression: the number, rule set and IVR menus it went through.

A replay of an inbound call must meet the same front desk: the same time-based rule picks the same
destination at the same instant, the same digits or words choose the same menu option, and the
option hands the call to the same assistant. So the export carries the called number's routing,
every menu reachable from it and every assistant any of them can reach, in the scenario format
(`numbers:`, `routing:`, `menus:`, `assistants:`). The source's directory names assistants by id
(a scenario run resolves its keys) or by name (a configuration file); both become scenario keys
made from the assistants' names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aployee_sim.platform.directory import Directory
from aployee_sim.tui.model import CallData


@dataclass(frozen=True, slots=True)
class InboundWorld:
    assistants: dict[str, dict[str, Any]]   # scenario key -> the assistant resource
    numbers: dict[str, dict[str, str]]
    routing: dict[str, Any]
    menus: dict[str, Any]


def inbound_world(data: CallData) -> InboundWorld | None:
    """The world of `data`'s number, or None when the source holds no routing for it (or names an
    assistant it no longer holds); the export then sends the number straight to the call's assistant."""
    if data.directory is None:
        return None
    directory = Directory().update(data.directory, source="the call's directory")
    entry = directory.number(data.details["to"])
    if entry is None:
        return None
    reachable = directory.reachable(entry)
    refs = [d.assistant for d in reachable if d.assistant is not None]
    menu_names = {d.menu for d in reachable if d.menu is not None}
    resolved = {ref: _resolve(ref, data.assistants) for ref in dict.fromkeys(refs)}
    found = {ref: assistant for ref, assistant in resolved.items() if assistant is not None}
    if len(found) < len(resolved):
        return None
    by_id = {assistant["id"]: assistant for assistant in found.values()}
    key_of = _keys({aid: assistant["name"] for aid, assistant in by_id.items()})
    keys = {ref: key_of[assistant["id"]] for ref, assistant in found.items()}  # an id and a name may meet
    rename = _renamer(keys)
    number = {"assistant": keys[entry.assistant]} if entry.assistant is not None else {}
    routing: dict[str, Any] = {}
    if entry.routing is not None:
        number["routing"] = entry.routing
        routing[entry.routing] = rename(data.directory["routing"][entry.routing])
    menus = {name: rename(menu) for name, menu in data.directory["menus"].items() if name in menu_names}
    assistants = {key_of[aid]: assistant for aid, assistant in by_id.items()}
    return InboundWorld(assistants, {entry.number: number}, routing, menus)


def _resolve(ref: str, assistants: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """An assistant reference (an id, else a unique name), as the platform resolves it."""
    if ref in assistants:
        return assistants[ref]
    named = [a for a in assistants.values() if a.get("name") == ref]
    return named[0] if len(named) == 1 else None


def _keys(names: dict[str, str]) -> dict[str, str]:
    """A distinct scenario key per assistant id, from its name (`Front desk` -> `front_desk`)."""
    keys: dict[str, str] = {}
    for aid, name in names.items():
        base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "assistant"
        key, n = base, 1
        while key in keys.values():
            n += 1
            key = f"{base}_{n}"
        keys[aid] = key
    return keys


def _renamer(keys: dict[str, str]) -> Callable[[Any], Any]:
    """Replace every `assistant:` reference in a rule set or menu (file shape) by its scenario key."""
    def rename(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: keys.get(v, v) if k == "assistant" else rename(v) for k, v in value.items()}
        return [rename(v) for v in value] if isinstance(value, list) else value
    return rename
