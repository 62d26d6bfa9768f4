"""A run's world in the store: what a replay of one of its calls needs beyond the call itself.

The store keeps each call's events and webhook exchanges; a regression made from a stored call
(the TUI's `y` export) also needs the world the call met, which no event records whole: the
numbers, time-based rule sets and IVR menus an inbound call went through, the webhook URLs that
were served in-process (stubs, so a replay must stub them too) and the timings that differ from
the defaults. `StoreWriter` stores it per run, as strict JSON, whenever it changes (the latest
replaces the last); it is simulator configuration, kept out of every API resource.

Reading it back (`read_world`) treats the row as input: it is size-capped, read with the strict
JSON policy, and its directory is validated as a configuration file would be, so a file edited by
hand gives one clear `StoreError` instead of a replay that silently routes elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from aployee_sim.adapters.store.db import StoreError, loads
from aployee_sim.contract.strict_json import StrictJsonError
from aployee_sim.core.timings import Timings
from aployee_sim.platform.directory import Directory, DirectoryError

if TYPE_CHECKING:
    from aployee_sim.platform.platform import Platform

MAX_WORLD_BYTES = 1 << 20   # as large as a scenario file may be
_KEYS = ("directory", "stubbed_webhooks", "timings")


@dataclass(frozen=True, slots=True)
class World:
    directory: dict[str, Any]         # phone_numbers, routing, menus: `Directory.routing_config()`
    stubbed_webhooks: list[str]       # webhook URLs answered in-process (scenario stubs)
    timings: dict[str, Any]           # `Timings.overrides()`


def world_of(platform: Platform) -> dict[str, Any]:
    """The platform's world as the store keeps it (strict JSON)."""
    return {"directory": platform.directory.routing_config(), "stubbed_webhooks": sorted(platform.router.routes),
            "timings": platform.timings.overrides()}


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
    if not isinstance(data, dict) or sorted(data) != sorted(_KEYS):
        raise StoreError(f"{where} must be an object with exactly {', '.join(_KEYS)}")
    directory, stubbed, timings = (data[k] for k in _KEYS)
    try:
        Directory().update(directory, source=where)
    except DirectoryError as exc:
        raise StoreError(str(exc)) from None
    if not isinstance(stubbed, list) or not all(isinstance(url, str) for url in stubbed):
        raise StoreError(f"{where}: stubbed_webhooks must be a list of URLs")
    _check_timings(timings, where)
    return World(directory, stubbed, timings)


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
