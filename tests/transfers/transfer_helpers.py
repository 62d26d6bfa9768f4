"""Shared helpers of the transfer tests (a uniquely named module: tests/ dirs are not packages)."""

from aployee_sim.contract.events import to_json

HOOK = "https://hooks.test/transfers"
AGENT = "+15550001111"
NUMBER = "+15551234567"


def assistant(sim, **fields):
    values = {"name": "Alex", "reasoning_mode": "webhook", "webhook_url": HOOK, "transfer_target": AGENT,
              "first_message": "Hello, this is Alex."}
    return sim.create_assistant(**{**values, **fields})["id"]


def of_type(sim, call_id, kind):
    return [to_json(e) for e in sim.events(call_id) if e.type == kind]


def kinds(sim, call_id):
    return [e.type for e in sim.events(call_id)]


def said(sim, call_id):
    return [e.content for e in sim.events(call_id) if e.type == "assistant_speech"]


def utterances_sent(sim, call_id):
    return [x["request"]["utterance"] for x in sim.exchanges(call_id)]
