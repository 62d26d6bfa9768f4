import pytest

from aployee_sim.api import Simulator

HOOK = "https://hooks.test/reason"


@pytest.fixture
def sim():
    with Simulator(seed=11) as simulator:
        yield simulator


@pytest.fixture
def webhook_assistant(sim):
    return sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=HOOK,
                                first_message="Hello, this is Alex.")


def kinds(sim, call_id):
    return [e.type for e in sim.events(call_id)]


def reason(sim, call_id):
    return sim.record(call_id).end_reason
