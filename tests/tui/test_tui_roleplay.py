"""Role-play with Pilot: start a call, two turns as the caller, digits, hang up, inspect, export.

Virtual time moves only when the test advances the `ManualPacer`, so nothing here depends on
how fast the machine is.
"""

from __future__ import annotations

import pytest
import yaml
from textual.widgets import Input, Static
from tui_helpers import wait_for

from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.screens.roleplay import RolePlayScreen, RolePlaySetup

pytestmark = pytest.mark.anyio


def _talk(app) -> str:
    return str(app.screen.query_one("#talk-text", Static).render())


def _status(app) -> str:
    return str(app.screen.query_one("#live-status", Static).render())


async def _say(pilot, app, pacer, line: str, reply_contains: str) -> None:
    app.screen.query_one("#say", Input).value = line
    await pilot.press("enter")
    await wait_for(pilot, lambda: line in _talk(app))
    pacer.advance(8)   # the caller finishes, the webhook answers, the assistant speaks
    await wait_for(pilot, lambda: reply_contains in _talk(app))


async def test_role_play_two_turns_then_hang_up_and_export(make_app, pacer, sim, tmp_path):
    app = make_app(tick_seconds=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, RolePlaySetup)
        await pilot.press("enter")  # Alex, the default number
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
        assert "initiated" in _status(app) or "ringing" in _status(app)
        pacer.advance(10)           # dial, ring, answer, greeting
        await wait_for(pilot, lambda: "calling about your subscription renewal" in _talk(app))
        pacer.advance(6)
        await _say(pilot, app, pacer, "How much does it cost?", "forty dollars a month")
        state = str(app.screen.query_one("#state-text", Static).render())
        assert "+ asked_price: true" in state
        await pilot.press(*"12#")
        await pilot.press("ctrl+t")  # the typed keys go out as DTMF digits
        call_id = app.screen.call_id
        await wait_for(pilot, lambda: any(e.type == "digits" for e in sim.events(call_id)))
        assert [e.digits for e in sim.events(call_id) if e.type == "digits"] == ["12#"]
        await wait_for(pilot, lambda: "pressed 12#" in _talk(app))   # the role-play pane shows the keys
        talk = _talk(app)
        assert talk.index("forty dollars a month") < talk.index("You       pressed 12#")
        pacer.advance(2)
        app.screen.query_one("#say", Input).value = "Let me think about the cancel option"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "cancel option" in _talk(app))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "completed" in _status(app))
        assert sim.record(call_id).end_reason == "hangup_user"
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
        await pilot.press("y")
    scenario = yaml.safe_load((tmp_path / f"{call_id}.scenario.yaml").read_text())
    call = scenario["calls"][0]
    assert [s for s in call["caller"] if "expect" not in s] == [
        {"say": "How much does it cost?"}, {"digits": "12#"}, {"say": "Let me think about the cancel option"},
        {"hangup": True}]
    assistant_lines = [f"assistant: {t['content']}" for t in sim.transcript(call_id)["transcript"]
                       if t["role"] == "assistant"]
    assert call["expect"] == {"status": "completed", "reason": "hangup_user", "final_state": sim.record(call_id).state,
                              "transcript": {"order": assistant_lines}, "webhooks": {"failed": 0}}


async def test_slash_commands_and_a_bad_number(make_app, pacer, sim):
    app = make_app(tick_seconds=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("p")
        app.screen.query_one("#to", Input).value = "555-1234"
        await pilot.press("enter")
        await pilot.pause()
        assert any("cannot start the call" in n.message and "E.164" in n.message for n in app._notifications)
        assert not isinstance(app.screen, RolePlayScreen)
        await pilot.press("p")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
        pacer.advance(1.5)   # dialled, now ringing: the caller hears hold music
        await wait_for(pilot, lambda: "ringing" in _status(app) and "♪ on hold" in _status(app))
        pacer.advance(12)
        await wait_for(pilot, lambda: "in_progress" in _status(app))
        assert "on hold" not in _status(app)
        call_id = app.screen.call_id
        for line in ("/d 9", "/dance", "/hangup"):
            app.screen.query_one("#say", Input).value = line
            await pilot.press("enter")
        await wait_for(pilot, lambda: "completed" in _status(app))
        assert [e.digits for e in sim.events(call_id) if e.type == "digits"] == ["9"]
        assert any("unknown command /dance" in n.message for n in app._notifications)


async def test_leaving_a_live_call_hangs_up(make_app, pacer, sim):
    app = make_app(tick_seconds=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("p", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
        pacer.advance(12)
        await wait_for(pilot, lambda: "in_progress" in _status(app))
        call_id = app.screen.call_id
        await pilot.press("escape")
        assert sim.record(call_id).status == "completed"
        assert not isinstance(app.screen, RolePlayScreen)


async def test_inbound_call_through_the_ivr_menu(make_app, pacer, sim):
    app = make_app(tick_seconds=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlaySetup))
        app.screen.query_one("#inbound").value = True
        await pilot.pause()
        assert app.screen.query_one("#to", Input).value == "+15550100200"  # the provisioned number
        app.screen.query_one("#to", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
        pacer.advance(8)
        await wait_for(pilot, lambda: "Press 1 for support" in _talk(app))
        app.screen.query_one("#say", Input).value = "/d 1"
        await pilot.press("enter")
        pacer.advance(8)
        await wait_for(pilot, lambda: "this is Sam" in _talk(app))
        record = sim.record(app.screen.call_id)
        assert record.direction == "inbound" and record.to == "+15550100200"


async def test_exported_role_play_runs_as_a_passing_scenario(make_app, pacer, sim, tmp_path):
    """The exported YAML is a real scenario: it loads, and replaying it ends the same way."""
    from aployee_sim.scenario.loader import load_scenario
    from aployee_sim.scenario.report import result_of
    from aployee_sim.scenario.runner import run_scenario

    app = make_app(tick_seconds=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlaySetup))
        app.screen.query_one("#assistant").value = next(a["id"] for a in sim.list_assistants() if a["name"] == "Sam")
        app.screen.query_one("#to", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
        pacer.advance(12)
        await wait_for(pilot, lambda: "this is Sam" in _talk(app))
        pacer.advance(5)
        await _say(pilot, app, pacer, "Where is my order?", "arrives on Friday")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "completed" in _status(app))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
        await pilot.press("y")
        call_id = app.screen.call_id
    path = tmp_path / f"{call_id}.scenario.yaml"
    assert path.read_text().startswith("# Regression scenario exported from `aployee-sim tui`")
    result = result_of(run_scenario(load_scenario(path)))
    assert result.passed, result.failures
    assert load_scenario(path).model.calls[0].expect.final_state == {"intent": "order_status"}
