"""`aployee-sim demo`: one built-in example call (the Calls page renewal walkthrough), printed
as its call record and timeline. Needs no files, no network and no webhook server."""

from __future__ import annotations

import argparse
import json

from aployee_sim.api import Simulator
from aployee_sim.commands.arguments import seed_number
from aployee_sim.fakes.callers import ScriptedCaller, expect, say

WEBHOOK_URL = "https://hooks.example.test/reason"


def renewal_walkthrough(seed: int = 7) -> tuple[Simulator, str]:
    """The Calls page example: Alex from Acme Corp calls a customer about their renewal."""
    sim = Simulator(seed=seed)
    assistant = sim.create_assistant(
        name="Alex", reasoning_mode="webhook", webhook_url=WEBHOOK_URL,
        first_message="Hi, this is Alex from Acme Corp. I'm calling about your subscription renewal.",
        end_call_phrases=["talk soon"],
    )

    def webhook(request: dict) -> dict:
        state = dict(request["state"])
        if "renew" in request["utterance"].lower():
            state.update(outcome="renewal_confirmed", follow_up_date="2024-01-22")
            return {"reply": "Great, your renewal is confirmed. I'll follow up next week. Talk soon!", "state": state}
        return {"reply": "Happy to help. Would you like to renew for another year?", "state": state}

    sim.route_webhook(WEBHOOK_URL, webhook)
    caller = ScriptedCaller([
        expect("renewal"),
        say("Oh hi, I was actually meaning to call you."),
        say("Yes, please renew it."),
    ])
    call = sim.start_call(assistant["id"], "+15551234567", "+15559876543",
                          {"customer_id": "cust_12345", "campaign": "renewal_outreach"}, caller=caller)
    sim.run()
    return sim, call["id"]


def run(args: argparse.Namespace) -> int:
    sim, call_id = renewal_walkthrough(args.seed)
    print("# GET /v1/calls/" + call_id)
    print(json.dumps(sim.call_details(call_id), indent=2))
    print("# GET /v1/calls/" + call_id + "/timeline")
    print(json.dumps(sim.timeline(call_id), indent=2))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="run a built-in example call and print its record and timeline",
                                   description=__doc__)
    parser.add_argument("--seed", type=seed_number, default=7, help="seed of the random source (default 7)")
    parser.set_defaults(run=run)
