"""A run's world in the store: what a replay of one of its calls needs beyond the call itself.

The store keeps each call's events and webhook exchanges; a regression made from a stored call
(the TUI's `y` export) also needs the world the call met, which no event records whole: the
numbers, time-based rule sets and IVR menus an inbound call went through, the webhook and MCP
server URLs that were served in-process (stubs, so a replay must stub them too), the timings that differ from the
defaults, and the scripts of built-in assistants (their intents and fallback reply, which the
assistant resource does not carry). `StoreWriter` stores it (`platform.world.world_of`) per run, as strict JSON, whenever it changes (the latest
replaces the last); it is simulator configuration, kept out of every API resource.

Reading it back (`read_world`) treats the row as input: it is size-capped, read with the strict
JSON policy, and its directory is validated as a configuration file would be, so a file edited by
hand gives one clear `StoreError` instead of a replay that silently routes elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from aployee_sim.adapters.store.db import StoreError, loads
from aployee_sim.contract.strict_json import StrictJsonError
from aployee_sim.core.reasoning import Intent
from aployee_sim.core.timings import Timings
from aployee_sim.platform.directory import Directory, DirectoryError

MAX_WORLD_BYTES = 1 << 20   # as large as a scenario file may be
_KEYS = ("directory", "stubbed", "timings", "scripts")


@dataclass(frozen=True, slots=True)
class World:
    directory: dict[str, Any]         # phone_numbers, routing, menus: `Directory.routing_config()`
    # (the shape `platform.world.world_of` gives; `StoreWriter` stores it, `GET /_sim/world` serves it)
    stubbed: list[str]                # webhook and MCP server URLs answered in-process (scenario stubs)
    timings: dict[str, Any]           # `Timings.overrides()`
    scripts: dict[str, dict[str, Any]]  # built-in assistant id -> `builtin_script`


def read_world(text: str | None, where: str) -> World | None:
    """The world of a stored row (None: the run stored none); `where` names the row in errors."""
    if text is None:
        return None
    if len(text.encode()) > MAX_WORLD_BYTES:
        raise StoreError(f"{where} is larger than {MAX_WORLD_BYTES} bytes")
    try:
        data = loads(text)
    except StrictJsonError as exc:
        raise StoreError(f"{where} is not strict JSON: {exc}") from None
    return world_from(data, where)


def world_from(data: Any, where: str) -> World:
    """A world from parsed JSON (a stored row, or a server's `GET /_sim/world`), checked whole."""
    if not isinstance(data, dict) or sorted(data) != sorted(_KEYS):
        raise StoreError(f"{where} must be an object with exactly {', '.join(_KEYS)}")
    directory, stubbed, timings, scripts = (data[k] for k in _KEYS)
    try:
        Directory().update(directory, source=where)
    except DirectoryError as exc:
        raise StoreError(str(exc)) from None
    if not isinstance(stubbed, list) or not all(isinstance(url, str) for url in stubbed):
        raise StoreError(f"{where}: stubbed must be a list of URLs")
    _check_timings(timings, where)
    _check_scripts(scripts, where)
    return World(directory, stubbed, timings, scripts)


def _check_scripts(scripts: Any, where: str) -> None:
    """Shape only: the values are checked again by the scenario format when an export is run."""
    if not isinstance(scripts, dict):
        raise StoreError(f"{where}: scripts must be an object")
    known = {f.name for f in fields(Intent)}
    for aid, script in scripts.items():
        intents = script.get("intents") if isinstance(script, dict) else None
        ok = (isinstance(script, dict) and sorted(script) == ["fallback_reply", "intents"]
              and (script["fallback_reply"] is None or isinstance(script["fallback_reply"], str))
              and isinstance(intents, list) and all(isinstance(i, dict) and set(i) <= known for i in intents))
        if not ok:
            raise StoreError(f"{where}: scripts.{aid} must hold intents ({', '.join(sorted(known))}) "
                             f"and a fallback_reply")


def _check_timings(timings: Any, where: str) -> None:
    kinds = {f.name: type(getattr(Timings(), f.name)) for f in fields(Timings)}
    if not isinstance(timings, dict):
        raise StoreError(f"{where}: timings must be an object")
    for name, value in timings.items():
        kind = kinds.get(name)
        ok = (isinstance(value, list) and len(value) == 2 and all(_whole(v) for v in value)) if kind is tuple \
            else kind is int and _whole(value)
        if not ok:
            raise StoreError(f"{where}: timings.{name} is not a known timing with a whole-number value")


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
