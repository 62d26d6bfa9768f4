"""The inspector over a store written by `aployee-sim run --db`: several runs of the bundled library.

Seeded call ids repeat across scenarios and runs (every seed-0 scenario's first call has the same
id), so the list must key its rows by (run, call): every call is listed, each opens its own
run's call, and a Run column and filter tell them apart.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static
from tui_helpers import wait_for

from aployee_sim.adapters.store import Store
from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.export import write_scenario
from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.sources.store_source import StoreSource

REPO = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("aployee-sim")


@pytest.fixture(scope="module")
def runs_db(tmp_path_factory) -> Path:
    """Two runs of the whole library (default seeds, then --seed 3) in one store file, as a user makes it."""
    path = tmp_path_factory.mktemp("runs") / "runs.db"
    for extra in ([], ["--seed", "3"]):
        done = subprocess.run([str(CLI), "run", "scenarios/", "--db", str(path), *extra], cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in (0, 1), done.stderr
    return path


def stored_calls(path: Path) -> list[dict]:
    with Store(path, readonly=True) as store:
        return store.list_calls(limit=100_000)["calls"]


def test_the_store_really_repeats_call_ids_across_runs(runs_db):
    calls = stored_calls(runs_db)
    assert max(Counter(c["id"] for c in calls).values()) > 1  # a call's id follows its content and seed
    assert len({c["run_id"] for c in calls}) > 20


@pytest.mark.anyio
async def test_every_call_of_every_run_is_listed_and_opens_its_own_run(runs_db):
    calls = stored_calls(runs_db)
    source = StoreSource(runs_db)
    app = AployeeTui(source, threaded=True, poll_seconds=None)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            table = screen.query_one("#calls", DataTable)
            message = screen.query_one("#message", Static)
            await wait_for(pilot, lambda: len(screen.all_rows) == len(calls))
            assert str(message.render()) == f"{len(calls)} of {len(calls)} calls"
            assert table.row_count == len(calls)
            assert [str(c.label) for c in table.columns.values()][-1] == "Run"
            # The same call id in two rows: each opens the call of its own run.
            repeated = Counter(r.id for r in screen.shown).most_common(1)[0][0]
            first, second = [i for i, r in enumerate(screen.shown) if r.id == repeated][:2]
            opened = []
            for index in (first, second):
                table.move_cursor(row=index)
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
                expected = screen.shown[index]
                assert app.screen.run_id == expected.run_id and app.screen.data.id == repeated
                assert app.screen.data.details["status"] == expected.status
                opened.append(app.screen.run_id)
                await pilot.press("escape")
                await wait_for(pilot, lambda: app.screen is screen)
            assert opened[0] != opened[1]
            # The run filter: one press shows only the newest run's calls.
            await pilot.press("u")
            run = screen.filter.run
            assert run is not None and all(r.run_id == run for r in screen.shown)
            assert len(screen.shown) == sum(1 for c in calls if c["run_id"] == run)
            assert f"run={run}" in str(screen.query_one("#filters", Static).render())
            await pilot.press("c")
            assert len(screen.shown) == len(calls)
            # Searching by run id works too.
            await pilot.press("slash")
            await pilot.press(*run)
            assert {r.run_id for r in screen.shown} == {run}
    finally:
        source.close()


def test_every_call_of_every_run_exports_a_regression_that_passes(runs_db, tmp_path):
    """The `y` export of any stored call replays on the unchanged system: its own run's assistants,
    stubs (webhooks and MCP tools), numbers, routing and menus, carrier, transfer party and timings."""
    source = StoreSource(runs_db)
    try:
        paths = {write_scenario(source.call_data(row.id, row.run_id), tmp_path) for row in source.call_rows()}
    finally:
        source.close()
    assert len(paths) == len(stored_calls(runs_db))                  # one file per (run, call)
    ran = subprocess.run([str(CLI), "run", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0 and f"{len(paths)} passed, 0 failed" in ran.stdout, ran.stdout[-3000:]


@pytest.mark.skipif(subprocess.run(["which", "tmux"], capture_output=True).returncode != 0,
                    reason="tmux is not installed")
def test_scenario_store_in_a_real_terminal(runs_db, tmp_path):
    from test_tui_tmux import Terminal

    total = len(stored_calls(runs_db))
    terminal = Terminal(f"{shlex.quote(str(CLI))} tui --db {shlex.quote(str(runs_db))}", tmp_path)
    try:
        terminal.wait_for(f"{total} of {total} calls")
        for key in ("Down", "Down", "Enter"):
            terminal.keys(key)
        terminal.wait_for("1 Conversation")
        terminal.keys("Escape")
        terminal.wait_for(f"{total} of {total} calls")
        terminal.keys("u")
        screen = terminal.wait_for("run=run_")
        assert "loading…" not in screen and "Traceback" not in screen
        terminal.keys("C-q")
        terminal.wait_for("APP-EXITED-0")
    finally:
        terminal.close()
