"""The platform's side of MCP reasoning (docs/contract.md §4b): validating `mcp_config`, building each MCP
assistant's backend, and putting its tool calls on the calls' timelines.

`Platform` owns one `McpSupport`. Composition sets `router.fallback` to the real SDK client
(`aployee_sim.adapters.mcp_client`); `route` adds in-process servers and declarative stubs. Tool
calls come back to the call as exchanges on the turn's `Delivery` (recorded by `core.reasoning_turns`);
what the platform hears of (the `McpHost` port) is a server that does not list an allow-listed tool. No I/O here.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import ValidationError

from aployee_sim.contract import events as ev
from aployee_sim.contract.errors import invalid
from aployee_sim.contract.models import Assistant, McpConfig, McpSettings
from aployee_sim.core.call_process import CallProcess
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.engine import Engine
from aployee_sim.core.mcp_rules import RuleError, check_rules
from aployee_sim.core.mcp_stubs import StubTools, ToolStub
from aployee_sim.core.mcp_turns import McpBackend, McpRouter, ServerRef, ToolPort
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.record import CallRecord
from aployee_sim.core.timings import Timings


class McpPlatform(Protocol):
    """What MCP support reads of the platform (`aployee_sim.platform.platform.Platform`)."""

    clock: VirtualClock
    engine: Engine
    calls: dict[str, CallProcess]

    @property
    def timings(self) -> Timings: ...

    def record(self, call_id: str) -> CallRecord: ...


def mcp_settings(assistant: Assistant) -> McpSettings:
    """The simulator's keys of an MCP assistant's `mcp_config` (validated at creation)."""
    config = assistant.mcp_config or McpConfig()
    return McpSettings.model_validate(config.model_extra or {})


def check_mcp_config(assistant: Assistant) -> None:
    """Raise the 400 an MCP assistant deserves: no server, malformed simulator keys, or a rule that
    cannot work (a bad regex, a tool outside `tools`, a template naming an unknown field)."""
    config = assistant.mcp_config
    if config is None:
        raise invalid("mcp_config", "The mcp_config field is required when reasoning_mode is 'mcp'")
    try:
        settings = mcp_settings(assistant)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(["mcp_config", *(str(part) for part in first["loc"])])
        raise invalid(where, f"The {where} field is invalid: {first['msg']}") from None
    if not config.server_url and not settings.command:
        raise invalid("mcp_config.server_url", "The mcp_config.server_url field is required when reasoning_mode "
                                               "is 'mcp' (or mcp_config.command for a local stdio server)")
    unknown = sorted(set(settings.tool_latency_ms) - set(config.tools))
    if unknown:
        raise invalid("mcp_config.tool_latency_ms", f"The mcp_config.tool_latency_ms field names {unknown[0]!r}, "
                                                    f"which is not in mcp_config.tools")
    try:
        check_rules(settings.rules, config.tools)
    except RuleError as exc:
        raise invalid(exc.field, str(exc)) from None


class McpSupport:
    """MCP assistants' backends, routes and timeline entries for one platform."""

    def __init__(self, platform: McpPlatform) -> None:
        self.platform = platform
        self.router = McpRouter()
        self._reported: set[str] = set()

    def reset(self) -> None:
        """A new run: tools are listed again, missing tools reported again."""
        self.router.forget()
        self._reported.clear()

    def backend(self, assistant: Assistant) -> McpBackend:
        platform = self.platform
        return McpBackend(assistant.mcp_config or McpConfig(), mcp_settings(assistant), self.router, self,
                          platform.clock, lambda: platform.timings.mcp_latency_ms)

    def route(self, url: str, port: ToolPort | list[ToolStub | dict[str, Any]]) -> None:
        """Serve `url`'s tools in-process: any `ToolPort`, or declarative stubs (core.mcp_stubs)."""
        if isinstance(port, list):
            port = StubTools([s if isinstance(s, ToolStub) else ToolStub(**s) for s in port])
        self.router.route(url, port)

    def missing_tools(self, assistant: Assistant) -> tuple[list[str], str | None]:
        """The assistant's allow-listed tools its server does not list, or why the server could not
        be asked (for `aployee-sim validate` and the Python API)."""
        config = assistant.mcp_config or McpConfig()
        server = ServerRef.of(config, mcp_settings(assistant))
        listing = self.router.list_tools(server, self.platform.timings.mcp_timeout_ms)
        if listing.error is not None:
            return [], f"listing the tools of {server.url} failed: {listing.error}"
        return sorted(set(config.tools) - listing.names), None

    # --- McpHost ---------------------------------------------------------------------------------
    def initial_state(self, call_id: str) -> dict[str, Any]:
        return self.platform.record(call_id).initial_state

    def call_rng(self, call_id: str) -> SeededRandom:
        return self.platform.calls[call_id].rng

    def tools_missing(self, call_id: str, server: str, missing: frozenset[str]) -> None:
        """Once per call: the allow-listed tools its server does not list (`mcp_tools_missing`)."""
        process = self.platform.calls.get(call_id)
        if process is not None and call_id not in self._reported:
            self._reported.add(call_id)
            process.record.add(ev.McpToolsMissing(self.platform.clock.now_ms, server=server, tools=tuple(sorted(missing))))
