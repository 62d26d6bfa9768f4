"""IVR menus on the virtual clock: each branch by key and by voice, invalid input, timeouts, nesting."""

import pytest
from inbound_helpers import MENUS, NUMBER, OPERATOR, assistant_id, dial, of_type, office_simulator

from aployee_sim.fakes.callers import expect, press, say, wait
from aployee_sim.platform.inbound import GOODBYE

PROMPT = MENUS["main"]["prompt"]
HOOK = "https://hooks.test/sales"


def ivr(sim, **main_settings):
    menus = {**MENUS, "main": {**MENUS["main"], **main_settings}}
    sim.directory.update({"menus": menus, "routing": {"always": {"rules": [{"menu": "main"}]}},
                          "phone_numbers": [{"number": NUMBER, "assistant": "Front desk", "routing": "always"}]})


def prompts(sim, call_id):
    return [(p["menu"], p["attempt"], p["content"]) for p in of_type(sim, call_id, "platform_prompt")]


def said(sim, call_id):
    return [e["content"] for e in of_type(sim, call_id, "assistant_speech")]


def choices(sim, call_id):
    return [(c["menu"], c["by"], c["option"]) for c in of_type(sim, call_id, "ivr_choice")]


@pytest.mark.parametrize("steps, by", [
    ([press("1")], "digits"),
    ([say("I want to buy something")], "speech"),
    ([say("one")], "speech"),
])
def test_sales_by_key_or_by_voice(sim, steps, by):
    ivr(sim)
    call_id, _ = dial(sim, steps)
    sales = assistant_id(sim, "Sales")
    assert choices(sim, call_id) == [("main", by, 0)]
    assert of_type(sim, call_id, "routed") == [{"assistant_id": sales}]
    assert sim.record(call_id).assistant_id == sales
    assert said(sim, call_id)[1] == "Sales speaking."
    assert sim.list_calls(assistant_id=sales)["total"] == 1
    assert sim.list_calls(assistant_id=assistant_id(sim, "Front desk"))["total"] == 0


@pytest.mark.parametrize("steps", [
    [press("2"), expect("billing"), press("1")],
    [say("support"), say("billing please")],
    [say("two"), press("1")],
])
def test_a_nested_menu_leads_to_billing(sim, steps):
    ivr(sim)
    call_id, _ = dial(sim, steps)
    assert [p[0] for p in prompts(sim, call_id)] == ["main", "support"]
    assert [c[0::2] for c in choices(sim, call_id)] == [("main", 1), ("support", 0)]
    assert sim.record(call_id).assistant_id == assistant_id(sim, "Billing")


def test_going_back_up_to_the_main_menu(sim):
    ivr(sim)
    call_id, _ = dial(sim, [press("2"), expect("go back"), say("back"), expect("For sales"), press("1")])
    assert [p[0] for p in prompts(sim, call_id)] == ["main", "support", "main"]
    assert sim.record(call_id).assistant_id == assistant_id(sim, "Sales")


@pytest.mark.parametrize("steps", [[press("0")], [say("operator please")]])
def test_the_operator_option_forwards_the_call(sim, steps):
    ivr(sim)
    call_id, _ = dial(sim, steps)
    assert of_type(sim, call_id, "transfer_initiated") == [{"target": OPERATOR, "trigger": "routing", "warm": False}]
    assert sim.call_details(call_id)["status"] == "transferred"


@pytest.mark.parametrize("steps, apology", [
    ([press("7"), expect("not one of the options"), press("1")], "Sorry, that is not one of the options."),
    ([say("pizza"), say("sales")], "Sorry, that is not one of the options."),
])
def test_invalid_input_repeats_the_prompt_then_a_valid_choice_works(sim, steps, apology):
    ivr(sim)
    call_id, _ = dial(sim, steps)
    assert prompts(sim, call_id) == [("main", 1, PROMPT), ("main", 2, f"{apology} {PROMPT}")]
    assert [c[2] for c in choices(sim, call_id)] == [None, 0]
    assert sim.record(call_id).assistant_id == assistant_id(sim, "Sales")


