"""Role-play handed to a persona, with Pilot: the user sets a persona and a goal, and watches the model
(the fake OpenAI-compatible server on 127.0.0.1) play the caller to its hang-up.

Virtual time moves only when the test advances the `ManualPacer`; the model is asked inside a tick,
which then runs in a worker thread."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static
from tui_helpers import ManualPacer, wait_for

from aployee_sim.core.chat import ModelError
from aployee_sim.scenario.completions import ENV_MODEL, ENV_URL, LiveModel
from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.roleplay import LocalRolePlay, PersonaPlan, RemoteRolePlay
from aployee_sim.tui.screens.roleplay import RolePlayScreen, RolePlaySetup
from aployee_sim.tui.sources import SourceError
from aployee_sim.tui.sources.platform_source import PlatformSource
from tests.personas.fake_model import Brain, FakeModel

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group("personas")]

PRICE = Brain([("forty dollars", '{"hang_up": "goal reached: I know the price"}')],
              default='{"say": "How much does it cost?"}')


def _talk(app) -> str:
    return str(app.screen.query_one("#talk-text", Static).render())


def _status(app) -> str:
    return str(app.screen.query_one("#live-status", Static).render())


def _app(sim, pacer: ManualPacer, environ: dict[str, str], tmp_path) -> tuple[AployeeTui, LocalRolePlay]:
    session = LocalRolePlay(sim, pacer=pacer, model=LiveModel(environ=environ, config=tmp_path / "none.yaml"))
    return AployeeTui(PlatformSource(sim, label="playground"), roleplay=session, poll_seconds=None,
                      export_dir=tmp_path, tick_seconds=0.05), session


async def _until(pilot, pacer: ManualPacer, condition, *, steps: int = 120) -> None:
    """Advance virtual time a second at a time until `condition()` holds (bounded)."""
    for _ in range(steps):
        if condition():
            return
        pacer.advance(1)
        await pilot.pause(0.05)
    assert condition(), "the condition did not hold in time"


async def _set_up(pilot, app, persona: str, goal: str) -> None:
    await pilot.press("p")
    assert isinstance(app.screen, RolePlaySetup)
    app.screen.query_one("#persona", Input).value = persona
    app.screen.query_one("#goal", Input).value = goal
    await pilot.press("enter")


async def test_a_persona_plays_the_caller_live_to_its_hang_up(sim, pacer, tmp_path):
    with FakeModel(PRICE) as fake:
        app, session = _app(sim, pacer, {ENV_URL: fake.base_url, ENV_MODEL: "fake-model"}, tmp_path)
        try:
            async with app.run_test(size=(110, 30)) as pilot:
                await _set_up(pilot, app, "Kim, a customer who finds the renewal expensive",
                              "learn the renewal price, then hang up")
                await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
                call_id = app.screen.call_id
                await _until(pilot, pacer, lambda: "How much does it cost?" in _talk(app))
                await _until(pilot, pacer, lambda: "completed" in _status(app))
                assert "forty dollars a month" in _talk(app)
                assert "persona hung up: goal reached: I know the price" in _status(app)
        finally:
            session.close()
    assert sim.record(call_id).end_reason == "hangup_user"
    users = [t["content"] for t in sim.transcript(call_id)["transcript"] if t["role"] == "user"]
    assert users == ["How much does it cost?"]
    assert len(fake.requests) == 2 and {r["model"] for r in fake.requests} == {"fake-model"}
    system = fake.requests[0]["messages"][0]["content"]
    assert "Kim, a customer who finds the renewal expensive" in system
    assert "learn the renewal price, then hang up" in system


async def test_no_model_configured_is_one_message_and_no_call(sim, pacer, tmp_path):
    app, session = _app(sim, pacer, {}, tmp_path)
    calls = len(sim.calls)
    async with app.run_test(size=(110, 30)) as pilot:
        await _set_up(pilot, app, "Kim", "learn the price")
        await wait_for(pilot, lambda: any("cannot start the call" in n.message for n in app._notifications))
        assert not isinstance(app.screen, RolePlayScreen)
        message = next(n.message for n in app._notifications if "cannot start the call" in n.message)
        assert "no model configured for the role-play persona" in message and ENV_MODEL in message
    assert len(sim.calls) == calls


async def test_a_persona_needs_a_goal(sim, pacer, tmp_path):
    app, _ = _app(sim, pacer, {}, tmp_path)
    async with app.run_test(size=(110, 30)) as pilot:
        await _set_up(pilot, app, "Kim", "")
        await pilot.pause()
        assert isinstance(app.screen, RolePlaySetup)
        assert any("a persona needs a goal" in n.message for n in app._notifications)


def test_a_server_session_offers_no_persona():
    session = RemoteRolePlay(client=None)  # type: ignore[arg-type]  (refused before any request)
    assert session.can_play_persona() is False
    with pytest.raises(SourceError, match="a persona caller plays only in the in-process playground"):
        session.start("asst_1", "+15551234567", None, persona=PersonaPlan("Kim", "learn the price"))


def test_a_model_without_a_url_names_what_is_missing(tmp_path):
    model = LiveModel(environ={ENV_MODEL: "fake-model"}, config=tmp_path / "none.yaml")
    with pytest.raises(ModelError, match=f"no model URL configured for the role-play persona: set \\${ENV_URL}"):
        model.check("the role-play persona")
