"""Exchange rows written before schema 4 (docs/store.md): the exchange as `Platform.exchanges`
projected it, kept as it was (row kind `''`) and turned back into its typed value when read.

Such a row does not say its kind (only an MCP tool call's dict carries `"kind": "mcp"`) nor which
dialogue lines its webhook request's `context` were, so both are recovered from the dict and the
call's record here, once, for old files only; rows written since carry both (`contract.exchanges`).
"""

from __future__ import annotations

from typing import Any

from aployee_sim.contract.exchanges import Exchange, McpExchange, ToolResult, WebhookExchange, shown_kind
from aployee_sim.core.record import CallRecord


def exchange_from_projected(record: CallRecord, sent_ms: int, data: dict[str, Any]) -> Exchange:
    """The typed exchange back from its projected dict (an MCP tool call, or a webhook round trip)."""
    if shown_kind(data) == "mcp":
        result = data["result"]  # None exactly when the transport failed
        return McpExchange(data["call_id"], sent_ms, data["server"], data["tool"], data["arguments"],
                           data["duration_ms"], None if result is None else
                           ToolResult(result["content"], result["structured_content"], result["is_error"]),
                           data["error"], data.get("wall_ms"))
    request = data["request"]
    context = request["context"]
    lines = record.context()
    size = len(context)
    # The latest window (ending no later than the request was sent) whose lines are the stored ones,
    # so the projection rebuilds the same request.
    said = sum(1 for line in record.dialogue if line.t_ms <= sent_ms)
    end = next((e for e in range(min(said, len(lines)), size - 1, -1) if lines[e - size:e] == context), size)
    return WebhookExchange(record.id, sent_ms, data["url"], request["utterance"], request["state"],
                           end - size, end, data["duration_ms"], data["status_code"], data["response"],
                           data["error"])
