import pytest

from aployee_sim.api import Simulator


@pytest.fixture
def sim():
    with Simulator(seed=21) as simulator:
        yield simulator
