"""Typed events: one frozen, slotted class per type, read by field, written to JSON and back by one pair."""

import dataclasses
import json
import typing

import pytest

from aployee_sim.contract import events as ev
from aployee_sim.core.reasoning import StubBackend, StubRule
from aployee_sim.core.record import CallRecord
from aployee_sim.fakes.callers import ScriptedCaller, barge_in, hang_up, say

from .conftest import HOOK

ALL = sorted(ev.BY_TYPE.values(), key=lambda cls: cls.type)

# A sample value for each field annotation the event classes use (a new annotation fails loudly).
SAMPLES = {"str": "some text", "int": 1200, "bool": True, "float | None": 0.9, "int | None": 110,
           "str | None": "a value", "JsonObject": {"step": 1}, "JsonObject | None": {"summary": "s"},
           "Json": "+15550001111", "dict[str, str]": {"menu": "main"}, "tuple[str, ...]": ("a", "b"),
           "HoldPlace": "reasoning", "IvrInput": "digits", "TransferOutcome": "accept"}


def sample(cls, t_ms=7):
    fields = [f for f in dataclasses.fields(cls) if f.name != "t_ms"]
    return cls(t_ms, **{f.name: SAMPLES[f.type] for f in fields})


@pytest.mark.parametrize("cls", ALL, ids=lambda cls: cls.type)
def test_every_type_round_trips_through_json_with_its_keys_in_declaration_order(cls):
    event = sample(cls)
    data = ev.to_json(event)
    assert list(data) == [f.name.removesuffix("_") for f in dataclasses.fields(cls) if f.name != "t_ms"]
    assert json.loads(json.dumps(data)) == data  # plain JSON: a tuple field is written as a list
    assert ev.from_json(7, cls.type, json.loads(json.dumps(data))) == event


@pytest.mark.parametrize("cls", ALL, ids=lambda cls: cls.type)
def test_every_type_is_slotted_and_named_by_a_class_constant(cls):
    event = sample(cls)
    assert not hasattr(event, "__dict__")  # slots: no per-instance dict
    assert "type" not in {f.name for f in dataclasses.fields(cls)} and event.type == cls.type
    with pytest.raises(TypeError):  # nothing reads an event by position
        event[0]
    values = [SAMPLES[f.type] for f in dataclasses.fields(cls) if f.name != "t_ms"]
    if values:
        with pytest.raises(TypeError):  # every field but the time is written by name
            cls(7, *values)


def test_public_and_internal_types_are_the_union_and_apart():
    public = {cls.type for cls in typing.get_args(ev.PublicEvent)}
    internal = {cls.type for cls in typing.get_args(ev.InternalEvent)}
    assert public == ev.PUBLIC_TYPES and not public & internal
    assert public | internal == set(ev.BY_TYPE) == {cls.type for cls in typing.get_args(ev.Event)}
    assert len(ev.BY_TYPE) == len(typing.get_args(ev.Event))  # no two classes share a type name


def test_an_optional_field_is_absent_while_none_and_a_required_one_stays_null():
    assert ev.to_json(ev.WebhookCalled(1, url="u", duration_ms=3)) == {"url": "u", "duration_ms": 3}
    assert ev.to_json(ev.UserSpeech(1, content="hi", duration_ms=3, asr_ms=4)) == {
        "content": "hi", "duration_ms": 3, "asr_ms": 4}
    assert ev.to_json(ev.IvrChoice(1, menu="main", input="", by="timeout", option=None)) == {
        "menu": "main", "input": "", "by": "timeout", "option": None}
    assert ev.to_json(ev.StatusChanged(1, from_="ringing", to="in_progress")) == {"from": "ringing", "to": "in_progress"}
    assert ev.to_json(ev.CallStarted(1)) == {}


def test_json_that_is_not_an_event_is_refused_with_what_is_wrong():
    with pytest.raises(ev.EventError, match="unknown event type 'telepathy'"):
        ev.from_json(0, "telepathy", {})
    with pytest.raises(ev.EventError, match=r"barge_in event: unknown keys \['extra'\]"):
        ev.from_json(0, "barge_in", {"content": "hi", "extra": 1})
    with pytest.raises(ev.EventError, match=r"call_ended event: missing keys \['reason'\]"):
        ev.from_json(0, "call_ended", {"status": "completed"})
    with pytest.raises(ev.EventError, match="must be a JSON object, not list"):
        ev.from_json(0, "digits", ["1"])


