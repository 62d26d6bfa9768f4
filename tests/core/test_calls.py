"""Outbound calls end to end on the virtual clock: carrier outcomes, conversation, reasoning."""

import pytest

from aployee_sim.api import Simulator
from aployee_sim.contract.errors import ApiError
from aployee_sim.contract.events import to_json
from aployee_sim.core.reasoning import CallableBackend
from aployee_sim.core.timings import Timings
from aployee_sim.fakes.callers import ScriptedCaller, barge_in, expect, hang_up, press, say, silence

from .conftest import HOOK, kinds, reason

NUMBER = "+15551234567"


@pytest.mark.parametrize(("number", "status", "why", "statuses"), [
    ("+15005550001", "failed", "error", ["failed"]),
    ("+15005550002", "failed", "busy", ["failed"]),
    ("+15005550003", "failed", "no_answer", ["ringing", "failed"]),
    ("+15005550004", "completed", "hangup_user", ["ringing", "in_progress", "completed"]),
    ("+15005550005", "completed", "silence_timeout", ["ringing", "in_progress", "completed"]),
])
def test_test_numbers_behave_as_the_contract_lists(sim, webhook_assistant, number, status, why, statuses):
    call = sim.start_call(webhook_assistant["id"], number)
    assert call["status"] == "initiated"
    sim.run()
    assert sim.call_details(call["id"])["status"] == status
    assert reason(sim, call["id"]) == why
    assert [e.to for e in sim.events(call["id"]) if e.type == "status_changed"] == statuses


def test_carrier_error_fails_at_once_and_no_answer_after_the_ring_timeout(sim, webhook_assistant):
    error = sim.start_call(webhook_assistant["id"], "+15005550001")
    no_answer = sim.start_call(webhook_assistant["id"], "+15005550003")
    sim.run()
    assert sim.record(error["id"]).ended_ms == 0
    assert sim.record(no_answer["id"]).ended_ms == sim.timings.dial_ms + sim.timings.ring_timeout_ms


def test_answers_at_once_has_no_ring_time(sim, webhook_assistant):
    call = sim.start_call(webhook_assistant["id"], "+15005550006", caller=ScriptedCaller([hang_up()]))
    sim.run()
    assert sim.record(call["id"]).started_ms == 0


def test_webhook_reply_and_state_flow_into_the_call(sim, webhook_assistant):
    bodies = []

    def hook(request):
        bodies.append(request)
        return {"reply": "Your order ships tomorrow.", "state": {**request["state"], "intent": "order_status"}}

    sim.route_webhook(HOOK, hook)
    caller = ScriptedCaller([say("I need to check my order status"), expect("ships"), hang_up()])
    call = sim.start_call(webhook_assistant["id"], NUMBER, initial_state={"customer_id": "cust_1"}, caller=caller)
    sim.run()
    details = sim.call_details(call["id"])
    assert details["final_state"] == {"customer_id": "cust_1", "intent": "order_status"}
    assert [line["content"] for line in details["transcript"]] == [
        "Hello, this is Alex.", "I need to check my order status", "Your order ships tomorrow."]
    assert caller.failures == []
    [body] = bodies
    assert list(body) == ["call_id", "assistant_id", "utterance", "state", "context", "timestamp"]
    assert body["context"][-1] == {"role": "user", "content": "I need to check my order status"}
    assert body["state"] == {"customer_id": "cust_1"}


def test_reply_omitted_means_the_agent_acknowledges_and_state_is_replaced(sim, webhook_assistant):
    sim.route_webhook(HOOK, lambda request: {"state": {"only": "this"}})
    call = sim.start_call(webhook_assistant["id"], NUMBER, initial_state={"a": 1},
                          caller=ScriptedCaller([say("hello"), expect("okay"), hang_up()]))
    sim.run()
    details = sim.call_details(call["id"])
    assert details["transcript"][-1] == {"role": "assistant", "content": "Okay."}
    assert details["final_state"] == {"only": "this"}