def test_silence_times_out_repeats_and_then_the_platform_hangs_up(sim):
    ivr(sim)  # attempts 2, timeout 4 s
    call_id, _ = dial(sim, [])
    assert [p[1:] for p in prompts(sim, call_id)] == [
        (1, PROMPT), (2, f"Sorry, I didn't get your choice. {PROMPT}"), (2, GOODBYE)]
    assert [c[1] for c in choices(sim, call_id)] == ["timeout", "timeout"]
    speech = [e for e in sim.events(call_id) if e.type == "platform_prompt"]
    timeout_at = next(e.t_ms for e in sim.events(call_id) if e.type == "ivr_choice")
    assert timeout_at - speech[0].t_ms == speech[0].duration_ms + 4000
    record = sim.record(call_id)
    assert (record.status, record.end_reason) == ("completed", "ivr_failed")
    assert record.assistant_id == assistant_id(sim, "Front desk")


def test_on_failure_sends_the_caller_somewhere_instead_of_hanging_up(sim):
    ivr(sim, attempts=1, on_failure={"assistant": "Front desk"})
    call_id, _ = dial(sim, [press("5")])
    assert len(prompts(sim, call_id)) == 1
    assert said(sim, call_id)[1] == "Front desk speaking."


def test_a_key_interrupts_the_prompt(sim):
    ivr(sim)
    call_id, _ = dial(sim, [wait(1000), press("1")])
    prompt_at = next(e.t_ms for e in sim.events(call_id) if e.type == "platform_prompt")
    greeting_at = [e.t_ms for e in sim.events(call_id) if e.type == "assistant_speech"][1]
    assert greeting_at - prompt_at == 1000


def test_a_timeout_while_the_caller_is_mid_sentence_waits_for_the_words(sim):
    ivr(sim)
    call_id, _ = dial(sim, [say("well I think I would like to talk to sales about a purchase", pause_ms=3500)])
    assert [c[1:] for c in choices(sim, call_id)] == [("speech", 0)]


def test_the_prompt_is_assistant_speech_on_the_public_timeline_and_in_the_transcript(sim):
    ivr(sim)
    call_id, _ = dial(sim, [press("1")])
    events = sim.timeline(call_id)["events"]
    prompt = next(e for e in events if e["type"] == "assistant_speech")
    assert prompt["content"] == PROMPT and prompt["source"] == "ivr" and prompt["duration_ms"] > 0
    assert {e["type"] for e in events} <= {"call_started", "assistant_speech", "call_ended", "silence_detected",
                                            "user_speech"}
    assert sim.transcript(call_id)["transcript"][0]["content"] == PROMPT


def test_menu_speech_is_context_for_the_webhook_but_never_sent_as_an_utterance(sim):
    sim.update_assistant(assistant_id(sim, "Sales"), {"reasoning_mode": "webhook", "webhook_url": HOOK})
    sim.route_webhook(HOOK, lambda request: {"reply": "It is ten dollars.", "state": request["state"]})
    ivr(sim)
    call_id, _ = dial(sim, [say("sales"), expect("Sales speaking"), say("what is the price")])
    exchanges = sim.exchanges(call_id)
    assert [x["request"]["utterance"] for x in exchanges] == ["what is the price"]
    assert [line["content"] for line in exchanges[0]["request"]["context"]] == [
        PROMPT, "sales", "Sales speaking.", "what is the price"]
    assert exchanges[0]["request"]["assistant_id"] == assistant_id(sim, "Sales")


def test_deleting_an_assistant_mid_menu_does_not_break_the_call(sim):
    ivr(sim)
    call_id = sim.place_inbound("+15559870000", NUMBER, caller=None)["id"]
    sim.run(seconds=3)
    sim.delete_assistant(assistant_id(sim, "Sales"))
    sim.line(call_id).press("1")
    sim.run(seconds=5)
    assert said(sim, call_id)[-1] == "Sales speaking."


def test_the_same_seed_replays_an_ivr_call_identically():
    def run_once():
        with office_simulator() as sim:
            ivr(sim)
            call_id, _ = dial(sim, [say("pizza"), press("2"), say("billing"), say("thanks")])
            return call_id, sim.events(call_id)

    first, second = run_once(), run_once()
    assert first == second and any(e.type == "ivr_choice" for e in first[1])
