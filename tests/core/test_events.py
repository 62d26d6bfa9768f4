"""The compact event log: frequent types are stored flat and read back as `(t_ms, type, data)`."""

import pytest

from aployee_sim.contract import events as ev
from aployee_sim.core.reasoning import StubBackend, StubRule
from aployee_sim.core.record import CallRecord
from aployee_sim.fakes.callers import ScriptedCaller, barge_in, hangup, say

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


def test_a_key_outside_the_layout_is_refused_loudly():
    with pytest.raises(ValueError, match="barge_in event keys \\['content', 'extra'\\]"):
        ev.pack(0, ev.BARGE_IN, {"content": "hi", "extra": 1})
    with pytest.raises(ValueError):  # a stored entry whose length does not fit its layout
        ev.unpack((0, ev.REASONING_COMPLETED, 1, 2))


def test_every_logged_entry_round_trips_and_the_log_reads_as_tuples(sim, webhook_assistant):
    sim.router.route(HOOK, StubBackend([StubRule(match="bye", fail="http_500"),
                                        StubRule(reply="Sure.", state={"step": 1})]))
    call = sim.start_call(webhook_assistant["id"], "+15551234567", caller=ScriptedCaller(
        [say("hello there"), barge_in("wait a moment"), say("bye now"), hangup()]))
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
