"""Pilot-driven flows over the in-process playground: list, filter, open a call, export, help."""

from __future__ import annotations

import json

import pytest
import yaml
from textual.widgets import DataTable, Input, Static, TabbedContent
from tui_helpers import wait_for

from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.screens.calls import CallsScreen
from aployee_sim.tui.screens.help import HelpScreen

pytestmark = pytest.mark.anyio


def _table(app) -> DataTable:
    return app.screen.query_one("#calls", DataTable)


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_list_filters_by_status_assistant_and_text(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _table(app).row_count == 1)
        assert "1 of 1 calls" in _text(app, "#message")
        await pilot.press("s")  # status=initiated: the finished call is filtered out
        assert _table(app).row_count == 0 and "status=initiated" in _text(app, "#filters")
        for _ in range(3):      # ringing, in_progress, completed
            await pilot.press("s")
        assert _table(app).row_count == 1 and "status=completed" in _text(app, "#filters")
        await pilot.press("a", "a")  # Alex, then Sam (who has no calls)
        assert _table(app).row_count == 0 and "assistant=Sam" in _text(app, "#filters")
        await pilot.press("c", "slash")
        await pilot.press(*"nobody")
        assert app.screen.query_one("#search", Input).value == "nobody"
        assert _table(app).row_count == 0
        app.screen.query_one("#search", Input).value = "alex"
        await pilot.pause()
        assert _table(app).row_count == 1
        await pilot.press("escape", "o")
        assert "sort=status" in _text(app, "#filters")


async def test_open_a_call_switch_tabs_and_go_back(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _table(app).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
        assert "Yes, please renew it." in _text(app, "#conversation-text")
        await pilot.press("2")
        assert app.screen.query_one("#tabs", TabbedContent).active == "timeline"
        assert app.screen.query_one("#timeline-table", DataTable).row_count == len(app.screen.data.events)
        await pilot.press("3")
        assert "#2 POST" in _text(app, "#webhooks-text")
        await pilot.press("4")
        assert "hangup_assistant" in _text(app, "#summary-text")
        await pilot.press("escape")
        assert isinstance(app.screen, CallsScreen)


async def test_export_json_and_scenario(make_app, tmp_path):
    app = make_app(export_dir=tmp_path / "out")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _table(app).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
        call_id = app.screen.call_id
        await pilot.press("j", "y")
    exported = json.loads((tmp_path / "out" / f"{call_id}.json").read_text())
    assert exported["call"]["id"] == call_id and exported["webhooks"][0]["status_code"] == 200
    assert any(e["type"] == "state_changed" for e in exported["events"])
    scenario = yaml.safe_load((tmp_path / "out" / f"{call_id}.scenario.yaml").read_text())
    assert scenario["calls"][0]["caller"][3] == {"say": "Yes, please renew it."}


async def test_export_to_an_unwritable_place_is_a_message_not_a_crash(make_app, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    app = make_app(export_dir=blocker / "sub")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: _table(app).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
        await pilot.press("j")
        await pilot.pause()
        assert any("cannot write the JSON" in n.message for n in app._notifications)
        assert isinstance(app.screen, CallScreen)


async def test_help_screen_opens_and_closes(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CallsScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_the_mouse_opens_a_call_and_switches_tabs(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: _table(app).row_count == 1)
        await pilot.click("#calls", offset=(5, 1))   # a click on the highlighted first row opens it
        await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
        await pilot.click("#--content-tab-summary")
        assert app.screen.query_one("#tabs", TabbedContent).active == "summary"
        assert app.screen.query_one("#summary").query_one("VerticalScroll").has_focus
