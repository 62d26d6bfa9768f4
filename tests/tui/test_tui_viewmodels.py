"""The pure layer: filters, sorting, paging, state diffs, conversation and timeline text, exports."""

from __future__ import annotations

from dataclasses import replace

from aployee_sim.tui import call_text, export, live_text
from aployee_sim.tui.model import CallRow
from aployee_sim.tui.rows import PAGE_SIZE, CallFilter, apply_filter, page_of, row_cells
from aployee_sim.tui.sources.platform_source import PlatformSource


def _row(i: int, status: str = "completed", assistant: str = "a1", name: str = "Alex") -> CallRow:
    return CallRow(id=f"call_{i:05d}", status=status, direction="outbound", assistant_id=assistant,
                   assistant_name=name, to=f"+1555{i:07d}", from_=None, created_at=f"2024-01-15T10:{i // 60 % 60:02d}:"
                   f"{i % 60:02d}Z", duration_seconds=i % 90, turns=i % 7)


def test_filters_by_status_assistant_and_text_and_sorts():
    rows = [_row(1), _row(2, "failed"), _row(3, assistant="a2", name="Sam"), _row(4, "in_progress")]
    assert [r.id for r in apply_filter(rows, CallFilter(status="failed"))] == ["call_00002"]
    assert [r.id for r in apply_filter(rows, CallFilter(assistant="a2"))] == ["call_00003"]
    assert [r.id for r in apply_filter(rows, CallFilter(text="SAM"))] == ["call_00003"]
    assert [r.id for r in apply_filter(rows, CallFilter(text="5550000004"))] == ["call_00004"]
    assert [r.id for r in apply_filter(rows, CallFilter())] == ["call_00004", "call_00003", "call_00002", "call_00001"]
    by_status = apply_filter(rows, CallFilter(sort="status", descending=False))
    assert [r.status for r in by_status] == ["in_progress", "completed", "completed", "failed"]


def test_filter_cycles_wrap_around():
    flt = CallFilter()
    seen = []
    for _ in range(7):
        flt = flt.cycle_status()
        seen.append(flt.status)
    assert seen == ["initiated", "ringing", "in_progress", "completed", "failed", "transferred", None]
    assert CallFilter().cycle_assistant(["a1", "a2"]).assistant == "a1"
    assert CallFilter(assistant="a2").cycle_assistant(["a1", "a2"]).assistant is None
    assert replace(CallFilter(), sort="turns").cycle_sort().sort == "created"


def test_paging_clamps_and_counts_pages():
    rows = [_row(i) for i in range(2 * PAGE_SIZE + 5)]
    page, number, pages = page_of(rows, 2)
    assert (len(page), number, pages) == (5, 2, 3)
    assert page_of(rows, 99)[1] == 2 and page_of(rows, -3)[1] == 0
    assert page_of([], 0) == ([], 0, 1)


def test_row_cells_show_status_direction_and_duration():
    cells = row_cells(_row(75))
    assert cells[0].plain == "completed" and cells[0].style == "green"
    assert cells[1] == "out" and cells[5] == "1:15"


def test_state_diff_marks_added_changed_removed():
    diff = call_text.state_diff({"a": 1, "b": 2, "gone": True}, {"a": 1, "b": 3, "new": "x"})
    assert [(k, kind) for k, kind, _, _ in diff] == [("a", "same"), ("b", "changed"), ("new", "added"),
                                                     ("gone", "removed")]
    text = call_text.state_text({"b": 2}, {"b": 3})
    assert "~ b: 2 → 3" in text.plain
    assert any("yellow" in str(span.style) for span in text.spans)


def test_conversation_shows_who_when_what_confidence_and_state_changes(sim):
    source = PlatformSource(sim)
    data = source.call_data(source.call_rows()[0].id)
    plain = call_text.conversation_text(data).plain
    assert "Assistant Hi, this is Alex from Acme Corp." in plain
    assert "Caller    Yes, please renew it.  (ASR 1.00)" in plain
    assert '+ outcome: "renewal_confirmed"' in plain and "~ turns: 1 → 2" in plain
    assert "call ended: completed (hangup_assistant)" in plain


