"""Real servers for the server tests: uvicorn on 127.0.0.1 and a free port, reset before each test."""

from __future__ import annotations

import pytest
from server_helpers import KEY, client_for

from aployee_sim.api import Simulator
from aployee_sim.server.thread import ServerThread


def _server(clock: str, **kwargs):
    with Simulator(seed=3) as served, ServerThread(sim=served, api_key=KEY, clock=clock, **kwargs) as srv:
        yield srv


@pytest.fixture(scope="module")
def auto_server():
    yield from _server("auto")


@pytest.fixture(scope="module")
def manual_server():
    yield from _server("manual")


def _fresh(srv: ServerThread):
    with client_for(srv) as api:
        assert api.post("/_sim/reset").status_code == 200
        yield api
    srv.raise_errors()


@pytest.fixture
def api(auto_server):
    """A client of a freshly reset auto-clock server; the test fails if the server crashed."""
    yield from _fresh(auto_server)


@pytest.fixture
def manual_api(manual_server):
    yield from _fresh(manual_server)


