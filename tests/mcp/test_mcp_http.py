"""An MCP assistant against a real SDK server over streamable HTTP on 127.0.0.1 (docs/contract.md §4b)."""

from __future__ import annotations

from conftest import converse, mcp_assistant, said, tool_events

from aployee_sim.api import Simulator
from aployee_sim.contract.events import to_json
from aployee_sim.core.timings import Timings
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say

ORDER_RULE = {"pattern": r"order (?P<order_id>\d+)", "tool": "check_order_status",
              "arguments": {"order_id": "{order_id}"},
              "reply": "Order {order_id} is {result.status}, arriving {check_order_status.eta}.",
              "update": {"order_status": "{result.status}"},
              "fallback": "I can't find order {order_id} right now."}


def test_a_structured_result_is_woven_into_the_reply_and_updates_the_state(sim, shop_url):
    bot = mcp_assistant(sim, shop_url, [ORDER_RULE])
    call = converse(sim, bot, "Where is order 42?", initial_state={"customer": "C-7"})
    assert "Order 42 is shipped, arriving Friday." in said(sim, call)
    assert sim.call_details(call)["final_state"] == {"customer": "C-7", "order_status": "shipped"}
    [event] = tool_events(sim, call)
    assert event["tool"] == "check_order_status" and "error" not in event
    [exchange] = sim.exchanges(call)
    assert exchange["kind"] == "mcp" and exchange["server"] == shop_url
    assert exchange["arguments"] == {"order_id": "42"} and exchange["error"] is None
    assert exchange["result"]["is_error"] is False and isinstance(exchange["wall_ms"], int)
    assert sim.latency(call)["components"]["mcp"]["count"] == 1


def test_several_calls_run_in_order_and_later_arguments_use_earlier_results(sim, shop_url):
    rule = {"keywords": ["ticket"], "calls": [
        {"tool": "lookup_customer", "arguments": {"phone": "{state.phone}"}},
        {"tool": "create_ticket", "arguments": {"subject": "help for {lookup_customer.name}",
                                                "priority": "{lookup_customer.tier}"}}],
        "reply": "{lookup_customer.name}: {create_ticket}", "update": {"customer_id": "{lookup_customer.customer_id}"}}
    bot = mcp_assistant(sim, shop_url, [rule])
    call = converse(sim, bot, "I need a ticket please", initial_state={"phone": "+15550001111"})
    assert "Dana Reyes: Ticket T-100 opened: help for Dana Reyes (gold)" in said(sim, call)
    assert [e["tool"] for e in tool_events(sim, call)] == ["lookup_customer", "create_ticket"]
    first, second = tool_events(sim, call)
    assert first["timestamp"] < second["timestamp"]
    assert sim.call_details(call)["final_state"]["customer_id"] == "C-7"
    assert [x["arguments"] for x in sim.exchanges(call)][0] == {"phone": "+15550001111"}


def test_no_matching_rule_lets_the_conversation_agent_answer(sim, shop_url):
    bot = mcp_assistant(sim, shop_url, [ORDER_RULE])
    call = converse(sim, bot, "What a lovely day")
    assert tool_events(sim, call) == [] and sim.exchanges(call) == []
    assert said(sim, call)[-1] in ("Okay.", "Got it.", "I see.", "Alright.")


def _failing(sim, shop_url, rule, utterance):
    bot = mcp_assistant(sim, shop_url, [{**rule, "fallback": "Sorry, that failed.", "update": {"touched": True}}])
    call = converse(sim, bot, utterance, initial_state={"kept": 1})
    assert "Sorry, that failed." in said(sim, call)
    assert sim.call_details(call)["final_state"] == {"kept": 1}
    [event] = tool_events(sim, call)
    [exchange] = sim.exchanges(call)
    assert event["error"] == exchange["error"]
    return event["error"]


def test_a_tool_error_is_recorded_and_the_fallback_spoken(sim, shop_url):
    error = _failing(sim, shop_url, ORDER_RULE, "Where is order 0?")
    assert error.startswith("tool error:") and "no order 0" in error


