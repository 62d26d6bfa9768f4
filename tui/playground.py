"""The playground: an in-process simulator with two assistants and one finished call.

`aployee-sim tui` without --db or --url opens it, so there is something to inspect and
someone to role-play with, with no files, no server and no network. Alex reasons through an
in-process webhook (so the webhooks tab has exchanges); Sam uses the built-in brain.
"""

from __future__ import annotations

from typing import Any

from aployee_sim.api import Simulator
from aployee_sim.core.timings import Timings
from aployee_sim.fakes.callers import ScriptedCaller, expect, say

ALEX_WEBHOOK = "https://hooks.playground.test/renewals"
SUPPORT_NUMBER = "+15550100200"


def renewal_desk(request: dict[str, Any]) -> dict[str, Any]:
    """Alex's webhook: records what the caller decides about their renewal."""
    state = dict(request["state"])
    words = request["utterance"].lower()
    state["turns"] = state.get("turns", 0) + 1
    if "cancel" in words:
        state["outcome"] = "cancelled"
        return {"reply": "Understood, I've cancelled the renewal. Thanks, talk soon!", "state": state}
    if "renew" in words or "yes" in words:
        state.update(outcome="renewal_confirmed", follow_up_date="2024-01-22")
        return {"reply": "Great, your renewal is confirmed. I'll follow up next week. Talk soon!", "state": state}
    if "price" in words or "cost" in words:
        state["asked_price"] = True
        return {"reply": "It's forty dollars a month, same as this year. Shall I renew it?", "state": state}
    return {"reply": "Happy to help. Would you like to renew for another year?", "state": state}


def playground(seed: int = 7, silence_timeout_s: float = 60.0) -> Simulator:
    timeout_ms = round(silence_timeout_s * 1000)
    # A person typing needs longer than one talking: "are you still there?" after a third of the timeout.
    timings = Timings().with_overrides({"silence_timeout_ms": timeout_ms, "silence_detect_ms": timeout_ms // 3})
    sim = Simulator(seed=seed, timings=timings)
    alex = sim.create_assistant(
        name="Alex", reasoning_mode="webhook", webhook_url=ALEX_WEBHOOK, end_call_phrases=["talk soon"],
        first_message="Hi, this is Alex from Acme Corp. I'm calling about your subscription renewal.")
    sim.route_webhook(ALEX_WEBHOOK, renewal_desk)
    sim.create_assistant(
        name="Sam", first_message="Thanks for calling Acme support, this is Sam. How can I help?",
        end_call_phrases=["goodbye"], transfer_target="+15550001111",
        intents=[{"keywords": ["order", "package"], "update": {"intent": "order_status"},
                  "reply": "Your order shipped yesterday and arrives on Friday."},
                 {"keywords": ["refund"], "update": {"intent": "refund"},
                  "reply": "I've started a refund; you'll get an email today."},
                 {"keywords": ["bye", "thanks"], "reply": "You're welcome, goodbye!"}],
        fallback_reply="Could you tell me a bit more?")
    sim.directory.update({  # an inbound number with an IVR menu, to role-play a caller pressing keys
        "menus": {"front_desk": {"prompt": "Thanks for calling Acme. Press 1 for support, or 2 for renewals.",
                                 "options": [{"digit": "1", "words": ["support"], "assistant": "Sam"},
                                             {"digit": "2", "words": ["renewals"], "assistant": "Alex"}]}},
        "routing": {"front": {"timezone": "UTC", "rules": [], "default": {"menu": "front_desk"}}},
        "phone_numbers": [{"number": SUPPORT_NUMBER, "routing": "front", "assistant": "Sam"}],
    })
    caller = ScriptedCaller([expect("renewal"), say("Oh hi, I was actually meaning to call you."),
                             say("Yes, please renew it.")])
    sim.start_call(alex["id"], "+15551234567", "+15559876543",
                   {"customer_id": "cust_12345", "campaign": "renewal_outreach"}, caller=caller)
    sim.run()
    return sim
