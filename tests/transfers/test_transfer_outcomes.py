"""What happens after a transfer is asked for: accept, decline, no answer, invalid targets, hang-ups."""

import pytest
from transfer_helpers import AGENT, HOOK, NUMBER, assistant, of_type, said, utterances_sent

from aployee_sim.contract.errors import ApiError
from aployee_sim.core.transfers import TRANSFER_FAILED_REPLY
from aployee_sim.fakes.callers import ScriptedCaller, expect, hang_up, say


def call(sim, asst, *steps):
    created = sim.start_call(asst, NUMBER, initial_state={"k": 1}, caller=ScriptedCaller(list(steps)))
    sim.run(seconds=600)
    return created["id"]


def live_call(sim, asst):
    """A call driven by hand through its line; returns the id once the greeting has been said."""
    call_id = sim.start_call(asst, NUMBER)["id"]
    sim.run(seconds=15)
    return call_id


@pytest.mark.parametrize("behaviour", ["decline", "no_answer"])
def test_a_declined_or_unanswered_transfer_returns_the_caller_to_the_assistant(sim, behaviour):
    sim.route_webhook(HOOK, [{"reply": "Noted."}])
    sim.transfer_party.script(AGENT, behaviour, ring_ms=2000)
    call_id = call(sim, assistant(sim), say("transfer me to a human"),
                   expect("couldn't reach", timeout_ms=60_000), say("ok then, my order is late"), hang_up())
    assert of_type(sim, call_id, "transfer_result") == [{"target": AGENT, "result": behaviour}]
    assert TRANSFER_FAILED_REPLY in said(sim, call_id)
    assert utterances_sent(sim, call_id) == ["ok then, my order is late"]
    details = sim.call_details(call_id)
    assert details["status"] == "completed" and sim.record(call_id).end_reason == "hangup_user"
    hold = of_type(sim, call_id, "hold_music")[-1]["duration_ms"]
    assert hold == (sim.timings.transfer_timeout_ms if behaviour == "no_answer" else 2000)


def test_a_scripted_party_declines_first_and_accepts_the_second_time(sim):
    sim.route_webhook(HOOK, [{"reply": "Noted."}])
    sim.transfer_party.script(AGENT, ["decline", "accept"])
    call_id = call(sim, assistant(sim), say("speak to a person"), expect("couldn't reach"), say("real agent please"))
    assert [r["result"] for r in of_type(sim, call_id, "transfer_result")] == ["decline", "accept"]
    assert sim.call_details(call_id)["status"] == "transferred"
    assert len(sim.transfer_party.received) == 2


def test_the_party_script_rejects_unknown_behaviours(sim):
    with pytest.raises(ValueError, match="unknown transfer behaviour 'maybe'"):
        sim.transfer_party.script(AGENT, "maybe")


@pytest.mark.parametrize("target, reason", [
    ("bogus", "invalid transfer target 'bogus'"),
    ("", "invalid transfer target ''"),
    ("+442079460000", "not on the assistant's transfer_allowlist"),
])
def test_an_invalid_webhook_target_is_rejected_recorded_and_the_call_goes_on(sim, target, reason):
    sim.route_webhook(HOOK, [{"match": "human", "action": "transfer", "target": target, "update": {"x": 1}},
                             {"reply": "Sure thing."}])
    asst = assistant(sim, transfer_allowlist=["+1555*"])
    call_id = call(sim, asst, say("a human please"), say("never mind"))
    assert reason in of_type(sim, call_id, "webhook_called")[0]["error"]
    assert of_type(sim, call_id, "transfer_rejected") == [
        {"target": target, "trigger": "webhook", "reason": of_type(sim, call_id, "webhook_called")[0]["error"]}]
    assert of_type(sim, call_id, "transfer_initiated") == []
    assert sim.record(call_id).state == {"k": 1}  # the refused answer's state is not applied
    assert utterances_sent(sim, call_id) == ["a human please", "never mind"]
    assert "Sure thing." in said(sim, call_id)


