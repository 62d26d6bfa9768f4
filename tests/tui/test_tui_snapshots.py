"""SVG snapshots of the main screens at 80×24 (pytest-textual-snapshot).

Deterministic by construction: the playground's fixed seed, a fixed terminal size, virtual
time only (the role-play pacer is moved by hand), no polling. Update after an intended change
with `pytest tests/tui/test_tui_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static
from tui_helpers import wait_for

from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.screens.roleplay import RolePlayScreen

SIZE = (80, 24)


async def _open_call(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.query_one("#calls", DataTable).row_count == 1)
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)


def test_calls_list(snap_compare, make_app):
    async def loaded(pilot) -> None:
        await wait_for(pilot, lambda: pilot.app.screen.query_one("#calls", DataTable).row_count == 1)

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=loaded)


def test_call_conversation(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_open_call)


def test_call_timeline(snap_compare, make_app):
    async def timeline(pilot) -> None:
        await _open_call(pilot)
        await pilot.press("2")

    assert snap_compare(make_app(), terminal_size=SIZE, run_before=timeline)


def test_help(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, press=["question_mark"])


def test_role_play(snap_compare, make_app, pacer):
    async def one_turn(pilot) -> None:
        app = pilot.app
        talk = lambda: str(app.screen.query_one("#talk-text", Static).render())  # noqa: E731
        await pilot.press("p", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
        pacer.advance(16)
        await wait_for(pilot, lambda: "subscription renewal" in talk())
        app.screen.query_one("#say", Input).value = "How much does it cost?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "How much" in talk())
        pacer.advance(8)
        await wait_for(pilot, lambda: "forty dollars" in talk())
        app.screen.query_one("#say", Input).cursor_blink = False  # a blinking cursor is wall-clock state
        await pilot.pause(0.3)  # a few more ticks: nothing may change any more

    assert snap_compare(make_app(tick_seconds=0.05), terminal_size=SIZE, run_before=one_turn)
