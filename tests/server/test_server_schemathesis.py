"""Schemathesis against the live server: no 5xx, every response conforms to /openapi.json, and
requests without the key are refused. Valid and invalid inputs alike (a bad request must be a
4xx with the envelope). Bounded: a fixed number of derandomized examples per operation and mode.

Not checked: `negative_data_rejection`, since unknown query parameters are ignored (as unknown
body fields of assistants are, CONTRACT §3) rather than refused.

schemathesis is imported inside the test, not at collection: it is heavy, and every xdist worker
collects every module.
"""

from __future__ import annotations

from aployee_sim.api import Simulator
from aployee_sim.server.openapi import openapi_document
from aployee_sim.server.thread import ServerThread

HEADERS = {"Authorization": "Bearer fuzz-key"}
EXAMPLES = 20


def test_live_server_conforms_to_its_openapi_document():
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode, checks

    selected = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
                checks.response_schema_conformance, checks.response_headers_conformance, checks.ignored_auth]
    schema = schemathesis.openapi.from_dict(openapi_document())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 19
    with ServerThread(sim=Simulator(seed=9), api_key="fuzz-key", clock="auto") as srv:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=operation.as_strategy(generation_mode=mode))
                @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                          suppress_health_check=list(HealthCheck))
                def conforms(case):
                    response = case.call(base_url=srv.root_url, headers=HEADERS)
                    case.validate_response(response, checks=selected, headers=HEADERS)

                conforms()
        srv.raise_errors()
