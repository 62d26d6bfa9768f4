"""The calls list with 10,000 calls built in-process: paged, filterable, sortable, responsive."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static
from tui_helpers import wait_for

from aployee_sim.api import Simulator
from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.rows import PAGE_SIZE
from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.sources.platform_source import PlatformSource

pytestmark = pytest.mark.anyio
CALLS = 10_000


@pytest.fixture(scope="module")
def busy_sim():
    """10,000 short calls (carrier error and busy test numbers) over two assistants."""
    with Simulator(seed=3) as sim:
        bulk = sim.create_assistant(name="Bulk")["id"]
        other = sim.create_assistant(name="Other")["id"]
        for i in range(CALLS):
            sim.start_call(other if i % 10 == 0 else bulk, "+15005550002" if i % 2 else "+15005550001")
        sim.run()
        yield sim


async def test_ten_thousand_calls_are_paged_and_filtered(busy_sim):
    app = AployeeTui(PlatformSource(busy_sim), poll_seconds=None)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#calls", DataTable)
        await wait_for(pilot, lambda: table.row_count == PAGE_SIZE)
        message = lambda: str(app.screen.query_one("#message", Static).render())  # noqa: E731
        assert f"{CALLS} of {CALLS} calls — page 1/{CALLS // PAGE_SIZE}" in message()
        await pilot.press("left_square_bracket")          # already on the first page: stays
        assert "page 1/" in message()
        for _ in range(3):
            await pilot.press("right_square_bracket")
        assert "page 4/" in message() and table.row_count == PAGE_SIZE
        await pilot.press("a", "a")                        # assistant = Other: every tenth call
        assert f"{CALLS // 10} of {CALLS} calls — page 1/{CALLS // 10 // PAGE_SIZE}" in message()
        await pilot.press("s")                             # status = initiated: none are
        assert table.row_count == 0
        await pilot.press("c", "slash")
        last_id = busy_sim.list_calls(limit=1, offset=CALLS - 1)["data"][0]["id"]
        app.screen.query_one("#search", Input).value = last_id
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("enter", "enter")               # leave the search box, open the call
        await wait_for(pilot, lambda: isinstance(app.screen, CallScreen))
        assert app.screen.call_id == last_id
