"""Declarative MCP tool stubs: a scenario's tools without any server (a `ToolPort`, in-process).

Each stub answers one tool when its `match` is a subset of the call's arguments; the first stub
that matches answers. `result` is the structured content (a JSON object, also sent as JSON text,
as SDK servers do), or `text` plain text, or `content` raw MCP content blocks; `is_error` marks a
tool error; `fail` injects a transport failure (`timeout`, `connection_error`, `protocol_error`);
`delay_ms` is the virtual time the call takes. The server lists exactly the stubbed tool names
(plus `extra_tools`), so a configured tool without a stub is reported missing, as with a real server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aployee_sim.core.mcp_turns import ServerRef, ToolListing, ToolOutcome

FAILURES = {
    "timeout": "timeout: the tool did not answer in time",
    "connection_error": "connection error: connection refused",
    "protocol_error": "protocol error: invalid JSON-RPC response",
}


def subset(expected: Any, actual: Any) -> bool:
    """`expected` is contained in `actual`: objects key by key, everything else equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k]) for k, v in expected.items())
    return bool(expected == actual)


@dataclass(slots=True)
class ToolStub:
    tool: str
    match: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    text: str | None = None
    content: list[dict[str, Any]] | None = None
    is_error: bool = False
    fail: str | None = None
    delay_ms: int | None = None

    def __post_init__(self) -> None:
        if self.fail is not None and self.fail not in FAILURES:
            raise ValueError(f"unknown failure {self.fail!r}; allowed: {', '.join(FAILURES)}")

    def outcome(self) -> ToolOutcome:
        if self.fail is not None:
            return ToolOutcome(error=FAILURES[self.fail], latency_ms=None if self.fail == "timeout" else self.delay_ms,
                               timed_out=self.fail == "timeout")
        if self.content is not None:
            content = [dict(block) for block in self.content]
        elif self.text is not None:
            content = [{"type": "text", "text": self.text}]
        else:
            content = [{"type": "text", "text": json.dumps(self.result or {}, ensure_ascii=False)}]
        return ToolOutcome(content=content, structured=dict(self.result) if self.result is not None else None,
                           is_error=self.is_error, latency_ms=self.delay_ms)


class StubTools:
    """A `ToolPort` answering from stubs; arguments no stub matches are a tool error, as a real
    server's validation would answer."""

    def __init__(self, stubs: list[ToolStub], extra_tools: tuple[str, ...] = ()) -> None:
        self.stubs = stubs
        self.names = frozenset([stub.tool for stub in stubs] + list(extra_tools))

    def list_tools(self, server: ServerRef, timeout_ms: int) -> ToolListing:
        return ToolListing(self.names)

    def call_tool(self, server: ServerRef, tool: str, arguments: dict[str, Any], timeout_ms: int) -> ToolOutcome:
        for stub in self.stubs:
            if stub.tool == tool and subset(stub.match, arguments):
                return stub.outcome()
        return ToolOutcome(content=[{"type": "text", "text": f"no stub of {tool} matches {json.dumps(arguments)}"}],
                           is_error=True, latency_ms=0)
