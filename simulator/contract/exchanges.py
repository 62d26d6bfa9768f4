"""Reasoning exchanges: one typed value per round trip to the outside, whatever the backend.

A call's reasoning agent reaches the outside in two ways (docs/contract.md §4 and §4b): a webhook
round trip (`WebhookExchange`) or an MCP tool call (`McpExchange`). Both are recorded by the call's
reasoning part the same way, kept in its `exchanges`, stored and resumed; `kind` (a class constant,
like an event's `type`) says which one a value is, so no reader guesses from the keys of a dict.

A webhook exchange is compact: its request's `context` is a window of the call's dialogue
(`context_start`, `context_end`: the `[start, end)` indices), not a copy of its lines; the request users see is
rebuilt from the call's record (`aployee_sim.platform.projections.exchange_view`), byte-identical to
the one that was sent.

`to_json`/`from_json` are the one stored form (the store's `exchanges.data`): the fields by name,
in declaration order, without the call id, the send time and the kind, which are the row's own
columns, as an event's type and time are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal, TypeAlias

from aployee_sim.contract.readonly import readonly_dataclass
from aployee_sim.contract.strict_json import Json, JsonObject

Kind = Literal["webhook", "mcp"]


@readonly_dataclass
class WebhookExchange:
    """One webhook round trip: the request's parts (its dialogue window by reference), the answer."""

    kind: ClassVar[Kind] = "webhook"
    call_id: str
    sent_ms: int
    url: str
    utterance: str
    state: JsonObject
    context_start: int  # the dialogue lines [start, end) the request carried (two ints, not a tuple:
    context_end: int    # small ints are shared, a tuple is 64 more bytes on each of a call's exchanges)
    latency_ms: int
    status_code: int | None
    response: Json
    error: str | None


@readonly_dataclass
class ToolResult:
    """What an MCP tool answered: its `content` blocks, `structured` content and `is_error` flag."""

    content: list[JsonObject]
    structured: Json
    is_error: bool


@readonly_dataclass
class McpExchange:
    """One MCP tool call: `result` is None when the transport failed (`error` then says how);
    `wall_ms` is what a real call took on the wall clock (None for in-process tools)."""

    kind: ClassVar[Kind] = "mcp"
    call_id: str
    sent_ms: int
    server: str
    tool: str
    arguments: JsonObject
    latency_ms: int
    result: ToolResult | None
    error: str | None
    wall_ms: int | None


Exchange: TypeAlias = WebhookExchange | McpExchange


def shown_kind(shown: Mapping[str, object]) -> Kind:
    """The kind of an exchange as JSON shows it (`GET /_sim/webhooks`, exports, a store's rows of
    schema 3): an MCP tool call says `"kind": "mcp"`; a webhook exchange's documented shape predates
    MCP and carries no kind. The one place that knows this, for readers that only have the JSON."""
    return "mcp" if shown.get("kind") == "mcp" else "webhook"


class ExchangeError(ValueError):
    """JSON that is not the stored form of an exchange of a known kind."""


def to_json(exchange: Exchange) -> JsonObject:
    """The stored form (see the module docstring)."""
    match exchange:
        case WebhookExchange():
            return {"url": exchange.url, "utterance": exchange.utterance, "state": exchange.state,
                    "context": [exchange.context_start, exchange.context_end], "latency_ms": exchange.latency_ms,
                    "status_code": exchange.status_code, "response": exchange.response, "error": exchange.error}
        case McpExchange():
            result = exchange.result
            stored: Json = None if result is None else {"content": list(result.content),
                                                         "structured": result.structured,
                                                         "is_error": result.is_error}
            return {"server": exchange.server, "tool": exchange.tool, "arguments": exchange.arguments,
                    "latency_ms": exchange.latency_ms, "result": stored, "error": exchange.error,
                    "wall_ms": exchange.wall_ms}


def from_json(call_id: str, sent_ms: int, kind: str, data: Mapping[str, Json]) -> Exchange:
    """The exchange of `kind` whose `to_json` is `data`; `ExchangeError` for anything else.

    Keys are checked, values are the JSON `to_json` wrote (the store's own rows): their types are
    the fields' by construction, not checked one by one (as for events)."""
    d: Any = data
    try:
        if kind == "webhook":
            start, end = d["context"]
            return WebhookExchange(call_id, sent_ms, d["url"], d["utterance"], d["state"], start, end,
                                   d["latency_ms"], d["status_code"], d["response"], d["error"])
        if kind == "mcp":
            stored = d["result"]
            result = None if stored is None else ToolResult(stored["content"], stored["structured"],
                                                            stored["is_error"])
            return McpExchange(call_id, sent_ms, d["server"], d["tool"], d["arguments"], d["latency_ms"], result,
                               d["error"], d["wall_ms"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ExchangeError(f"{kind} exchange: not its stored form ({exc!r})") from None
    raise ExchangeError(f"unknown exchange kind {kind!r}")
