"""What a regression scenario made from a recorded call carries and expects.

Used by `aployee-sim import` (a production call record) and the TUI's `y` export (a simulated
call). A regression must pass on the unchanged system and fail when the webhook's behaviour
or the flow changes, so it expects what mattered: the status and end reason, the final state,
the assistant's lines in order, and no webhook errors beyond those recorded. A webhook that
cannot be called from a replay (served in-process, or on a reserved test domain) is carried
as stub rules that answer exactly what it answered, with its recorded round trip; so is an MCP
server that was served in-process (`mcp_tools:`, one stub per distinct tool call).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# Domains that never resolve (RFC 2606 / RFC 6761): a webhook there was a stub when it was recorded.
_RESERVED = (".test", ".example", ".invalid", ".localhost")
_FAILURE_OF = (("timeout", "timeout"), ("connection error", "connection_error"), ("invalid json", "bad_json"),
               ("response over", "oversized"))


def unreachable(url: str) -> bool:
    """Whether a replay cannot call `url` for real (a reserved test domain)."""
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(_RESERVED) or host in ("example.com", "example.org", "example.net")


def stub_rule(exchange: dict[str, Any]) -> dict[str, Any]:
    """A stub rule answering this exchange's utterance exactly as it was answered."""
    utterance = exchange["request"]["utterance"]
    rule: dict[str, Any] = {"pattern": f"^{re.escape(utterance)}$"}
    status = exchange.get("status_code")
    if exchange.get("error"):
        failure = _failure(exchange, _FAILURE_OF)
        if failure is None and status is not None and status >= 500:
            failure = "http_500"
        rule["fail"] = failure or "connection_error"
    else:
        response = exchange.get("response") or {}
        for key in ("reply", "state", "action", "target"):
            if response.get(key) is not None:
                rule[key] = response[key]
    return _timed(rule, exchange)


def _failure(exchange: dict[str, Any], kinds: tuple[tuple[str, str], ...]) -> str | None:
    """The stub `fail:` kind of a recorded error message (None: not one of `kinds`)."""
    error = (exchange.get("error") or "").lower()
    return next((kind for prefix, kind in kinds if error.startswith(prefix)), None)


def _timed(stub: dict[str, Any], exchange: dict[str, Any]) -> dict[str, Any]:
    """The recorded round trip as the stub's delay (a timeout waits its own deadline instead)."""
    duration = exchange.get("duration_ms")
    if isinstance(duration, int) and stub.get("fail") != "timeout":
        stub["delay"] = f"{duration}ms"
    return stub


def stubs_for(exchanges: list[dict[str, Any]], stubbed: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Stub rules by URL for the webhooks in `stubbed`, one per recorded webhook exchange (first answer wins)."""
    rules: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, str]] = set()
    for exchange in exchanges:
        url = exchange["url"]
        if url in stubbed and (url, utterance := exchange["request"]["utterance"]) not in seen:
            seen.add((url, utterance))
            rules.setdefault(url, []).append(stub_rule(exchange))
    return rules


_TOOL_FAILURES = (("timeout", "timeout"), ("connection error", "connection_error"), ("protocol error", "protocol_error"))


def tool_stub(exchange: dict[str, Any]) -> dict[str, Any]:
    """An `mcp_tools:` stub answering this tool call's arguments exactly as it was answered."""
    stub: dict[str, Any] = {"tool": exchange["tool"], "match": exchange.get("arguments") or {}}
    result = exchange.get("result")
    failure = _failure(exchange, _TOOL_FAILURES)
    if failure is not None or result is None:
        stub["fail"] = failure or "connection_error"
    elif result.get("structured_content") is not None and not result.get("is_error"):
        stub["result"] = result["structured_content"]
    else:
        stub["content"] = result.get("content") or []
        if result.get("is_error"):
            stub["is_error"] = True
    return _timed(stub, exchange)


def tool_stubs_for(exchanges: list[dict[str, Any]], stubbed: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Tool stubs by MCP server for the servers in `stubbed`, one per distinct tool call (first answer wins)."""
    stubs: dict[str, list[dict[str, Any]]] = {}
    for exchange in exchanges:
        server = exchange["server"]
        if server in stubbed:
            stub = tool_stub(exchange)
            if not any(s["tool"] == stub["tool"] and s["match"] == stub["match"] for s in stubs.get(server, [])):
                stubs.setdefault(server, []).append(stub)
    return stubs


def heard_pattern(text: str, words: int = 6) -> str:
    """An `expect:` pattern for an assistant line: its first few words, escaped (matched case-insensitively)."""
    return " ".join(re.escape(word) for word in text.split()[:words])


def assistant_lines(transcript: list[dict[str, Any]]) -> list[str]:
    """The assistant's lines as `transcript.order` entries (whole lines, in order)."""
    return [f"assistant: {t['content']}" for t in transcript if t.get("role") == "assistant" and t.get("content")]


def regression_expect(*, status: str, reason: str | None, final_state: dict[str, Any] | None,
                      transcript: list[dict[str, Any]], failed_webhooks: int | None) -> dict[str, Any]:
    """The `expect:` of a regression: how the call ended and what the assistant said, in order.

    `failed_webhooks`: the recorded count of failed webhook calls (None: not a webhook assistant)."""
    expect: dict[str, Any] = {"status": status}
    if reason:
        expect["reason"] = reason
    if final_state is not None:
        expect["final_state"] = final_state
    lines = assistant_lines(transcript)
    if lines:
        expect["transcript"] = {"order": lines}
    if failed_webhooks is not None:
        expect["webhooks"] = {"failed": failed_webhooks}
    return expect