@pytest.mark.parametrize(("rule", "error"), [
    ({"fail": "timeout"}, "timeout after 10000 ms"),
    ({"fail": "http_500"}, "HTTP 500"),
    ({"fail": "bad_json"}, "invalid JSON"),
    ({"fail": "connection_error"}, "connection error"),
    ({"fail": "oversized"}, "response over 1048576 bytes"),
    ({"action": "transfer", "target": "not-a-number"}, "invalid transfer target"),
    ({"action": "dance"}, "invalid action 'dance'"),
])
def test_a_failing_webhook_is_recorded_and_the_call_goes_on(sim, webhook_assistant, rule, error):
    sim.route_webhook(HOOK, [rule])
    call = sim.start_call(webhook_assistant["id"], NUMBER, initial_state={"keep": True},
                          caller=ScriptedCaller([say("hello there"), say("still there?"), expect("."), hang_up()]))
    sim.run()
    details = sim.call_details(call["id"])
    assert details["status"] == "completed" and reason(sim, call["id"]) == "hangup_user"
    assert details["final_state"] == {"keep": True}
    webhook_events = [to_json(e) for e in sim.events(call["id"]) if e.type == "webhook_called"]
    assert len(webhook_events) == 2 and all(error in e["error"] for e in webhook_events)
    assert [line["role"] for line in details["transcript"]] == ["assistant", "user", "assistant", "user", "assistant"]


def test_slow_webhook_holds_music_and_reports_reasoning_active(sim, webhook_assistant):
    sim.route_webhook(HOOK, [{"reply": "Found it.", "delay_ms": 5000}])
    call = sim.start_call(webhook_assistant["id"], NUMBER, caller=ScriptedCaller([say("find my order")]))
    sim.run(until_ms=sim.timings.dial_ms + 60_000)
    started = next(e.t_ms for e in sim.events(call["id"]) if e.type == "reasoning_started")
    hold = [e for e in sim.events(call["id"]) if e.type == "hold_music" and e.during == "reasoning"]
    assert hold and hold[0].t_ms == started + 3000 and hold[0].duration_ms == 2000
    completed = next(e for e in sim.events(call["id"]) if e.type == "reasoning_completed")
    assert completed.duration_ms == 5000


def test_live_state_while_reasoning_runs(sim, webhook_assistant):
    sim.route_webhook(HOOK, [{"reply": "Found it.", "delay_ms": 5000}])
    call = sim.start_call(webhook_assistant["id"], "+15005550006", caller=ScriptedCaller([say("find it")]))
    while not any(e.type == "reasoning_started" for e in sim.events(call["id"])):
        assert sim.engine.step()
    sim.run(until_ms=sim.now_ms + 1000)
    live = sim.live_state(call["id"])
    assert live["status"] == "in_progress" and live["reasoning_status"]["active"] is True
    assert live["reasoning_status"]["started_at"] is not None
    sim.run(until_ms=sim.now_ms + 5000)
    assert sim.live_state(call["id"])["reasoning_status"] == {"active": False, "started_at": None}


def test_utterances_during_reasoning_are_sent_in_order_with_the_returned_state(sim, webhook_assistant):
    seen = []

    def hook(request):
        seen.append((request["utterance"], request["state"]))
        return {"state": {"n": request["state"].get("n", 0) + 1}}

    sim.router.route(HOOK, CallableBackend(hook, latency_ms=4000))
    call = sim.start_call(webhook_assistant["id"], "+15005550006", caller=ScriptedCaller([say("one")]))
    while not any(e.type == "reasoning_started" for e in sim.events(call["id"])):
        assert sim.engine.step()
    sim.run(until_ms=sim.now_ms + 500)
    sim.line(call["id"]).say("two")
    sim.run(until_ms=sim.now_ms + 2000)
    assert [u for u, _ in seen] == ["one"]  # the second waits for the first to return
    sim.run(until_ms=sim.now_ms + 20_000)
    assert seen == [("one", {}), ("two", {"n": 1})]
    assert sim.live_state(call["id"])["current_state"] == {"n": 2}


def test_barge_in_cuts_the_assistant(sim, webhook_assistant):
    sim.update_assistant(webhook_assistant["id"], {"first_message": "Hello " + "and welcome " * 20})
    call = sim.start_call(webhook_assistant["id"], NUMBER, caller=ScriptedCaller([barge_in("Stop please"), hang_up()]))
    sim.run()
    events = kinds(sim, call["id"])
    assert events.index("barge_in") < events.index("user_speech")
    barge = next(e for e in sim.events(call["id"]) if e.type == "barge_in")
    speech = next(e for e in sim.events(call["id"]) if e.type == "assistant_speech")
    assert speech.t_ms < barge.t_ms < speech.t_ms + speech.duration_ms


def test_silence_is_detected_then_the_call_times_out(sim, webhook_assistant):
    call = sim.start_call(webhook_assistant["id"], NUMBER, caller=ScriptedCaller([silence(60_000)]))
    sim.run()
    events = kinds(sim, call["id"])
    assert "silence_detected" in events and reason(sim, call["id"]) == "silence_timeout"
    transcript = sim.call_details(call["id"])["transcript"]
    assert transcript[-1]["content"] == "Are you still there?"


