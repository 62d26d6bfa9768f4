"""The documented example payloads validate against our schemas, and the simulator's own output for the
Calls page walkthrough has exactly their keys (in order) and JSON types."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from aployee_sim import goldens, schemas
from aployee_sim.adapters.store.rebuild import record_at
from aployee_sim.api import Simulator
from aployee_sim.commands.demo import renewal_walkthrough
from aployee_sim.contract.errors import ApiError
from aployee_sim.platform import projections

GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
OPAQUE = {"final_state", "current_state", "initial_state"}  # the integrator's own state: any object


def golden(name: str):
    return goldens.load(name.removesuffix(".json"))


def validator(schema_name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schemas.load(schema_name))


def same_shape(expected, actual, path: str = "$") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        if path.rsplit(".", 1)[-1] in OPAQUE:
            return
        assert list(actual) == list(expected), f"{path}: keys {list(actual)} != documented {list(expected)}"
        for key in expected:
            same_shape(expected[key], actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and actual, f"{path}: expected a non-empty array, got {actual!r}"
        for index, item in enumerate(actual):
            same_shape(expected[0], item, f"{path}[{index}]")
    else:
        assert type(actual) is type(expected), f"{path}: {type(actual).__name__} != documented {type(expected).__name__}"


def test_every_golden_file_is_listed_and_validates():
    assert {p.name.removesuffix(".json") for p in GOLDEN.glob("*.json")} == set(goldens.SCHEMA_OF)
    assert goldens.names() == sorted(goldens.SCHEMA_OF)
    for name, schema_name in goldens.SCHEMA_OF.items():
        validator(schema_name).validate(golden(name))


def test_the_api_reads_the_repository_files_verbatim():
    assert goldens.load("call_details") == json.loads((GOLDEN / "call_details.json").read_text())
    assert schemas.load("call_details") == json.loads((schemas.DEFAULT_DIR / "call_details.json").read_text())


def test_unknown_names_say_what_exists():
    with pytest.raises(KeyError, match="known: .*call_details"):
        goldens.load("call_detail")
    with pytest.raises(KeyError, match="known: .*call_details"):
        schemas.load("call_detail")


def test_schemas_reject_undocumented_fields_and_wrong_types():
    details = golden("call_details.json")
    assert not validator("call_details").is_valid({**details, "failure_reason": "busy"})
    assert not validator("call_details").is_valid({**details, "duration_seconds": "337"})
    assert not validator("live_state").is_valid({**golden("live_state.json"), "status": "active"})


@pytest.fixture(scope="module")
def walkthrough():
    return renewal_walkthrough()


def test_walkthrough_create_and_details_match_the_documented_shapes(walkthrough):
    sim, call_id = walkthrough
    record = sim.record(call_id)
    created = projections.call_created(record, sim.clock)
    same_shape(golden("call_created.json"), created)
    validator("call_created").validate(created)
    details = sim.call_details(call_id)
    same_shape(golden("call_details.json"), details)
    validator("call_details").validate(details)


def test_walkthrough_live_state_while_reasoning_matches_the_documented_shape(walkthrough):
    sim, call_id = walkthrough
    record = sim.record(call_id)
    thinking = next(e.t_ms for e in record.events if e.type == "reasoning_started")
    live = projections.live_state(record_at(record, thinking), sim.clock, thinking)
    assert live["reasoning_status"]["active"] is True
    same_shape(golden("live_state.json"), live)
    validator("live_state").validate(live)


def test_walkthrough_webhook_requests_validate(walkthrough):
    sim, call_id = walkthrough
    exchanges = sim.exchanges(call_id)
    assert exchanges
    for exchange in exchanges:
        validator("webhook_request").validate(exchange["request"])
        validator("webhook_response").validate(exchange["response"])


def test_the_documented_request_is_accepted_and_the_transfer_action_transfers():
    sim = Simulator(seed=3)
    assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url="https://hooks.test/t")
    sim.route_webhook("https://hooks.test/t", lambda request: golden("webhook_response_transfer.json"))
    body = {**golden("create_call_request.json"), "assistant_id": assistant["id"]}
    created = sim.create_call(body)
    same_shape(golden("call_created.json"), created)
    sim.run(seconds=8)
    sim.line(created["id"]).say("Can I talk to someone about my bill?")
    sim.run()
    details = sim.call_details(created["id"])
    assert details["status"] == "transferred"
    transfer = [e for e in sim.timeline(created["id"])["events"] if e["type"] == "transfer_initiated"]
    assert transfer[0]["target"] == "+15551234567" and transfer[0]["trigger"] == "webhook"


def test_the_documented_error_is_exactly_what_the_simulator_returns():
    sim = Simulator()
    with pytest.raises(ApiError) as caught:
        sim.create_call({"to": "+15551234567"})
    assert caught.value.status == 400
    assert caught.value.envelope() == golden("error_envelope.json")