def test_an_allow_listed_target_goes_through(sim):
    sim.route_webhook(HOOK, [{"action": "transfer", "target": "+15550009876"}])
    call_id = call(sim, assistant(sim, transfer_allowlist=["+15550001111", "+1555000*"]), say("hi"))
    assert sim.call_details(call_id)["status"] == "transferred"


@pytest.mark.parametrize("fields, words, trigger, reason", [
    ({"transfer_target": None}, "transfer me to a human", "user_request", "no transfer target"),
    ({"transfer_target": None, "escalation": [{"keywords": ["refund"]}]}, "refund", "escalation_rule",
     "no transfer target"),
    ({"transfer_allowlist": ["+44*"]}, "speak to a person", "user_request", "not on the assistant's transfer_allowlist"),
])
def test_a_caller_side_transfer_to_an_impossible_target_is_rejected_and_the_webhook_hears_it(
        sim, fields, words, trigger, reason):
    sim.route_webhook(HOOK, [{"reply": "Let me help instead."}])
    call_id = call(sim, assistant(sim, **fields), say(words))
    rejected = of_type(sim, call_id, "transfer_rejected")
    assert [(r["trigger"], reason in r["reason"]) for r in rejected] == [(trigger, True)]
    assert utterances_sent(sim, call_id) == [words]
    assert "Let me help instead." in said(sim, call_id)
    assert sim.call_details(call_id)["status"] == "completed"


@pytest.mark.parametrize("entry", ["44", "+44**", "+1 555", "*44"])
def test_bad_allow_list_entries_are_refused_when_the_assistant_is_saved(sim, entry):
    with pytest.raises(ApiError) as caught:
        assistant(sim, transfer_allowlist=["+15550001111", entry])
    assert (caught.value.status, caught.value.details) == (400, {"field": "transfer_allowlist.1"})


def test_a_second_transfer_while_one_is_ringing_is_rejected(sim):
    sim.route_webhook(HOOK, [{"action": "transfer", "target": "+15550004444", "delay_ms": 5000}])
    sim.transfer_party.script(AGENT, "accept", ring_ms=8000)
    call_id = live_call(sim, assistant(sim))
    line = sim.line(call_id)
    line.say("hello")
    sim.run(seconds=1)
    line.say("transfer me to a human")
    sim.run(seconds=60)
    assert [t["target"] for t in of_type(sim, call_id, "transfer_initiated")] == [AGENT]
    assert of_type(sim, call_id, "transfer_rejected") == [
        {"target": "+15550004444", "trigger": "webhook", "reason": "a transfer is already in progress"}]
    assert sim.call_details(call_id)["status"] == "transferred"


def test_hanging_up_on_hold_ends_the_call_and_the_transfer_never_resolves(sim):
    sim.transfer_party.script(AGENT, "accept", ring_ms=10_000)
    call_id = live_call(sim, assistant(sim))
    sim.line(call_id).say("transfer me to a human")
    sim.run(seconds=6)
    sim.line(call_id).hang_up()
    sim.run(seconds=60)
    record = sim.record(call_id)
    assert (record.status, record.end_reason) == ("completed", "hangup_user")
    assert of_type(sim, call_id, "transfer_result") == []


def test_words_queued_behind_a_transfer_reach_the_webhook_after_a_decline(sim):
    sim.route_webhook(HOOK, [{"match": "first", "action": "transfer", "target": AGENT, "delay_ms": 2000},
                             {"reply": "Noted."}])
    sim.transfer_party.script(AGENT, "decline")
    call_id = live_call(sim, assistant(sim))
    line = sim.line(call_id)
    line.say("first thing")
    sim.run(seconds=1)
    line.say("second thing")
    sim.run(seconds=60)
    assert utterances_sent(sim, call_id) == ["first thing", "second thing"]
    assert said(sim, call_id).index(TRANSFER_FAILED_REPLY) < said(sim, call_id).index("Noted.")
