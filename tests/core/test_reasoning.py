"""docs/contract.md §4 applied to whatever a backend answers."""

import pytest

from aployee_sim.core.reasoning import Delivery, StubRule, interpret, timed_out


@pytest.mark.parametrize(("delivery", "error"), [
    (Delivery(body={"reply": 3, "state": {}}), "reply must be a string, got int"),
    (Delivery(body={"state": []}), "state must be a JSON object, got list"),
    (Delivery(body={"action": "transfer"}), "invalid transfer target None; expected an E.164 number like +15551234567"),
    (Delivery(body={"action": "transfer", "target": ""}), "invalid transfer target ''"),
    (Delivery(body={}, status_code=404), "HTTP 404"),
    (Delivery(body="text"), "response is not a JSON object (got str)"),
])
def test_bad_answers_become_errors(delivery, error):
    decision = interpret(delivery)
    assert decision.error.startswith(error) and decision.state is None and decision.reply is None


def test_good_answer_and_transfer():
    decision = interpret(Delivery(body={"reply": "Hi", "state": {"a": 1}, "action": "transfer", "target": "+15551234567"}))
    assert (decision.reply, decision.state, decision.transfer_target, decision.error) == ("Hi", {"a": 1}, "+15551234567", None)


def test_slow_answers_time_out_at_exactly_the_timeout():
    assert timed_out(Delivery(body={}, latency_ms=10_001), 10_000).error == "timeout after 10000 ms"
    assert timed_out(Delivery(body={}, latency_ms=10_000), 10_000).error is None


def test_stub_rule_rejects_unknown_failures_with_the_allowed_list():
    with pytest.raises(ValueError, match="allowed: timeout, connection_error, http_500, bad_json, oversized"):
        StubRule(fail="explode")


def test_stub_rule_matching_and_state():
    rule = StubRule(match="Order", update={"intent": "order"}, reply="ok")
    assert rule.matches("my ORDER please") and not rule.matches("hello")
    assert rule.answer({"state": {"a": 1}}).body == {"reply": "ok", "state": {"a": 1, "intent": "order"}}
