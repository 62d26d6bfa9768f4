"""Inbound calls end to end on the virtual clock: records, routing by local time across DST, forwards, errors."""

import pytest
from inbound_helpers import CALLER, MENUS, NUMBER, OPERATOR, assistant_id, dial, kinds, of_type

from aployee_sim.contract.errors import ApiError
from aployee_sim.fakes.callers import ScriptedCaller, expect, hang_up, say


def office(sim, rules=None, default=None):
    sim.directory.update({
        "menus": MENUS,
        "routing": {"office": {
            "timezone": "America/New_York",
            "rules": rules if rules is not None else [{"days": "mon-fri", "from": "09:00", "to": "17:00", "menu": "main"}],
            "default": default or {"assistant": "Night desk"}}},
        "phone_numbers": [{"number": NUMBER, "assistant": "Front desk", "routing": "office"}],
    })


def test_a_number_assigned_to_an_assistant_creates_an_inbound_record_like_an_outbound_one(sim):
    sim.directory.add_number(NUMBER, assistant="Front desk")
    created = sim.place_inbound(CALLER, NUMBER, caller=ScriptedCaller([expect("speaking"), say("hi"), hang_up()]))
    assert set(created) == {"id", "assistant_id", "status", "to", "from", "created_at"}
    assert (created["status"], created["to"], created["from"]) == ("initiated", NUMBER, CALLER)
    assert created["assistant_id"] == assistant_id(sim, "Front desk")
    sim.run()
    details = sim.call_details(created["id"])
    assert details["status"] == "completed" and details["transcript"][0]["content"] == "Front desk speaking."
    statuses = [e["to"] for e in of_type(sim, created["id"], "status_changed")]
    assert statuses == ["ringing", "in_progress", "completed"]
    assert "hold_music" not in kinds(sim, created["id"])  # the caller hears ringback, not music
    assert sim.record(created["id"]).direction == "inbound"
    assert details["summary"].startswith(f"Inbound call to {NUMBER} completed")
    assert sim.list_calls(assistant_id=created["assistant_id"])["total"] == 1


def test_an_unprovisioned_number_is_rejected_by_the_carrier_and_no_call_exists(sim):
    with pytest.raises(ApiError) as caught:
        sim.place_inbound(CALLER, "+15550999")
    assert (caught.value.status, caught.value.details) == (404, {"field": "to"})
    assert "not in service" in caught.value.message and sim.calls == {}


@pytest.mark.parametrize("from_, to, field", [("555-1234", NUMBER, "from"), (CALLER, "tel:+15550100", "to"),
                                              (None, NUMBER, "from")])
def test_malformed_numbers_are_bad_requests(sim, from_, to, field):
    sim.directory.add_number(NUMBER, assistant="Front desk")
    with pytest.raises(ApiError) as caught:
        sim.place_inbound(from_, to)
    assert (caught.value.status, caught.value.details) == (400, {"field": field})


def test_telephony_direction_is_enforced_both_ways(sim):
    outbound_only = sim.create_assistant(name="Dialer", telephony="outbound")
    sim.directory.add_number(NUMBER, assistant=outbound_only["id"])
    with pytest.raises(ApiError, match="outbound calls only") as caught:
        sim.place_inbound(CALLER, NUMBER)
    assert caught.value.details == {"field": "to"} and sim.calls == {}
    with pytest.raises(ApiError, match="inbound calls only") as caught:
        sim.start_call(assistant_id(sim, "Front desk"), "+15551234567")
    assert caught.value.details == {"field": "assistant_id"}
    both = sim.create_assistant(name="Both")
    sim.directory.add_number("+15550101", assistant=both["id"])
    sim.place_inbound(CALLER, "+15550101")
    sim.start_call(both["id"], "+15551234567")


def test_an_outbound_only_assistant_anywhere_in_the_menus_is_refused_up_front(sim):
    sim.create_assistant(name="Sales", telephony="outbound")  # a second "Sales": ambiguous and outbound
    office(sim)
    with pytest.raises(ApiError, match="two assistants have that name"):
        sim.place_inbound(CALLER, NUMBER)


def test_an_unknown_assistant_name_is_a_clear_error(sim):
    sim.directory.add_number(NUMBER, assistant="Nobody")
    with pytest.raises(ApiError, match="routes to assistant 'Nobody', which cannot be found"):
        sim.place_inbound(CALLER, NUMBER)


