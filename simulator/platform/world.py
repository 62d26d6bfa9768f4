"""A platform's world: what a replay of one of its calls needs beyond the call itself.

The numbers, rule sets and menus an inbound call may go through, the webhook and MCP URLs served
in-process (a replay must stub them too), the timings that differ from the defaults, and the
built-in assistants' scripts (intents and fallback reply, which the assistant resource does not
carry). Strict JSON in the scenario format's words: the store keeps it per run
(`adapters.store.world`), the server serves it at `GET /_sim/world`, and the TUI's export reads it
from either. Simulator configuration, never part of an API resource.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aployee_sim.core.reasoning import BuiltinBrain, ReasoningBackend

if TYPE_CHECKING:
    from aployee_sim.platform.platform import Platform


def builtin_script(brain: ReasoningBackend | None) -> dict[str, Any] | None:
    """A built-in brain's intents and fallback reply in the scenario format's words (None: not built-in)."""
    if not isinstance(brain, BuiltinBrain):
        return None
    return {"intents": [{k: v for k, v in asdict(i).items() if v not in (None, [], {})} for i in brain.intents],
            "fallback_reply": brain.fallback}


def world_of(platform: Platform) -> dict[str, Any]:
    """The platform's world, strict JSON (see the module docstring for who reads it)."""
    scripts = {aid: script for aid, brain in platform.brains.items() if (script := builtin_script(brain))}
    stubbed = sorted({*platform.router.routes, *platform.mcp.router.routes})
    return {"directory": platform.directory.routing_config(), "stubbed": stubbed,
            "timings": platform.timings.overrides(), "scripts": scripts}