def test_timeline_has_virtual_times_reasoning_spans_and_hold_music(sim):
    source = PlatformSource(sim)
    data = source.call_data(source.call_rows()[0].id)
    rows = call_text.timeline_rows(data)
    kinds = [r[2].plain for r in rows]
    started = kinds.index("reasoning_started")
    completed = kinds.index("reasoning_completed")
    assert rows[started][3] == rows[completed][3] != ""          # the span is the completed duration
    hold = rows[kinds.index("hold_music")]
    assert hold[4] == "♪ hold music (ringing)" and hold[3].endswith("ms")
    assert rows[0][0].startswith("+0:") and rows[0][1].count(":") == 2


def test_exchanges_show_request_response_latency_and_error(sim):
    source = PlatformSource(sim)
    data = source.call_data(source.call_rows()[0].id)
    data.exchanges[1] = {**data.exchanges[1], "error": "timeout after 10000 ms", "status_code": None}
    plain = call_text.exchanges_text(data).plain
    assert "#1 POST https://hooks.playground.test/renewals" in plain
    assert '"utterance": "Oh hi, I was actually meaning to call you."' in plain
    assert "error: timeout after 10000 ms" in plain and "latency" in plain


def test_scenario_export_replays_the_callers_side(sim):
    source = PlatformSource(sim)
    data = source.call_data(source.call_rows()[0].id)
    scenario = export.scenario_dict(data)
    call = scenario["calls"][0]
    assert call["caller"] == [{"expect": "Hi, this is Alex from Acme"},
                              {"say": "Oh hi, I was actually meaning to call you."},
                              {"expect": "Happy to help\\. Would you like"},
                              {"say": "Yes, please renew it."}]
    assert call["assistant"] == "assistant" and call["initial_state"]["customer_id"] == "cust_12345"
    assert call["expect"]["status"] == "completed" and call["expect"]["reason"] == "hangup_assistant"
    assert call["expect"]["final_state"]["outcome"] == "renewal_confirmed"
    alex = scenario["assistants"]["assistant"]
    assert alex["name"] == "Alex" and alex["webhook_url"] == "https://hooks.playground.test/renewals"
    assert "id" not in alex and "created_at" not in alex      # resource-only keys are not scenario keys


def test_role_play_commands_and_state_tracking():
    assert live_text.parse_command("  hello there ") == ("say", "hello there")
    assert live_text.parse_command("/d 1 #") == ("digits", "1#")
    assert live_text.parse_command("/hangup") == ("hangup", "")
    assert live_text.parse_command("/dance") == ("unknown", "dance")
    before, now = live_text.track_state({}, None, {"a": 1})
    assert (before, now) == ({"a": 1}, {"a": 1})
    before, now = live_text.track_state(before, now, {"a": 2})
    assert (before, now) == ({"a": 1}, {"a": 2})
    assert live_text.track_state(before, now, {"a": 2}) == ({"a": 1}, {"a": 2})


def test_exported_scenario_is_valid_for_the_scenario_loader(sim, tmp_path):
    from aployee_sim.scenario.loader import load_scenario

    source = PlatformSource(sim)
    path = export.write_scenario(source.call_data(source.call_rows()[0].id), tmp_path)
    loaded = load_scenario(path)
    assert loaded.model.calls[0].to == ["+15551234567"]
    assert loaded.model.assistants["assistant"].reasoning_mode == "webhook"


def test_live_status_line_shows_reasoning_hold_and_ending():
    from aployee_sim.tui.model import LiveView

    view = LiveView(call_id="call_x", status="in_progress", now="2024-01-15T10:30:05.250Z", duration_seconds=65,
                    transcript=[], state={}, reasoning_active=True, on_hold=True)
    assert live_text.status_line(view).plain == "in_progress  10:30:05.250  1:05  reasoning…  ♪ on hold"
    view.status, view.reasoning_active, view.on_hold = "completed", False, False
    assert "call ended" in live_text.status_line(view).plain and "reasoning" not in live_text.status_line(view).plain
