"""MCP in scenarios: an assistant's `mcp_config`, stub tools by server URL (`mcp_tools`), and the
`expect.mcp` checks on the tool calls a call made (which, in what order, arguments, count, errors).

    mcp_tools:
      https://shop.test/mcp:
        - tool: check_order_status
          match: {order_id: "42"}          # a subset of the arguments (omit: any call)
          result: {status: shipped}         # structured content (also sent as JSON text)
          delay: 5s                         # virtual time the call takes
        - {tool: create_ticket, fail: timeout}

Everything here is checked by the loader (file:line errors); rules are checked again by the
platform when the assistant is created (an unknown tool or template field points at its line).
"""

from __future__ import annotations

from json import dumps
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aployee_sim.contract.models import McpRule
from aployee_sim.core.mcp_stubs import FAILURES, ToolStub, subset
from aployee_sim.scenario.values import Duration, DurationOrMs

if TYPE_CHECKING:
    from aployee_sim.api import Simulator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class McpConfigSpec(_Model):
    """An assistant's `mcp_config`: the documented `server_url` and `tools`, and the simulator's keys."""

    server_url: str | None = Field(None, description="http(s) URL of the MCP server, or a key of `mcp_tools`")
    tools: list[str] = Field([], description="the allow-list: no other tool is ever called")
    rules: list[McpRule] = Field([], description="when to call which tools, and what to say (docs/mcp.md)")
    command: list[str] | None = Field(None, min_length=1, description="a local server over stdio instead")
    bearer_token: str | None = None
    latency_ms: DurationOrMs | None = Field(None, description="modelled latency of every tool call")
    tool_latency_ms: dict[str, DurationOrMs] = Field({}, description="modelled latency by tool")


class ToolStubSpec(_Model):
    """One stub answer of a tool (the first stub of the tool whose `match` fits answers)."""

    tool: str
    match: dict[str, Any] = Field({}, description="a subset of the call's arguments")
    result: dict[str, Any] | None = Field(None, description="structured content (also sent as JSON text)")
    text: str | None = None
    content: list[dict[str, Any]] | None = Field(None, description="raw MCP content blocks (image, audio, ...)")
    is_error: bool = False
    fail: Literal[tuple(FAILURES)] | None = None  # type: ignore[valid-type]
    delay: Duration | None = None

    @model_validator(mode="after")
    def _one_answer(self) -> ToolStubSpec:
        given = [k for k in ("result", "text", "content", "fail") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"a tool stub answers one way, found {' and '.join(given)}")
        return self

    def stub(self) -> ToolStub:
        return ToolStub(self.tool, self.match, self.result, self.text, self.content, self.is_error, self.fail,
                        self.delay)


class ToolCallMatch(_Model):
    tool: str
    arguments: dict[str, Any] | None = Field(None, description="a subset of the arguments sent")
    error: str | bool | None = Field(None, description="true: it failed; a text: its error contains it; "
                                                       "false: it succeeded")

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return {"tool": value} if isinstance(value, str) else value


class McpExpect(_Model):
    count: int | None = Field(None, ge=0, description="how many tool calls were made")
    failed: int | None = Field(None, ge=0, description="how many of them ended in an error")
    calls: list[ToolCallMatch] | None = Field(None, description="the tool calls, all of them, in order")
    includes: list[ToolCallMatch] = Field([], description="tool calls that must occur (any order)")
    excludes: list[str] = Field([], description="tools never called")


def route_stubs(sim: Simulator, tools: dict[str, list[ToolStubSpec]]) -> None:
    for url, stubs in tools.items():
        sim.route_mcp(url, [spec.stub() for spec in stubs])


def call_matches(match: ToolCallMatch, exchange: dict[str, Any]) -> bool:
    if match.tool != exchange["tool"]:
        return False
    if match.arguments is not None and not subset(match.arguments, exchange["arguments"]):
        return False
    error = exchange["error"]
    if isinstance(match.error, bool):
        return match.error == (error is not None)
    return match.error is None or (error is not None and match.error.lower() in error.lower())


def shown(exchange: dict[str, Any]) -> str:
    outcome = f"error: {exchange['error']}" if exchange["error"] else "ok"
    return f"{exchange['sent_at']} {exchange['tool']}({dumps(exchange['arguments'], sort_keys=True)}) -> {outcome}"

