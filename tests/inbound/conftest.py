import pytest
from inbound_helpers import office_simulator


@pytest.fixture
def sim():
    with office_simulator() as simulator:
        yield simulator
