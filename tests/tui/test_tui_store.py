"""The inspector over a real SQLite store file: read-only, live updates by polling, bad files."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from textual.widgets import DataTable, Static
from tui_helpers import wait_for

from aployee_sim.adapters.store import Store, StoreWriter
from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.playground import playground
from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.sources import SourceError
from aployee_sim.tui.sources.store_source import StoreSource

pytestmark = pytest.mark.anyio


@pytest.fixture
def written(tmp_path):
    """A store file being written by a playground simulator (as `serve --db` would)."""
    path = tmp_path / "calls.db"
    with playground(seed=7) as sim, Store(path) as store:
        writer = StoreWriter(store).attach(sim)
        yield path, sim, writer


async def test_store_list_live_update_and_call_view(written):
    path, sim, writer = written
    source = StoreSource(path)
    app = AployeeTui(source, threaded=True, poll_seconds=0.1)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            table = app.screen.query_one("#calls", DataTable)
            await wait_for(pilot, lambda: table.row_count == 1)
            assert app.screen.all_rows[0].turns == 5 and app.screen.all_rows[0].assistant_name == "Alex"
            sam = next(a for a in sim.list_assistants() if a["name"] == "Sam")
            sim.start_call(sam["id"], "+15005550002")     # busy: fails at once
            sim.run(seconds=5)
            writer.flush()
            await wait_for(pilot, lambda: table.row_count == 2)
            assert app.screen.all_rows[0].status == "failed"
            app.screen.query_one("#calls", DataTable).move_cursor(row=1)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
            text = str(app.screen.query_one("#conversation-text", Static).render())
            assert "Yes, please renew it." in text and '+ outcome: "renewal_confirmed"' in text
            assert app.screen.data.exchanges[0]["status_code"] == 200
    finally:
        source.close()


def test_bad_store_files_are_clear_errors(tmp_path):
    with pytest.raises(SourceError, match="no store file at"):
        StoreSource(tmp_path / "missing.db")
    with pytest.raises(SourceError, match="is a folder, not a store file"):
        StoreSource(tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(SourceError, match="cannot open the store .*: file is not a database"):
        StoreSource(junk)  # the words `serve --db` and `run --db` use: one opening for every command
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(SourceError, match="no such table"):
        StoreSource(other)


def test_playground_record_writes_role_play_sessions_to_a_store(tmp_path):
    import time

    from aployee_sim.cli import build_parser
    from aployee_sim.commands.tui import build_app

    path = tmp_path / "played.db"
    app = build_app(build_parser().parse_args(["tui", "--record", str(path), "--speed", "50"]))
    with Store(path, readonly=True) as store:
        assert store.list_calls()["total"] == 1           # the playground's finished call
        session = app.roleplay
        call_id = session.start(session.assistants()[0][0], "+15005550006", None)
        assert store.list_calls()["total"] == 2           # written when it was created
        for _ in range(100):                               # bounded: the engine runs at 50× real time
            session.tick()
            if store.get_call(call_id).record.status == "in_progress":
                break
            time.sleep(0.02)
        assert store.get_call(call_id).record.status == "in_progress"
    app.source.close()
