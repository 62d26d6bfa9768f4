"""The shipped Hypothesis strategies generate only values the JSON Schemas and the lifecycle table allow."""

from __future__ import annotations

import json
from itertools import pairwise

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from aployee_sim.contract.lifecycle import INITIATED, TERMINAL, TRANSITIONS
from aployee_sim.contract.models import WebhookRequest
from aployee_sim.core.record import CallRecord
from aployee_sim.schemas import DEFAULT_DIR
from aployee_sim.strategies import call_details, call_records, status_changes, status_paths, webhook_requests

FAST = settings(max_examples=60, deadline=None)


def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((DEFAULT_DIR / f"{name}.json").read_text()))


DETAILS = schema_validator("call_details")
WEBHOOK = schema_validator("webhook_request")


@FAST
@given(webhook_requests())
def test_webhook_requests_validate(request):
    WEBHOOK.validate(request)
    WebhookRequest.model_validate(request)
    assert request["context"][-1] == {"role": "user", "content": request["utterance"]}


@FAST
@given(st.none() | st.booleans(), st.data())
def test_status_paths_follow_the_table(finished, data):
    path = data.draw(status_paths(finished=finished))
    assert path[0] == INITIATED
    assert all(b in TRANSITIONS[a] for a, b in pairwise(path))
    assert all(status not in TERMINAL for status in path[:-1])
    if finished is True:
        assert path[-1] in TERMINAL
    if finished is False:
        assert path[-1] not in TERMINAL


@FAST
@given(status_changes())
def test_status_changes_replay_on_a_record(changes):
    record = CallRecord("call_x", "asst_x", "+15551234567", None, 0, None)
    for change in changes:
        assert record.status == change["from"]
        record.change_status(0, change["to"])  # raises IllegalTransition on a forbidden order


@FAST
@given(call_details())
def test_call_details_validate_and_agree_with_the_lifecycle(details):
    DETAILS.validate(details)
    terminal = details["status"] in TERMINAL
    assert (details["ended_at"] is not None) == terminal
    assert (details["summary"] is not None) == terminal and (details["final_state"] is not None) == terminal
    assert (details["duration_seconds"] is not None) == terminal
    if details["status"] == "in_progress":
        assert details["started_at"] is not None
    if details["status"] in ("initiated", "ringing"):
        assert details["started_at"] is None and details["transcript"] == []
    if details["started_at"] is None:
        assert details["transcript"] == []
    if terminal and details["started_at"] is not None:
        assert details["started_at"] <= details["ended_at"]
        assert details["duration_seconds"] >= 0


@FAST
@given(call_records(finished=True))
def test_finished_records_end_with_a_reason(record):
    assert record.status in TERMINAL and record.end_reason and record.events[-1].type == "call_ended"