@pytest.mark.parametrize("at, local, destination", [
    ("2024-03-08T13:30:00Z", "Fri 08:30 EST", {"assistant": "Night desk"}),
    ("2024-03-08T14:30:00Z", "Fri 09:30 EST", {"menu": "main"}),
    ("2024-03-08T21:30:00Z", "Fri 16:30 EST", {"menu": "main"}),
    ("2024-03-08T22:30:00Z", "Fri 17:30 EST", {"assistant": "Night desk"}),
    ("2024-03-09T15:00:00Z", "Sat 10:00 EST", {"assistant": "Night desk"}),
    # After the DST change the same UTC times read an hour later on the wall.
    ("2024-03-11T13:30:00Z", "Mon 09:30 EDT", {"menu": "main"}),
    ("2024-03-11T20:30:00Z", "Mon 16:30 EDT", {"menu": "main"}),
    ("2024-03-11T21:30:00Z", "Mon 17:30 EDT", {"assistant": "Night desk"}),
    # And back in November.
    ("2024-11-04T13:30:00Z", "Mon 08:30 EST", {"assistant": "Night desk"}),
    ("2024-11-04T14:00:00Z", "Mon 09:00 EST", {"menu": "main"}),
])
def test_business_hours_follow_local_wall_time_across_dst(sim, at, local, destination):
    office(sim)
    call_id, _ = dial(sim, [expect("speaking|press"), hang_up()], at=at)
    routed = of_type(sim, call_id, "inbound_routed")[0]
    assert routed["destination"] == destination, local
    assert sim.call_details(call_id)["created_at"] == at
    first = of_type(sim, call_id, "assistant_speech")[0]
    if "menu" in destination:
        assert first["source"] == "ivr" and first["content"] == MENUS["main"]["prompt"]
    else:
        assert first["content"] == "Night desk speaking." and "source" not in first


def test_an_overnight_window_runs_from_the_listed_day_into_the_next_morning(sim):
    office(sim, rules=[{"days": ["fri"], "from": "22:00", "to": "06:00", "forward": OPERATOR}])
    inside = ["2024-03-09T03:30:00Z", "2024-03-09T10:54:00Z"]   # Fri 22:30, Sat 05:54 EST
    outside = ["2024-03-09T11:00:00Z", "2024-03-10T04:00:00Z"]  # Sat 06:00, Sat 23:00
    for at in inside + outside:
        call_id, _ = dial(sim, [hang_up()], at=at)
        forwarded = of_type(sim, call_id, "inbound_routed")[0]["destination"] == {"forward": OPERATOR}
        assert forwarded == (at in inside), at


def test_a_forwarded_call_is_a_cold_transfer_that_ends_transferred(sim):
    office(sim, rules=[{"forward": OPERATOR}])
    call_id, _ = dial(sim, [])
    transfer = of_type(sim, call_id, "transfer_initiated")[0]
    assert transfer == {"target": OPERATOR, "trigger": "routing", "warm": False}
    assert sim.call_details(call_id)["status"] == "transferred"
    assert sim.transfer_party.received == [(OPERATOR, {})]
    assert of_type(sim, call_id, "hold_music")[0]["during"] == "transfer"


@pytest.mark.parametrize("behaviour", ["decline", "no_answer"])
def test_a_forward_nobody_takes_returns_the_caller_to_the_numbers_assistant(sim, behaviour):
    office(sim, rules=[{"forward": OPERATOR}])
    sim.transfer_party.script(OPERATOR, behaviour)
    call_id, caller = dial(sim, [expect("Front desk speaking", timeout_ms=60_000), hang_up()])
    assert of_type(sim, call_id, "transfer_result") == [{"target": OPERATOR, "result": behaviour}]
    assert sim.call_details(call_id)["status"] == "completed" and caller.failures == []
    hold = of_type(sim, call_id, "hold_music")[0]["duration_ms"]
    assert (hold == sim.timings.transfer_timeout_ms) == (behaviour == "no_answer")


def test_a_call_can_arrive_at_a_later_virtual_instant_but_not_in_the_past(sim):
    sim.directory.add_number(NUMBER, assistant="Front desk")
    created = sim.place_inbound(CALLER, NUMBER, at="2024-03-08T19:00:00Z")
    assert created["created_at"] == "2024-03-08T19:00:00Z"
    for bad in ("2024-03-08T18:00:00Z", "yesterday"):
        with pytest.raises(ApiError) as caught:
            sim.place_inbound(CALLER, NUMBER, at=bad)
        assert caught.value.details == {"field": "at"}


def test_a_scripted_far_end_configured_for_the_calling_number_is_used(sim):
    sim.directory.add_number(NUMBER, assistant="Front desk")
    sim.callees[CALLER] = lambda record: ScriptedCaller([say("calling about my bill"), hang_up()])
    call = sim.place_inbound(CALLER, NUMBER)
    sim.run()
    assert [t["content"] for t in sim.call_details(call["id"])["transcript"]][1] == "calling about my bill"
