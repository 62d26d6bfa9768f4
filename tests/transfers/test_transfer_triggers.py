"""The three transfer triggers (webhook, escalation rules, the caller asking) and warm vs cold hand-offs."""

import pytest
from transfer_helpers import AGENT, HOOK, NUMBER, assistant, kinds, of_type, said, utterances_sent

from aployee_sim.api import Simulator
from aployee_sim.core.transfers import TRANSFER_ANNOUNCEMENT
from aployee_sim.fakes.callers import ScriptedCaller, say


def call(sim, asst, *steps, state=None):
    created = sim.start_call(asst, NUMBER, initial_state=state, caller=ScriptedCaller(list(steps)))
    sim.run(seconds=600)
    return created["id"]


def test_a_webhook_transfer_says_its_reply_then_holds_and_hands_over_warm(sim):
    sim.route_webhook(HOOK, [{"reply": "One moment, connecting you.", "update": {"intent": "human"},
                              "action": "transfer", "target": "+15557654321"}])
    call_id = call(sim, assistant(sim), say("I need help with my bill"), state={"customer": 7})
    transfer = of_type(sim, call_id, "transfer_initiated")[0]
    assert (transfer["target"], transfer["trigger"], transfer["warm"]) == ("+15557654321", "webhook", True)
    assert transfer["context"]["state"] == {"customer": 7, "intent": "human"}
    assert transfer["context"]["summary"].startswith(f"Outbound call to {NUMBER} is in progress after 1 caller turn")
    assert sim.transfer_party.received == [("+15557654321", transfer["context"])]
    order = [k for k in kinds(sim, call_id) if k in ("transfer_initiated", "assistant_speech", "hold_music",
                                                     "transfer_result", "call_ended")]
    assert order[-5:] == ["transfer_initiated", "assistant_speech", "hold_music", "transfer_result", "call_ended"]
    assert said(sim, call_id)[-1] == "One moment, connecting you."
    assert sim.call_details(call_id)["status"] == "transferred"
    assert of_type(sim, call_id, "hold_music")[-1]["during"] == "transfer"


def test_a_webhook_transfer_without_a_reply_is_announced_by_the_agent(sim):
    sim.route_webhook(HOOK, [{"action": "transfer", "target": AGENT}])
    call_id = call(sim, assistant(sim), say("hi"))
    assert said(sim, call_id)[-1] == TRANSFER_ANNOUNCEMENT
    assert sim.call_details(call_id)["status"] == "transferred"


def test_a_cold_transfer_gives_the_receiving_party_nothing(sim):
    sim.route_webhook(HOOK, [{"action": "transfer", "target": AGENT}])
    call_id = call(sim, assistant(sim, warm_transfer=False), say("hi"), state={"secret": 1})
    assert of_type(sim, call_id, "transfer_initiated") == [{"target": AGENT, "trigger": "webhook", "warm": False}]
    assert sim.transfer_party.received == [(AGENT, {})]
    assert sim.call_details(call_id)["status"] == "transferred"


def test_an_escalation_phrase_transfers_before_the_webhook_hears_it(sim):
    sim.route_webhook(HOOK, [{"reply": "Sure."}])
    asst = assistant(sim, escalation=[{"phrases": ["Cancel my account"], "target": "+15550002222"}])
    call_id = call(sim, asst, say("hello"), say("I want to cancel my account now"))
    transfer = of_type(sim, call_id, "transfer_initiated")[0]
    assert (transfer["target"], transfer["trigger"]) == ("+15550002222", "escalation_rule")
    assert utterances_sent(sim, call_id) == ["hello"]


@pytest.mark.parametrize("words, transferred", [("my lawyer will call", True), ("Lawyer!", True),
                                                ("the lawyers said", False)])
def test_an_escalation_keyword_must_be_a_whole_word(sim, words, transferred):
    sim.route_webhook(HOOK, [{"reply": "Sure."}])
    call_id = call(sim, assistant(sim, escalation=[{"keywords": ["lawyer"]}]), say(words))
    assert bool(of_type(sim, call_id, "transfer_initiated")) == transferred
    if transferred:
        assert of_type(sim, call_id, "transfer_initiated")[0]["target"] == AGENT  # the assistant's target


def test_n_failed_webhooks_in_a_row_escalate(sim):
    sim.route_webhook(HOOK, [{"match": "fine", "reply": "Good."}, {"fail": "http_500"}])
    asst = assistant(sim, escalation=[{"webhook_failures": 2, "target": "+15550003333"}])
    broken = call(sim, asst, say("one"), say("two"))
    transfer = of_type(sim, broken, "transfer_initiated")
    assert [(t["target"], t["trigger"]) for t in transfer] == [("+15550003333", "escalation_rule")]
    interrupted = call(sim, asst, say("one"), say("fine"), say("three"))  # a success restarts the count
    assert of_type(sim, interrupted, "transfer_initiated") == []


@pytest.mark.parametrize("words", ["Can I speak to a person?", "REAL AGENT please", "transfer me to a human",
                                   "let me talk to an operator"])
def test_the_caller_asking_for_a_person_transfers_to_the_assistants_target(sim, words):
    sim.route_webhook(HOOK, [{"reply": "Sure."}])
    call_id = call(sim, assistant(sim), say(words))
    assert [(t["target"], t["trigger"]) for t in of_type(sim, call_id, "transfer_initiated")] == [
        (AGENT, "user_request")]
    assert utterances_sent(sim, call_id) == []


def test_the_request_phrases_are_configurable():
    with Simulator(seed=2, transfer_phrases=["Get me a manager"]) as sim:
        sim.route_webhook(HOOK, [{"reply": "Sure."}])
        asst = assistant(sim)
        plain = call(sim, asst, say("transfer me to a human"))
        assert of_type(sim, plain, "transfer_initiated") == []
        sim.reset()
        asst = assistant(sim)
        custom = call(sim, asst, say("get me a manager now"))
        assert of_type(sim, custom, "transfer_initiated")[0]["trigger"] == "user_request"


@pytest.mark.parametrize("words", ["I'm a cooperator", "speak to a personal trainer"])
def test_request_phrases_match_whole_words_only(sim, words):
    sim.route_webhook(HOOK, [{"reply": "Sure."}])
    call_id = call(sim, assistant(sim), say(words))
    assert of_type(sim, call_id, "transfer_initiated") == [] and utterances_sent(sim, call_id) == [words]
