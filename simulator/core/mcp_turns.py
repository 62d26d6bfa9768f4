"""`reasoning_mode: "mcp"` as one more reasoning backend (docs/contract.md §4b).

`McpBackend` is called like every backend, `backend(url, request, timeout_ms) -> Delivery`: it picks
a rule (`mcp_rules`), makes the rule's tool calls in order through a `ToolPort`, and answers with the
same `{reply, state}` body a webhook would, so `reasoning.interpret` and the call process treat MCP
turns exactly like the others (reasoning status, hold music past 3 s, `current_state`).

The port blocks while a real call is in flight, so virtual time is held; the modelled latency of
each call (the stub's delay, else the assistant's `tool_latency_ms`/`latency_ms`, else the drawn
`Timings.mcp_latency_ms`) is what the turn costs in virtual time. The whole turn has one deadline
(`timeout_ms`, wall clock for real calls, virtual for all): a call cut by it costs the rest of it.
Each finished call becomes an `McpExchange` listed on the turn's `Delivery`; the call's reasoning
part records it like a webhook's (its `mcp_tool_called` event at the call's virtual end). No I/O here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aployee_sim.contract import strict_json
from aployee_sim.contract.exchanges import Exchange, McpExchange, ToolResult
from aployee_sim.contract.models import McpConfig, McpSettings
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.mcp_rules import (
    CompiledRule,
    MissingValue,
    ToolValue,
    compile_rules,
    first_match,
    render,
    scope_of,
)
from aployee_sim.core.phrases import PatternTimeout
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.reasoning import Delivery, pattern_stopped

EXTRA_MISSING = "MCP support is not installed: pip install 'aployee-sim[mcp]'"


@dataclass(frozen=True, slots=True)
class ServerRef:
    """Where an assistant's tools live: `url` (http(s), or a route name) or a stdio `command`."""

    url: str
    command: tuple[str, ...] | None = None
    bearer_token: str | None = None

    @classmethod
    def of(cls, config: McpConfig, settings: McpSettings) -> ServerRef:
        command = tuple(settings.command) if settings.command else None
        url = config.server_url or ("stdio:" + " ".join(command or ()))
        return cls(url, command, settings.bearer_token)


@dataclass(slots=True)
class ToolListing:
    names: frozenset[str] = frozenset()
    error: str | None = None


@dataclass(slots=True)
class ToolOutcome:
    """What one tool call gave back, in JSON form: `content` blocks, `structured` content, `is_error`;
    or a transport `error` (timeout, refused connection, protocol error). `latency_ms` is a stub's
    virtual delay (None: modelled); `wall_ms` what a real call took on the wall clock."""

    content: list[dict[str, Any]] = field(default_factory=list)
    structured: Any = None
    is_error: bool = False
    error: str | None = None
    latency_ms: int | None = None
    wall_ms: int | None = None
    timed_out: bool = False


class ToolPort(Protocol):
    def list_tools(self, server: ServerRef, timeout_ms: int) -> ToolListing: ...

    def call_tool(self, server: ServerRef, tool: str, arguments: dict[str, Any], timeout_ms: int) -> ToolOutcome: ...


class McpHost(Protocol):
    """What the backend needs from the platform: the call's initial state and random stream, and
    where to report allow-listed tools its server does not list."""

    def initial_state(self, call_id: str) -> dict[str, Any]: ...

    def call_rng(self, call_id: str) -> SeededRandom: ...

    def tools_missing(self, call_id: str, server: str, missing: frozenset[str]) -> None: ...


def judge(outcome: ToolOutcome) -> tuple[ToolValue | None, str | None]:
    """A speakable value, or why not: `isError`, a transport error, or content that is not text."""
    if outcome.error is not None:
        return None, outcome.error
    texts = [block.get("text", "") for block in outcome.content if block.get("type") == "text"]
    if outcome.is_error:
        return None, "tool error: " + (" ".join(texts) or "isError without a message")
    unspeakable = sorted({str(block.get("type")) for block in outcome.content if block.get("type") != "text"})
    if unspeakable:
        return None, f"content cannot be spoken: {', '.join(unspeakable)}"
    text = "\n".join(texts)
    fields = outcome.structured
    if fields is None and text.lstrip().startswith(("{", "[")):
        try:  # a tool returning a dict sends JSON text; its keys are the fields
            fields = strict_json.loads(text)
        except strict_json.StrictJsonError:
            fields = None
    return ToolValue(text, fields if fields is not None else {}), None