def test_end_call_phrase_ends_the_call_after_it_is_said(sim, webhook_assistant):
    sim.update_assistant(webhook_assistant["id"], {"end_call_phrases": ["goodbye"]})
    sim.route_webhook(HOOK, [{"match": "bye", "reply": "Thanks for calling, goodbye!"}])
    call = sim.start_call(webhook_assistant["id"], NUMBER, caller=ScriptedCaller([say("bye")]))
    sim.run()
    assert reason(sim, call["id"]) == "hangup_assistant"
    last_speech = [e for e in sim.events(call["id"]) if e.type == "assistant_speech"][-1]
    assert sim.record(call["id"]).ended_ms == last_speech.t_ms + last_speech.duration_ms


def test_maximum_duration_ends_the_call(sim, webhook_assistant):
    sim.runtime.timings = sim.timings.with_overrides({"max_duration_ms": 4000, "silence_timeout_ms": 60_000})
    call = sim.start_call(webhook_assistant["id"], NUMBER)
    sim.run()
    assert reason(sim, call["id"]) == "max_duration"
    assert sim.call_details(call["id"])["duration_seconds"] == 4


def test_webhook_transfer_action_ends_transferred_with_warm_context(sim, webhook_assistant):
    sim.route_webhook(HOOK, [{"reply": "One moment.", "update": {"intent": "human"},
                              "action": "transfer", "target": "+15557654321"}])
    call = sim.start_call(webhook_assistant["id"], NUMBER, initial_state={"id": 7},
                          caller=ScriptedCaller([say("let me talk to someone"), press("1")]))
    sim.run()
    details = sim.call_details(call["id"])
    assert details["status"] == "transferred" and details["final_state"] == {"id": 7, "intent": "human"}
    transfer = next(to_json(e) for e in sim.events(call["id"]) if e.type == "transfer_initiated")
    assert transfer["target"] == "+15557654321" and transfer["trigger"] == "webhook" and transfer["warm"]
    assert transfer["context"]["state"] == {"id": 7, "intent": "human"}
    assert sim.transfer_party.received[0][0] == "+15557654321"


def test_builtin_brain_matches_intents(sim):
    assistant = sim.create_assistant(name="Sam", intents=[
        {"keywords": ["hours"], "reply": "We're open nine to five.", "update": {"intent": "hours"}},
        {"pattern": r"\border\b", "reply": "Let me check your order."},
    ])
    call = sim.start_call(assistant["id"], NUMBER,
                          caller=ScriptedCaller([say("What are your hours?"), say("And my order?"), say("hmm")]))
    sim.run(until_ms=60_000)
    lines = [t["content"] for t in sim.live_state(call["id"])["transcript"] if t["role"] == "assistant"]
    assert lines[1:4] == ["We're open nine to five.", "Let me check your order.", "Okay."]
    assert sim.live_state(call["id"])["current_state"] == {"intent": "hours"}
    assert {e.mode for e in sim.events(call["id"]) if e.type == "reasoning_started"} == {"builtin"}


def test_assistant_waits_for_the_user_when_first_message_is_empty(sim):
    assistant = sim.create_assistant(name="Quiet", first_message="")
    call = sim.start_call(assistant["id"], NUMBER, caller=ScriptedCaller([say("Hello?"), hang_up()]))
    sim.run()
    assert sim.call_details(call["id"])["transcript"][0]["role"] == "user"


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"to": NUMBER}, 400, "assistant_id"),
    ({"assistant_id": "asst_x"}, 400, "to"),
    ({"assistant_id": "asst_nope", "to": NUMBER}, 404, "assistant_id"),
    ({"assistant_id": "ASSISTANT", "to": "5551234567"}, 400, "to"),
    ({"assistant_id": "ASSISTANT", "to": "+１５５５１２３４"}, 400, "to"),
    ({"assistant_id": "ASSISTANT", "to": "tel:+15551234567"}, 400, "to"),
    ({"assistant_id": "ASSISTANT", "to": "+0155512345"}, 400, "to"),
    ({"assistant_id": "ASSISTANT", "to": NUMBER, "from": "+1 555"}, 400, "from"),
    ({"assistant_id": "ASSISTANT", "to": NUMBER, "initial_state": [1]}, 400, "initial_state"),
])
def test_create_call_validation_uses_the_error_envelope(sim, webhook_assistant, body, status, field):
    body = {k: (webhook_assistant["id"] if v == "ASSISTANT" else v) for k, v in body.items()}
    with pytest.raises(ApiError) as info:
        sim.create_call(body)
    assert info.value.status == status
    envelope = info.value.envelope()
    assert envelope["error"]["details"] == {"field": field}
    assert envelope["error"]["code"] == ("not_found" if status == 404 else "invalid_request")
    assert sim.calls == {}


