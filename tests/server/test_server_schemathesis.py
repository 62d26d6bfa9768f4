"""Schemathesis against the live server: no 5xx, every response conforms to /openapi.json, and
requests without the key are refused. Valid and invalid inputs alike (a bad request must be a
4xx with the envelope). Bounded: a fixed number of derandomized examples per operation and mode.
The server holds the Calls page's assistant (`asst_xyz789`, the document's example), so the
fuzzing really creates calls: the test asserts 201s on `POST /v1/calls` and calls that went live.
Only the production operations (tag `v1`) are fuzzed; `/_sim` is described under its own tag.

Not checked: `negative_data_rejection`, since unknown query parameters are ignored (as unknown
body fields of assistants are, docs/contract.md §3) rather than refused.

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
    document = openapi_document()
    schema = schemathesis.openapi.from_dict(document)
    every = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in every if op.path.startswith("/v1")]
    assert len(operations) == 19 and len(every) - len(operations) == 13
    assert all(op["tags"] == ["simulator"] for path, ops in document["paths"].items() if path.startswith("/_sim")
               for op in ops.values())
    created: list[int] = []
    world = {"assistants": [{"id": "asst_xyz789", "name": "Alex", "first_message": "Hi, this is Alex."}]}
    with Simulator(seed=9) as served, ServerThread(sim=served, api_key="fuzz-key", clock="auto", config=world) as srv:
        for operation in operations:
            strategies = [operation.as_strategy(generation_mode=mode)
                          for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
            strategies += operation.get_strategies_from_examples()
            for strategy in strategies:

                @given(case=strategy)
                @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                          suppress_health_check=list(HealthCheck))
                def conforms(case):
                    response = case.call(base_url=srv.root_url, headers=HEADERS)
                    case.validate_response(response, checks=selected, headers=HEADERS)
                    if case.path == "/v1/calls" and case.method.upper() == "POST":
                        created.append(response.status_code)

                conforms()
        srv.raise_errors()
        with srv.driver.lock:
            records = [process.record for process in srv.sim.calls.values()]
    assert 201 in created, created
    assert records and any(r.started_ms is not None for r in records)     # a created call reached live state
