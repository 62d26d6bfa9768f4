"""Shared helpers of the transfer tests (a uniquely named module: tests/ dirs are not packages)."""

HOOK = "https://hooks.test/transfers"
AGENT = "+15550001111"
NUMBER = "+15551234567"


def assistant(sim, **fields):
    values = {"name": "Alex", "reasoning_mode": "webhook", "webhook_url": HOOK, "transfer_target": AGENT,
              "first_message": "Hello, this is Alex."}
    return sim.create_assistant(**{**values, **fields})["id"]


def of_type(sim, call_id, kind):
    return [e[2] for e in sim.events(call_id) if e[1] == kind]


def kinds(sim, call_id):
    return [e[1] for e in sim.events(call_id)]


def said(sim, call_id):
    return [e[2]["content"] for e in sim.events(call_id) if e[1] == "assistant_speech"]


def utterances_sent(sim, call_id):
    return [x["request"]["utterance"] for x in sim.exchanges(call_id)]
