"""The Calls page walkthrough yields exactly the documented keys and types (docs/contract.md §2, §4)."""

from aployee_sim.commands.demo import renewal_walkthrough

CREATE_KEYS = ["id", "assistant_id", "status", "to", "from", "created_at"]
DETAILS_KEYS = ["id", "assistant_id", "status", "to", "from", "created_at", "started_at", "ended_at",
                "duration_seconds", "transcript", "summary", "final_state"]
LIVE_KEYS = ["call_id", "status", "duration_seconds", "transcript", "current_state", "reasoning_status"]
WEBHOOK_KEYS = ["call_id", "assistant_id", "utterance", "state", "context", "timestamp"]


def test_walkthrough_resources_have_exactly_the_documented_shapes():
    sim, call_id = renewal_walkthrough()
    details = sim.call_details(call_id)
    assert list(details) == DETAILS_KEYS
    assert details["status"] == "completed" and isinstance(details["duration_seconds"], int)
    assert details["id"].startswith("call_") and details["assistant_id"].startswith("asst_")
    assert all(list(line) == ["role", "content"] for line in details["transcript"])
    assert details["final_state"] == {"customer_id": "cust_12345", "campaign": "renewal_outreach",
                                      "outcome": "renewal_confirmed", "follow_up_date": "2024-01-22"}
    for stamp in ("created_at", "started_at", "ended_at"):
        assert details[stamp].endswith("Z") and len(details[stamp]) == 20
    live = sim.live_state(call_id)
    assert list(live) == LIVE_KEYS
    assert all(list(line) == ["role", "content", "timestamp"] for line in live["transcript"])
    assert list(live["reasoning_status"]) == ["active", "started_at"]
    for exchange in sim.exchanges(call_id):
        assert list(exchange["request"]) == WEBHOOK_KEYS
        assert all(list(line) == ["role", "content"] for line in exchange["request"]["context"])


def test_create_response_has_exactly_the_documented_keys():
    sim, _ = renewal_walkthrough()
    created = sim.start_call(next(iter(sim.assistants)), "+15551234567", "+15559876543",
                             {"customer_id": "cust_12345"})
    assert list(created) == CREATE_KEYS and created["status"] == "initiated"
    assert created["created_at"] == sim.clock.iso_seconds(sim.now_ms)


def test_duration_is_the_difference_of_the_displayed_timestamps():
    sim, call_id = renewal_walkthrough()
    record = sim.record(call_id)
    record.started_ms, record.ended_ms = 5_900, 342_100  # 10:30:05.9 and 10:35:42.1
    assert sim.call_details(call_id)["duration_seconds"] == 337
