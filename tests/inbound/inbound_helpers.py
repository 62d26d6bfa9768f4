"""Shared helpers of the inbound tests (a uniquely named module: tests/ dirs are not packages)."""

from aployee_sim.api import Simulator
from aployee_sim.contract.events import to_json
from aployee_sim.fakes.callers import ScriptedCaller

NUMBER = "+15550100"
CALLER = "+15559870000"
OPERATOR = "+15550199"

# Friday 8 March 2024: New York is on EST (UTC-5); DST starts Sunday 10 March 02:00 (then UTC-4).
FRIDAY_BEFORE_DST = "2024-03-08T12:00:00Z"

MENUS = {
    "main": {
        "prompt": "For sales press 1 or say sales. For support press 2. For the operator press 0.",
        "options": [
            {"digit": "1", "words": ["sales", "buy"], "assistant": "Sales"},
            {"digit": "2", "words": ["support"], "menu": "support"},
            {"digit": "0", "words": ["operator"], "forward": OPERATOR},
        ],
        "attempts": 2,
        "timeout_seconds": 4,
    },
    "support": {
        "prompt": "Press 1 for billing, or 9 to go back.",
        "options": [
            {"digit": "1", "words": ["billing"], "assistant": "Billing"},
            {"digit": "9", "words": ["back"], "menu": "main"},
        ],
    },
}


def office_simulator():
    """Four inbound-only assistants on a Friday before the DST change (tests close it)."""
    simulator = Simulator(seed=5, start=FRIDAY_BEFORE_DST)
    for name in ("Front desk", "Sales", "Billing", "Night desk"):
        simulator.create_assistant(name=name, first_message=f"{name} speaking.", telephony="inbound")
    return simulator


def assistant_id(sim, name):
    return next(a.id for a in sim.assistants.values() if a.name == name)


def kinds(sim, call_id):
    return [e.type for e in sim.events(call_id)]


def of_type(sim, call_id, kind):
    return [to_json(e) for e in sim.events(call_id) if e.type == kind]


def dial(sim, steps, *, at=None, to=NUMBER):
    caller = ScriptedCaller(steps)
    call = sim.place_inbound(CALLER, to, caller=caller, at=at)
    sim.run(seconds=300)  # bounded: an ended call's idle timers would otherwise move the clock on
    return call["id"], caller
