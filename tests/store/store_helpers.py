"""Shared by the store tests: a small busy platform with webhooks, transfers and failures."""

from __future__ import annotations

from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, expect, hang_up, say

HOOK = "https://hooks.test/store"


def webhook(request: dict) -> dict:
    state = {**request["state"], "turns": request["state"].get("turns", 0) + 1}
    if "agent" in request["utterance"]:
        return {"action": "transfer", "target": "+15550001111", "state": state}
    return {"reply": f"Noted: {request['utterance']}", "state": state}


def busy_simulator(seed: int = 3) -> Simulator:
    sim = Simulator(seed=seed)
    sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=HOOK, first_message="Hello, Alex here.")
    sim.route_webhook(HOOK, webhook)
    return sim


def place_calls(sim: Simulator, count: int) -> list[str]:
    """Start `count` calls of varied shapes (conversation, transfer, busy, carrier error)."""
    assistant_id = next(iter(sim.assistants))
    shapes = [
        ("+15551234567", [expect("Alex"), say("I need to renew my plan"), say("Thanks, bye"), hang_up()]),
        ("+15551234568", [expect("Alex"), say("Put me through to an agent please")]),
        ("+15005550002", []),
        ("+15005550001", []),
    ]
    ids = []
    for n in range(count):
        to, steps = shapes[n % len(shapes)]
        created = sim.start_call(assistant_id, to, "+15559876543", {"customer_id": f"cust_{n}"},
                                 caller=ScriptedCaller(list(steps)))
        ids.append(created["id"])
    return ids
