"""Control-plane extras beyond the docs/contract.md §6 table: a call's full event log and forced carrier outcomes."""

from server_helpers import assert_error, make_assistant, make_call


def test_events_route_shows_simulator_only_events(manual_api):
    assistant = make_assistant(manual_api)
    call = make_call(manual_api, assistant["id"])
    manual_api.post("/_sim/clock/advance", json={"seconds": 10})
    body = manual_api.get(f"/_sim/calls/{call['id']}/events").json()
    assert body["call_id"] == call["id"]
    types = [e["type"] for e in body["events"]]
    assert types[:2] == ["status_changed", "hold_music"] and "call_started" in types
    assert body["events"][0] == {"type": "status_changed", "timestamp": body["events"][0]["timestamp"],
                                 "from": "initiated", "to": "ringing"}
    assert_error(manual_api.get("/_sim/calls/call_nope/events"), 404, "not_found")


def test_forced_carrier_outcome_applies_to_later_calls_and_can_be_lifted(manual_api):
    assistant = make_assistant(manual_api)
    forced = manual_api.post("/_sim/carrier", json={"number": "+15551112222", "outcome": "busy"})
    assert forced.status_code == 200
    assert forced.json() == {"forced": {"+15551112222": {"outcome": "busy", "ring_seconds": None}}}
    call = make_call(manual_api, assistant["id"], to="+15551112222")
    manual_api.post("/_sim/clock/advance", json={"seconds": 5})
    assert manual_api.get(f"/v1/calls/{call['id']}").json()["status"] == "failed"
    lifted = manual_api.post("/_sim/carrier", json={"number": "+15551112222", "outcome": "default"})
    assert lifted.json() == {"forced": {}}
    again = make_call(manual_api, assistant["id"], to="+15551112222")
    manual_api.post("/_sim/clock/advance", json={"seconds": 10})
    assert manual_api.get(f"/v1/calls/{again['id']}").json()["status"] == "in_progress"


def test_forced_carrier_errors_name_the_field(manual_api):
    assert_error(manual_api.post("/_sim/carrier", json={"number": "555", "outcome": "busy"}), 400,
                 "invalid_request", "number")
    assert_error(manual_api.post("/_sim/carrier", json={"number": "+15551112222", "outcome": "explode"}), 400,
                 "invalid_request", "outcome")
    assert_error(manual_api.post("/_sim/carrier", json={"number": "+15551112222", "outcome": "answer",
                                                        "ring_seconds": -1}), 400, "invalid_request", "ring_seconds")


def test_say_carries_an_optional_asr_confidence(manual_api):
    assistant = make_assistant(manual_api)
    call = make_call(manual_api, assistant["id"], to="+15005550006")
    manual_api.post("/_sim/clock/advance", json={"seconds": 5})
    said = manual_api.post(f"/_sim/calls/{call['id']}/say", json={"text": "hello there", "confidence": 0.42})
    assert said.status_code == 200, said.text
    manual_api.post("/_sim/clock/advance", json={"seconds": 2})
    lines = manual_api.get(f"/v1/calls/{call['id']}/transcript").json()["transcript"]
    assert [(t["content"], t["confidence"]) for t in lines if t["role"] == "user"] == [("hello there", 0.42)]
    assert_error(manual_api.post(f"/_sim/calls/{call['id']}/say", json={"text": "x", "confidence": 2}), 400,
                 "invalid_request", "confidence")