def test_the_one_append_path_folds_every_type_that_changes_the_record():
    """`add` is the only way in, so a folded type can never skip the record's update."""
    record = CallRecord("call_x", "asst_x", "+15551234567", None, 0, {"a": 1})
    record.add(ev.StatusChanged(1, from_="initiated", to="ringing"))
    record.add(ev.StatusChanged(2, from_="ringing", to="in_progress"))
    record.add(ev.CallStarted(2))
    record.add(ev.UserSpeech(3, content="hi", duration_ms=300))
    record.add(ev.StateChanged(4, state={"b": 2}))
    record.add(ev.AssistantSpeech(5, content="hello", duration_ms=300))
    record.add(ev.Routed(6, assistant_id="asst_y"))
    record.add(ev.StatusChanged(9, from_="in_progress", to="completed"))
    record.add(ev.CallEnded(9, status="completed", reason="hangup_user"))
    assert (record.status, record.state, record.started_ms, record.ended_ms, record.end_reason, record.assistant_id) \
        == ("completed", {"b": 2}, 2, 9, "hangup_user", "asst_y")
    assert record.context() == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    assert record.of_type(ev.StatusChanged)[-1].to == "completed"
    assert not hasattr(record, "note") and not hasattr(record, "log") and not hasattr(record, "append")


def test_every_logged_event_round_trips_and_a_rebuilt_record_equals_the_live_one(sim, webhook_assistant):
    sim.router.route(HOOK, StubBackend([StubRule(match="bye", fail="http_500"),
                                        StubRule(reply="Sure.", state={"step": 1})]))
    call = sim.start_call(webhook_assistant["id"], "+15551234567", caller=ScriptedCaller(
        [say("hello there"), barge_in("wait a moment"), say("bye now"), hang_up()]))
    sim.run()
    record = sim.record(call["id"])
    kinds = {type(e) for e in record.events}
    assert {ev.UserSpeech, ev.AssistantSpeech, ev.WebhookCalled, ev.StateChanged, ev.BargeIn, ev.StatusChanged,
            ev.CallEnded} <= kinds
    assert any(e.error == "HTTP 500" for e in record.of_type(ev.WebhookCalled))
    for event in record.events:
        assert ev.from_json(event.t_ms, event.type, json.loads(json.dumps(ev.to_json(event)))) == event
    assert record.events[-1] == ev.CallEnded(record.ended_ms, status="completed", reason="hangup_user")
    assert sim.events(call["id"]) == record.events and sim.events(call["id"]) is not record.events
    rebuilt = CallRecord.rebuilt(record.id, record.assistant_id, record.to, record.from_, record.created_ms,
                                 record.initial_state, record.direction, record.events)
    assert rebuilt.events == record.events and rebuilt.state == record.state == {"step": 1}
    assert rebuilt.dialogue == record.dialogue


def test_the_type_checker_refuses_a_change_to_an_event(tmp_path):
    """Events (and exchanges, `contract.readonly`) are read-only where they are written: mypy (strict on the package) refuses an
    assignment to any field, and accepts the same event read (contract/events.py says why this is
    not enforced at run time)."""
    from mypy import api

    source = tmp_path / "change.py"
    source.write_text("from aployee_sim.contract import events as ev\n"
                      "event = ev.StatusChanged(1, from_='queued', to='ringing')\n"
                      "print(event.to)\n"
                      "event.to = 'completed'\n"
                      "ev.UserSpeech(1, content='hi', duration_ms=1).t_ms = 2\n"
                      "from aployee_sim.contract.exchanges import WebhookExchange\n"
                      "made = WebhookExchange('c', 1, 'u', 'hi', {}, 0, 1, 5, 200, {}, None)\n"
                      "made.latency_ms = 6\n")
    out, _, status = api.run([str(source), "--no-incremental", "--follow-imports=silent",
                              "--cache-dir", str(tmp_path / "cache")])
    assert status == 1
    assert [line.split(": error: ")[0].rsplit(":", 1)[1] for line in out.splitlines() if ": error: " in line] == ["4", "5", "8"]
    assert 'Property "to" defined in "StatusChanged" is read-only' in out