class McpBackend:
    """One MCP assistant's reasoning backend (built by the platform per assistant)."""

    def __init__(self, config: McpConfig, settings: McpSettings, port: ToolPort, host: McpHost,
                 clock: VirtualClock, modelled_ms: Callable[[], tuple[int, int]]) -> None:
        self.server = ServerRef.of(config, settings)
        self.allowed = frozenset(config.tools)
        self.settings = settings
        self.rules: list[CompiledRule] = compile_rules(settings.rules)
        self.port, self.host, self.clock = port, host, clock
        self._modelled_ms = modelled_ms

    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery:
        state: dict[str, Any] = request["state"]
        try:
            match = first_match(self.rules, request["utterance"], state)
        except PatternTimeout as exc:
            return pattern_stopped(exc)
        if match is None:  # no rule: the conversation agent answers on its own
            return Delivery(body={"state": state})
        rule, captures = match
        listing = self.port.list_tools(self.server, timeout_ms)
        missing = frozenset() if listing.error else self.allowed - listing.names
        call_id = request["call_id"]
        if missing and rule.calls:
            self.host.tools_missing(call_id, self.server.url, missing)
        initial = self.host.initial_state(call_id)
        made: list[Exchange] = []
        results: dict[str, ToolValue] = {}
        last: ToolValue | None = None
        spent = 0
        failed = False
        for call in rule.calls:
            try:
                arguments = render(call.arguments, scope_of(captures, state, initial, results, last))
            except MissingValue as exc:
                outcome, arguments = ToolOutcome(error=f"arguments: {exc}", latency_ms=0), {}
            else:
                outcome = self._call(call.tool, arguments, listing, missing, timeout_ms - spent)
            latency = self._latency(call.tool, outcome, timeout_ms - spent, request["call_id"])
            value, error = judge(outcome)
            result = None if outcome.error is not None else ToolResult(outcome.content, outcome.structured,
                                                                       outcome.is_error)
            made.append(McpExchange(call_id, self.clock.now_ms + spent, self.server.url, call.tool, arguments,
                                    latency, result, error, outcome.wall_ms))
            spent += latency
            if value is None:
                failed = True
                break
            results[call.tool] = last = value
        body: dict[str, Any] = {"state": state}
        if failed:
            body["reply"] = self._fallback(rule, captures, state, initial)
            return Delivery(body=body, latency_ms=spent, exchanges=tuple(made))
        scope = scope_of(captures, state, initial, results, last)
        try:
            reply = render(rule.rule.reply if rule.rule.reply is not None else "{result}", scope)
            update = render(rule.rule.update, scope)
        except MissingValue:
            body["reply"] = self._fallback(rule, captures, state, initial)
            return Delivery(body=body, latency_ms=spent, exchanges=tuple(made))
        if update:
            body["state"] = {**state, **update}
        if reply:
            body["reply"] = str(reply)
        return Delivery(body=body, latency_ms=spent, exchanges=tuple(made))

    def _call(self, tool: str, arguments: dict[str, Any], listing: ToolListing, missing: frozenset[str],
              budget_ms: int) -> ToolOutcome:
        if tool not in self.allowed:
            return ToolOutcome(error=f"refused: {tool!r} is not in mcp_config.tools", latency_ms=0)
        if listing.error is not None:
            return ToolOutcome(error=listing.error)
        if tool in missing:
            return ToolOutcome(error=f"missing tool: the server does not list {tool!r}", latency_ms=0)
        if budget_ms <= 0:
            return ToolOutcome(error="timeout: the turn's deadline has passed", timed_out=True)
        return self.port.call_tool(self.server, tool, arguments, budget_ms)

    def _latency(self, tool: str, outcome: ToolOutcome, budget_ms: int, call_id: str) -> int:
        """Virtual cost of one call: a timeout costs what was left, a stub its delay, else the model."""
        if outcome.timed_out:
            return max(0, budget_ms)
        if outcome.latency_ms is not None:
            return min(outcome.latency_ms, max(0, budget_ms))
        modelled = self.settings.tool_latency_ms.get(tool, self.settings.latency_ms)
        if modelled is None:
            modelled = self.host.call_rng(call_id).jitter_ms(*self._modelled_ms())
        return min(modelled, max(0, budget_ms))

    def _fallback(self, rule: CompiledRule, captures: dict[str, str], state: dict[str, Any],
                  initial: dict[str, Any]) -> str:
        return str(render(rule.fallback, scope_of(captures, state, initial, {}, None)))


class McpRouter:
    """Sends each server's tool traffic to its in-process route (an SDK server, declarative stubs),
    else to the fallback (the real SDK client, wired in by composition); lists tools once per server
    until `forget()` (a platform reset starts a new run)."""

    def __init__(self, fallback: ToolPort | None = None) -> None:
        self.routes: dict[str, ToolPort] = {}
        self.fallback = fallback
        self._listings: dict[ServerRef, ToolListing] = {}

    def route(self, url: str, port: ToolPort) -> None:
        self.routes[url] = port
        self._listings = {ref: listing for ref, listing in self._listings.items() if ref.url != url}

    def forget(self) -> None:
        self._listings.clear()

    def _port(self, server: ServerRef) -> ToolPort | None:
        return self.routes.get(server.url) or self.fallback

    def list_tools(self, server: ServerRef, timeout_ms: int) -> ToolListing:
        listing = self._listings.get(server)
        if listing is None:
            port = self._port(server)
            listing = port.list_tools(server, timeout_ms) if port is not None else ToolListing(error=EXTRA_MISSING)
            if listing.error is None:  # a failed listing is retried on the next turn (the server may be up by then)
                self._listings[server] = listing
        return listing

    def call_tool(self, server: ServerRef, tool: str, arguments: dict[str, Any], timeout_ms: int) -> ToolOutcome:
        port = self._port(server)
        if port is None:
            return ToolOutcome(error=EXTRA_MISSING)
        return port.call_tool(server, tool, arguments, timeout_ms)
