"""Schemathesis against the live server: no 5xx, every response conforms to /openapi.json, and
requests without the key are refused. Bounded: a fixed number of derandomized examples."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from simulator.api import Simulator
from simulator.server.openapi import openapi_document
from simulator.server.thread import ServerThread

schema = schemathesis.openapi.from_dict(openapi_document())
HEADERS = {"Authorization": "Bearer fuzz-key"}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance, checks.ignored_auth]


@pytest.fixture(scope="module")
def fuzz_server():
    with ServerThread(sim=Simulator(seed=9), api_key="fuzz-key", clock="auto") as srv:
        yield srv


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_live_server_conforms_to_its_openapi_document(case, fuzz_server):
    response = case.call(base_url=fuzz_server.root_url, headers=HEADERS)
    case.validate_response(response, checks=CHECKS, headers=HEADERS)
    fuzz_server.raise_errors()
