"""The compact event log: frequent types are stored flat and read back as `(t_ms, type, data)`."""

import inspect

import pytest

from aployee_sim.contract import events as ev
from aployee_sim.core.reasoning import StubBackend, StubRule
from aployee_sim.core.record import CallRecord
from aployee_sim.fakes.callers import ScriptedCaller, barge_in, hang_up, say

from .conftest import HOOK


def test_pack_and_unpack_are_inverse_and_keep_key_order():
    data = {"url": "https://x.test", "duration_ms": 120, "error": "HTTP 500", "status_code": 500}
    entry = ev.pack(5, ev.WEBHOOK_CALLED, data)
    assert entry == (5, ev.WEBHOOK_CALLED, "https://x.test", 120, "HTTP 500", 500)
    assert ev.unpack(entry) == (5, ev.WEBHOOK_CALLED, data)
    assert list(ev.unpack(entry)[2]) == ["url", "duration_ms", "error", "status_code"]
    # Absent keys stay absent; types without a layout keep their dict.
    assert ev.unpack(ev.pack(1, ev.WEBHOOK_CALLED, {"url": "u", "duration_ms": 3})) == (
        1, ev.WEBHOOK_CALLED, {"url": "u", "duration_ms": 3})
    assert ev.pack(2, ev.DIGITS, {"digits": "12"}) == (2, ev.DIGITS, {"digits": "12"})
    assert ev.unpack((3, ev.CALL_STARTED)) == (3, ev.CALL_STARTED, {})


SAMPLES = {"content": "hello", "duration_ms": 1200, "confidence": 0.9, "asr_ms": 110, "tts_ms": 95, "agent_ms": 250,
           "source": "ivr", "from": "ringing", "to": "in_progress", "status": "completed", "reason": "hangup_user",
           "mode": "webhook", "url": "https://x.test", "error": "HTTP 500", "status_code": 500,
           "state": {"step": 1}, "during": "reasoning"}


@pytest.mark.parametrize("kind", sorted(ev.LAYOUTS))
def test_every_layout_has_a_constructor_with_its_fields_and_round_trips(kind):
    """Each flat type is written by its named-field constructor, in exactly its layout's order;
    what it stores is what `pack` stores and `unpack` reads back every field."""
    layout = ev.LAYOUTS[kind]
    constructor = ev.CONSTRUCTORS[kind]
    params = list(inspect.signature(constructor).parameters)
    assert params[0] == "t_ms" and [p.removesuffix("_") for p in params[1:]] == list(layout)
    data = {key: SAMPLES[key] for key in layout}
    entry = constructor(7, **{p: data[p.removesuffix("_")] for p in params[1:]})
    assert entry == ev.pack(7, kind, data) and len(entry) == 2 + len(layout)
    assert ev.unpack(entry) == (7, kind, data)
    assert list(ev.unpack(entry)[2]) == list(layout)


def test_every_flat_type_has_a_constructor_and_nothing_else_does():
    assert set(ev.CONSTRUCTORS) == set(ev.LAYOUTS)


def test_the_one_append_path_folds_every_type_that_changes_the_record():
    """`add` is the only way in, so a folded type can never skip the record's update."""
    record = CallRecord("call_x", "asst_x", "+15551234567", None, 0, {"a": 1})
    record.add(ev.StatusChanged(1, from_="initiated", to="ringing"))
    record.add(ev.StatusChanged(2, from_="ringing", to="in_progress"))
    record.add(ev.CallStarted(2))
    record.add(ev.UserSpeech(3, content="hi", duration_ms=300))
    record.add(ev.pack(4, ev.STATE_CHANGED, {"state": {"b": 2}}))
    record.add(ev.AssistantSpeech(5, content="hello", duration_ms=300))
    record.add(ev.StatusChanged(9, from_="in_progress", to="completed"))
    record.add(ev.CallEnded(9, status="completed", reason="hangup_user"))
    assert (record.status, record.state, record.started_ms, record.ended_ms, record.end_reason) == (
        "completed", {"b": 2}, 2, 9, "hangup_user")
    assert record.context() == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    assert not hasattr(record, "note") and not hasattr(record, "log") and not hasattr(record, "append")


def test_a_key_outside_the_layout_is_refused_loudly():
    with pytest.raises(ValueError, match="barge_in event keys \\['content', 'extra'\\]"):
        ev.pack(0, ev.BARGE_IN, {"content": "hi", "extra": 1})
    with pytest.raises(ValueError):  # a stored entry whose length does not fit its layout
        ev.unpack((0, ev.REASONING_COMPLETED, 1, 2))


def test_every_logged_entry_round_trips_and_the_log_reads_as_tuples(sim, webhook_assistant):
    sim.router.route(HOOK, StubBackend([StubRule(match="bye", fail="http_500"),
                                        StubRule(reply="Sure.", state={"step": 1})]))
    call = sim.start_call(webhook_assistant["id"], "+15551234567", caller=ScriptedCaller(
        [say("hello there"), barge_in("wait a moment"), say("bye now"), hang_up()]))
    sim.run()
    record = sim.record(call["id"])
    assert {ev.USER_SPEECH, ev.ASSISTANT_SPEECH, ev.WEBHOOK_CALLED, ev.STATE_CHANGED, ev.BARGE_IN,
            ev.STATUS_CHANGED, ev.CALL_ENDED} <= {entry[1] for entry in record.entries}
    assert any(entry[1] == ev.WEBHOOK_CALLED and entry[4] == "HTTP 500" for entry in record.entries)
    for entry in record.entries:
        assert ev.pack(*ev.unpack(entry)) == entry
    events = record.events
    assert len(events) == len(record.entries)
    assert events[-1] == (record.ended_ms, ev.CALL_ENDED, {"status": "completed", "reason": "hangup_user"})
    assert events[-2:] == list(events)[-2:]
    assert events == list(events) and events != list(events)[:-1]
    assert all(isinstance(data, dict) for _, _, data in events)
    rebuilt = CallRecord.rebuilt(record.id, record.assistant_id, record.to, record.from_, record.created_ms,
                                 record.initial_state, record.direction, events)
    assert rebuilt.entries == record.entries and rebuilt.state == record.state == {"step": 1}