def test_a_tool_that_raises(sim, shop_url):
    rule = {"keywords": ["call me"], "tool": "schedule_callback", "arguments": {"when": "tomorrow"}}
    assert _failing(sim, shop_url, rule, "Please call me back").startswith("tool error:")


def test_bad_arguments(sim, shop_url):
    rule = {"keywords": ["order"], "tool": "check_order_status", "arguments": {"order": "{state.kept}"}}
    error = _failing(sim, shop_url, rule, "my order")
    assert "order_id" in error and "Field required" in error


def test_a_timeout_costs_the_deadline_in_virtual_time(shop_url):
    with Simulator(seed=5, timings=Timings(mcp_timeout_ms=1500)) as sim:
        warm = mcp_assistant(sim, shop_url, [{"keywords": ["ticket"], "tool": "create_ticket",
                                              "arguments": {"subject": "x"}}])
        assert "error" not in tool_events(sim, converse(sim, warm, "a ticket"))[0]  # the session is open now
        rule = {"keywords": ["slow"], "tool": "slow_lookup", "arguments": {"seconds": 5}}
        error = _failing(sim, shop_url, rule, "be slow")
        assert error.startswith("timeout")
        [event] = [e for e in sim.events(sim.list_calls()["data"][0]["id"]) if e.type == "mcp_tool_called"]
        assert event.duration_ms == 1500


def test_non_text_content_cannot_be_spoken(sim, shop_url):
    rule = {"keywords": ["photo"], "tool": "product_photo", "arguments": {"sku": "X"}}
    assert _failing(sim, shop_url, rule, "show me a photo") == "content cannot be spoken: image"


def test_a_server_that_is_down(sim):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/mcp"
    error = _failing(sim, url, ORDER_RULE, "Where is order 42?")
    assert error.startswith("connection error")


def test_a_configured_tool_the_server_lacks_is_reported_on_the_call(sim, shop_url):
    body = {"name": "Bot", "reasoning_mode": "mcp", "mcp_config": {
        "server_url": shop_url, "tools": ["check_order_status", "cancel_order"],
        "rules": [ORDER_RULE, {"keywords": ["cancel"], "tool": "cancel_order", "fallback": "Cannot cancel."}]}}
    bot = sim.create_assistant(body)["id"]
    call = converse(sim, bot, "Where is order 42?", "cancel it")
    missing = [to_json(e) for e in sim.events(call) if e.type == "mcp_tools_missing"]
    assert missing == [{"server": shop_url, "tools": ["cancel_order"]}]
    assert "Cannot cancel." in said(sim, call)
    assert tool_events(sim, call)[-1]["error"] == "missing tool: the server does not list 'cancel_order'"
    assert sim.mcp.missing_tools(sim.assistant(bot)) == (["cancel_order"], None)


def test_a_slow_modelled_tool_holds_with_music_and_reasoning_is_active(shop_url):
    with Simulator(seed=5) as sim:  # the default 30 s deadline
        _slow_turn(sim, shop_url)


def _slow_turn(sim, shop_url):
    bot = mcp_assistant(sim, shop_url, [ORDER_RULE], tool_latency_ms={"check_order_status": 5000})
    call = sim.start_call(bot, "+15551234567", caller=ScriptedCaller([say("order 42"), say("bye"), hang_up()]))["id"]
    started = None
    while started is None:  # run to the reasoning turn, then look inside it
        sim.run(seconds=0.5)
        started = next((e.t_ms for e in sim.events(call) if e.type == "reasoning_started"), None)
    sim.run(until_ms=started + 4000)
    live = sim.live_state(call)
    assert live["reasoning_status"]["active"] is True and live["current_state"] == {}
    sim.run(until_ms=started + 5001)
    live = sim.live_state(call)
    assert live["reasoning_status"]["active"] is False and live["current_state"] == {"order_status": "shipped"}
    sim.run()
    holds = [to_json(e) for e in sim.events(call) if e.type == "hold_music"]
    assert {"during": "reasoning", "duration_ms": 2000} in holds
    assert tool_events(sim, call)[0]["duration_ms"] == 5000
    assert sim.latency(call)["components"]["mcp"]["max_ms"] == 5000
