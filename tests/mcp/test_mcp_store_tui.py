"""MCP exchanges are stored by the store and shown in the TUI's call view beside webhook exchanges."""

from __future__ import annotations

import pytest
from conftest import converse, mcp_assistant

from aployee_sim.adapters.store import Store, StoreWriter
from aployee_sim.api import Simulator
from aployee_sim.tui import call_text
from aployee_sim.tui.sources.store_source import StoreSource

RULE = {"pattern": r"order (?P<n>\d+)", "tool": "check_order_status", "arguments": {"order_id": "{n}"},
        "reply": "It is {result.status}.", "fallback": "No idea."}


def _stored_call(tmp_path):
    path = tmp_path / "calls.db"
    with Simulator(seed=4) as sim, Store(path) as store:
        writer = StoreWriter(store).attach(sim)
        sim.route_mcp("https://shop.test/mcp", [{"tool": "check_order_status", "match": {"order_id": "1"},
                                                 "result": {"status": "packed"}},
                                                {"tool": "check_order_status", "fail": "connection_error"}])
        call = converse(sim, mcp_assistant(sim, "https://shop.test/mcp", [RULE]), "order 1", "order 2")
        writer.flush()
        assert store.get_call(call).exchanges == sim.exchanges(call)
    return path, call


def test_the_store_keeps_mcp_exchanges_and_the_tui_shows_them(tmp_path):
    path, call = _stored_call(tmp_path)
    data = StoreSource(path).call_data(call)
    assert [x["tool"] for x in data.exchanges] == ["check_order_status", "check_order_status"]
    plain = call_text.exchanges_text(data).plain
    assert "#1 MCP check_order_status @ https://shop.test/mcp" in plain
    assert '"order_id": "1"' in plain and '"status": "packed"' in plain
    assert "#2 MCP check_order_status" in plain and "error: connection error: connection refused" in plain


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_the_tui_call_view_shows_the_tool_calls(tmp_path):
    from textual.widgets import DataTable, Static

    from aployee_sim.tui.app import AployeeTui
    from aployee_sim.tui.screens.call import CallScreen

    path, call = _stored_call(tmp_path)
    app = AployeeTui(StoreSource(path), poll_seconds=None, export_dir=tmp_path)
    async with app.run_test(size=(110, 40)) as pilot:
        for _ in range(100):  # bounded: the list loads, then the call opens
            if app.screen.query(DataTable) and app.screen.query_one("#calls", DataTable).row_count:
                break
            await pilot.pause(0.05)
        await pilot.press("enter")
        for _ in range(100):
            if isinstance(app.screen, CallScreen) and app.screen.data is not None:
                break
            await pilot.pause(0.05)
        await pilot.press("3")
        shown = str(app.screen.query_one("#webhooks-text", Static).render())
    assert "#1 MCP check_order_status @ https://shop.test/mcp" in shown
    assert "error: connection error: connection refused" in shown