def test_missing_assistant_id_message_is_the_documented_one(sim):
    with pytest.raises(ApiError) as info:
        sim.create_call({"to": NUMBER})
    assert info.value.envelope() == {"error": {"code": "invalid_request", "message": "The assistant_id field is required",
                                               "details": {"field": "assistant_id"}}}


def test_list_calls_filters_orders_and_pages(sim, webhook_assistant):
    other = sim.create_assistant(name="Other")
    ids = []
    for number in ("+15005550002", NUMBER, "+15005550002"):
        ids.append(sim.start_call(webhook_assistant["id"], number)["id"])
        sim.run(until_ms=sim.now_ms + 60_000)
    ids.append(sim.start_call(other["id"], NUMBER)["id"])
    page = sim.list_calls(limit=2)
    assert page["total"] == 4 and page["has_more"] and [c["id"] for c in page["data"]] == ids[::-1][:2]
    failed = sim.list_calls(status="failed", assistant_id=webhook_assistant["id"])
    assert {c["id"] for c in failed["data"]} == {ids[0], ids[2]}
    assert sim.list_calls(from_date="2024-01-15", to_date="2024-01-15")["total"] == 4
    assert sim.list_calls(from_date="2024-01-16")["total"] == 0
    for params, field in [({"limit": 0}, "limit"), ({"limit": "x"}, "limit"), ({"offset": -1}, "offset"),
                          ({"status": "done"}, "status"), ({"from_date": "yesterday"}, "from_date")]:
        with pytest.raises(ApiError) as info:
            sim.list_calls(**params)
        assert info.value.details == {"field": field}


def test_assistant_validation(sim):
    with pytest.raises(ApiError) as info:
        sim.create_assistant({"system_prompt": "x"})
    assert info.value.details == {"field": "name"}
    with pytest.raises(ApiError) as info:
        sim.create_assistant(name="W", reasoning_mode="webhook")
    assert info.value.details == {"field": "webhook_url"}
    with pytest.raises(ApiError) as info:
        sim.create_assistant(name="P", personality={"formality": "stiff"})
    assert info.value.details["field"] == "personality.formality"
    created = sim.create_assistant({"name": "Z", "unknown_field": 1})
    assert "unknown_field" not in created and created["reasoning_mode"] == "builtin"


def test_an_idle_engine_rests_at_the_last_call_end(sim, webhook_assistant):
    call = sim.start_call(webhook_assistant["id"], NUMBER, caller=ScriptedCaller([say("hi"), hang_up()]))
    sim.run()
    assert sim.now_ms == sim.record(call["id"]).ended_ms


def test_zero_waits_run_at_once_without_timers_and_keep_the_turn_in_order():
    """No caller pause, an instant webhook and no response gap: each turn costs the two speech
    timers only, and everything between happens at the instant the caller stops speaking."""
    sim = Simulator(seed=3, timings=Timings(dial_ms=0, response_gap_ms=(0, 0)))
    sim.router.route(HOOK, CallableBackend(lambda r: {"reply": "Sure thing.", "state": {"n": 1}}, latency_ms=0))
    assistant = sim.create_assistant(name="Zed", reasoning_mode="webhook", webhook_url=HOOK, first_message="")
    call = sim.start_call(assistant["id"], "+15551234567", caller=ScriptedCaller(
        [say("hello there", pause_ms=0), say("bye now", pause_ms=0), hang_up()]))
    # ringing, answer, then per turn the end of the caller's and the assistant's speech; the hang-up
    assert sim.run() == 2 + 2 + 2
    events = sim.events(call["id"])
    connected = next(e.t_ms for e in events if e.type == "call_started")
    first = [(e.t_ms, e.type) for e in events if e.type != "hold_music"][2:10]
    spoke = connected + 800  # "hello there": 2 words at 150 wpm
    assert first == [(connected, "call_started"), (connected, "user_speech"), (spoke, "reasoning_started"),
                     (spoke, "webhook_called"), (spoke, "reasoning_completed"), (spoke, "state_changed"),
                     (spoke, "assistant_speech"), (spoke + 727, "user_speech")]
    assert sim.call_details(call["id"])["status"] == "completed"
    assert not any(e.type == "silence_detected" for e in events)
