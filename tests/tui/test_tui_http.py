"""The TUI over a real server (uvicorn on 127.0.0.1): inspect its calls, role-play through `/_sim`.

The server runs in `manual` clock mode and the test advances it, so the role-play is exact.
"""

from __future__ import annotations

import httpx
import pytest
from textual.widgets import DataTable, Input, Static
from tui_helpers import wait_for

from aployee_sim.server.thread import ServerThread
from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.playground import playground
from aployee_sim.tui.roleplay import RemoteRolePlay
from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.screens.roleplay import RolePlayScreen
from aployee_sim.tui.sources import SourceError
from aployee_sim.tui.sources.http_source import ApiClient, HttpSource

pytestmark = pytest.mark.anyio


@pytest.fixture
def server():
    with playground(seed=7) as sim, ServerThread(sim=sim, api_key="k", clock="manual") as srv:
        yield srv


def _app(srv, **options) -> AployeeTui:
    return AployeeTui(HttpSource(ApiClient(srv.root_url, "k")), roleplay=RemoteRolePlay(ApiClient(srv.base_url, "k")),
                      threaded=True, poll_seconds=0.2, tick_seconds=0.1, **options)


def _advance(srv, seconds: float) -> None:
    response = httpx.post(srv.root_url + "/_sim/clock/advance", json={"seconds": seconds}, headers=srv.headers)
    assert response.status_code == 200, response.text


def _text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_inspect_a_server_call_with_state_rebuilt_from_webhooks(server):
    app = _app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#calls", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        assert app.screen.all_rows[0].assistant_name == "Alex" and app.screen.all_rows[0].turns == 5
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
        conversation = _text(app, "#conversation-text")
        assert "Caller    Yes, please renew it.  (ASR 1.00)" in conversation
        assert '+ outcome: "renewal_confirmed"' in conversation
        assert "#2 POST https://hooks.playground.test/renewals" in _text(app, "#webhooks-text")
    app.source.close()


async def test_role_play_a_call_placed_through_the_server(server):
    app = _app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#calls", DataTable).row_count == 1)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen.query("#to"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
        assert any("clock is manual" in n.message for n in app._notifications)
        _advance(server, 12)
        await wait_for(pilot, lambda: "subscription renewal" in _text(app, "#talk-text"))
        _advance(server, 6)
        app.screen.query_one("#say", Input).value = "yes renew it"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "yes renew it" in _text(app, "#talk-text"))
        _advance(server, 15)
        await wait_for(pilot, lambda: "renewal is confirmed" in _text(app, "#talk-text"))
        await wait_for(pilot, lambda: "completed" in _text(app, "#live-status"))
        assert '"renewal_confirmed"' in _text(app, "#state-text")
    app.source.close()


async def test_attach_to_a_live_call_and_hang_up(server):
    created = httpx.post(server.base_url + "/calls", headers=server.headers,
                         json={"assistant_id": server.sim.list_assistants()[1]["id"], "to": "+15005550006"}).json()
    _advance(server, 1)
    app = _app(server, attach=created["id"])
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RolePlayScreen))
        await wait_for(pilot, lambda: "in_progress" in _text(app, "#live-status"))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: "completed" in _text(app, "#live-status"))
    app.source.close()
    details = httpx.get(f"{server.base_url}/calls/{created['id']}", headers=server.headers).json()
    assert details["status"] == "completed"


def test_wrong_key_and_unknown_call_are_clear_errors(server):
    with pytest.raises(SourceError, match="refused the API key"):
        HttpSource(ApiClient(server.base_url, "wrong"))
    source = HttpSource(ApiClient(server.base_url, "k"))
    with pytest.raises(SourceError, match="404"):
        source.call_data("call_nope")
    source.close()


async def test_a_server_that_goes_away_is_a_message_not_a_traceback():
    with playground(seed=7) as sim:
        server = ServerThread(sim=sim, api_key="k", clock="manual").start()
        app = _app(server)
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                await wait_for(pilot, lambda: app.screen.query_one("#calls", DataTable).row_count == 1)
                server.stop()
                await wait_for(pilot, lambda: "cannot reach the simulator" in _text(app, "#message"))
                assert app.screen.query_one("#calls", DataTable).row_count == 1   # what was read stays
        finally:
            server.stop()
            app.source.close()


def test_the_dir_column_over_http_tells_inbound_from_outbound(server):
    from aployee_sim.tui import rows as vm
    from aployee_sim.tui.playground import SUPPORT_NUMBER

    client = ApiClient(server.root_url, "k")
    try:
        client.post("/_sim/inbound", {"from": "+15557654321", "to": SUPPORT_NUMBER})
        listed = HttpSource(client).call_rows()
        by_to = {row.to: row for row in listed}
        assert by_to[SUPPORT_NUMBER].direction == "inbound" and by_to["+15551234567"].direction == "outbound"
        assert vm.row_cells(by_to[SUPPORT_NUMBER])[1] == "in" and vm.row_cells(by_to["+15551234567"])[1] == "out"
    finally:
        client.close()
