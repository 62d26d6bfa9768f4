"""The rule engine alone (core, no I/O): templates, matching, and the allow-list enforced at call time."""

from __future__ import annotations

import pytest

from aployee_sim.contract.models import McpConfig, McpRule, McpSettings
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.mcp_rules import MissingValue, ToolValue, compile_rules, first_match, render
from aployee_sim.core.mcp_stubs import StubTools, ToolStub
from aployee_sim.core.mcp_turns import McpBackend
from aployee_sim.core.randomness import SeededRandom


def test_templates_keep_types_escape_braces_and_refuse_missing_values():
    scope = {"n": "42", "state": {"count": 3, "items": [{"name": "cup"}]},
             "result": ToolValue("shipped!", {"status": "shipped"})}
    assert render({"order": "{n}", "count": "{state.count}", "first": "{state.items.0.name}"}, scope) == {
        "order": "42", "count": 3, "first": "cup"}
    assert render("{{literal}} {result} / {result.status}", scope) == "{literal} shipped! / shipped"
    with pytest.raises(MissingValue, match="has no 'eta'"):
        render("{result.eta}", scope)


def test_all_conditions_must_hold_and_the_first_rule_wins():
    rules = compile_rules([McpRule(keywords=["order"], state={"verified": True}, tool="a"),
                           McpRule(pattern=r"order (?P<n>\d+)", tool="b")])
    assert first_match(rules, "Order 5", {"verified": True})[0].calls[0].tool == "a"
    rule, captures = first_match(rules, "order 5", {})
    assert rule.calls[0].tool == "b" and captures == {"n": "5"}
    assert first_match(rules, "hello", {}) is None


class Host:
    def __init__(self) -> None:
        self.missing = []

    def initial_state(self, call_id):
        return {}

    def call_rng(self, call_id):
        return SeededRandom(1)

    def tools_missing(self, call_id, server, missing):
        self.missing.append((call_id, server, missing))


def test_a_tool_outside_the_allow_list_is_refused_and_never_called():
    calls = []

    class Spy(StubTools):
        def call_tool(self, server, tool, arguments, timeout_ms):
            calls.append(tool)
            return super().call_tool(server, tool, arguments, timeout_ms)

    unchecked = McpRule.model_construct(keywords=["x"], tool="delete_everything", arguments={}, calls=[],
                                        state={}, pattern=None, reply=None, update={}, fallback="No.")
    host = Host()
    backend = McpBackend(McpConfig(server_url="https://t.test", tools=["lookup"]), McpSettings(rules=[unchecked]),
                         Spy([ToolStub("delete_everything", text="gone")]), host, VirtualClock(), lambda: (100, 100))
    delivery = backend("", {"call_id": "call_1", "utterance": "x", "state": {"k": 1}}, 30_000)
    assert calls == [] and delivery.body == {"state": {"k": 1}, "reply": "No."}
    [exchange] = delivery.exchanges
    assert exchange.kind == "mcp" and exchange.error == "refused: 'delete_everything' is not in mcp_config.tools"
