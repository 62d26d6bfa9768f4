"""The TUI's `y` export over a store written by `aployee-sim run --db`, as a user makes it.

Seeded ids repeat across runs, so a store holding several runs must give each exported call its
own run's assistant (prompt, webhook, stubs); and an inbound call's regression must carry the
number, time-based routing and IVR menus it went through. Each export is replayed with the real
CLI: it passes on the unchanged system and fails when the flow or the webhook's answer changes.
"""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
import yaml
from textual.widgets import DataTable
from tui_helpers import wait_for

from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.export import write_scenario
from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.sources.store_source import StoreSource

REPO = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("aployee-sim"))
pytestmark = pytest.mark.anyio

SHOP = """\
name: {name} prices
assistants:
  agent:
    name: {agent}
    reasoning_mode: webhook
    webhook_url: https://hooks.{slug}.test/reason
    first_message: Hi, this is {agent} from {name}.
webhooks:
  https://hooks.{slug}.test/reason:
    - when: cost
      reply: {price}
calls:
  - name: customer  # the call's random stream (and id) follows its name: the same in both shops
    assistant: agent
    to: +15551234567
    caller:
      - expect: {agent}
      - say: How much does it cost?
      - expect: dollars
      - hangup
    expect:
      status: completed
"""


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def store_of(tmp_path: Path, *scenarios: str) -> Path:
    db = tmp_path / "runs.db"
    ran = cli("run", *scenarios, "--db", str(db))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return db


def has_exports(directory: Path, count: int) -> bool:
    return len(list(directory.glob("*.scenario.yaml"))) == count


async def export_every_call_with_y(db: Path, export_dir: Path) -> list[Path]:
    """Open each call of the list in turn and press `y`, as a user does; the written files in list order."""
    source = StoreSource(db)
    app = AployeeTui(source, poll_seconds=None, export_dir=export_dir)
    written: list[Path] = []
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            screen = app.screen
            table = screen.query_one("#calls", DataTable)
            await wait_for(pilot, lambda: table.row_count > 0)
            for index in range(table.row_count):
                table.move_cursor(row=index)
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
                await pilot.press("y")
                await wait_for(pilot, partial(has_exports, export_dir, index + 1))
                written.extend(set(export_dir.glob("*.scenario.yaml")) - set(written))
                await pilot.press("escape")
                await wait_for(pilot, lambda: app.screen is screen)
    finally:
        source.close()
    return written


def replay(path: Path) -> subprocess.CompletedProcess[str]:
    return cli("run", str(path), cwd=path.parent)


def rewrite(path: Path, change) -> None:
    scenario = yaml.safe_load(path.read_text())
    change(scenario)
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))


async def test_calls_with_the_same_ids_in_two_runs_export_their_own_runs_assistant(tmp_path):
    shops = tmp_path / "shops"
    shops.mkdir()
    for name, agent, slug, price in (("Apex", "Ann", "apex", "Ten dollars a month."),
                                     ("Bolt", "Bo", "bolt", "Twenty dollars a month.")):
        (shops / f"{slug}.scenario.yaml").write_text(SHOP.format(name=name, agent=agent, slug=slug, price=price))
    db = store_of(tmp_path, str(shops))
    rows = StoreSource(db).call_rows()
    assert len({r.id for r in rows}) == 1 and len({r.assistant_id for r in rows}) == 1   # same seed and call name, same ids
    exported = await export_every_call_with_y(db, tmp_path / "out")
    assert len(exported) == 2
    by_agent = {}
    for path in exported:
        scenario = yaml.safe_load(path.read_text())
        agent = scenario["assistants"]["assistant"]
        by_agent[agent["name"]] = path
        slug = {"Ann": "apex", "Bo": "bolt"}[agent["name"]]
        assert agent["webhook_url"] == f"https://hooks.{slug}.test/reason"
        assert list(scenario["webhooks"]) == [agent["webhook_url"]]             # its own run's stubs
        assert f"from {'Apex' if slug == 'apex' else 'Bolt'}" in agent["first_message"]
        ran = replay(path)
        assert ran.returncode == 0, ran.stdout
    assert set(by_agent) == {"Ann", "Bo"}
    rewrite(by_agent["Bo"], lambda s: s["webhooks"]["https://hooks.bolt.test/reason"][0].update(
        reply="Thirty dollars a month."))                                      # the webhook answers differently
    changed = replay(by_agent["Bo"])
    assert changed.returncode == 1 and "expect.transcript.order" in changed.stdout


async def test_an_inbound_ivr_call_exports_its_number_routing_and_menus(tmp_path):
    db = store_of(tmp_path, "scenarios/ivr_menu.scenario.yaml")
    source = StoreSource(db)
    for row in source.call_rows():      # the stored call names the assistant the menu handed it to, as live
        data = source.call_data(row.id, row.run_id)
        routed = [e.event.assistant_id for e in data.events if e.event.type == "routed"]
        assert routed and data.details["assistant_id"] == row.assistant_id == routed[-1]
        assert data.assistant is not None and data.assistant["name"] == row.assistant_name in ("Sales", "Billing")
    source.close()
    exported = await export_every_call_with_y(db, tmp_path / "out")
    assert len(exported) == 2
    for path in exported:
        scenario = yaml.safe_load(path.read_text())
        assert scenario["numbers"] == {"+15550100": {"assistant": "front_desk", "routing": "office"}}
        assert scenario["routing"]["office"]["rules"][0]["menu"] == "main"
        assert scenario["routing"]["office"]["default"] == {"assistant": "night_desk"}
        assert [o["assistant"] for o in scenario["menus"]["main"]["options"]] == ["sales", "billing"]
        assert set(scenario["assistants"]) == {"front_desk", "sales", "billing", "night_desk"}
        ran = replay(path)
        assert ran.returncode == 0, ran.stdout
    by_digit = next(p for p in exported if "digits" in p.read_text())
    # The flow changes: pressing 2 now reaches sales; then the office hours move out of the call's time.
    rewrite(by_digit, lambda s: s["menus"]["main"]["options"][1].update(assistant="sales"))
    changed = replay(by_digit)
    assert changed.returncode == 1 and "expect.transcript.order" in changed.stdout, changed.stdout
    rewrite(by_digit, lambda s: s["menus"]["main"]["options"][1].update(assistant="billing"))
    assert replay(by_digit).returncode == 0
    rewrite(by_digit, lambda s: s["routing"]["office"]["rules"][0].update(days="sat-sun"))
    assert replay(by_digit).returncode == 1


def test_time_based_routing_replays_from_the_store(tmp_path):
    """The after-hours scenario: the evening call reaches the night desk by the rule set's default,
    the morning call the IVR menu; both replays pass, and fail once the night desk says otherwise."""
    db = store_of(tmp_path, "scenarios/inbound_after_hours.scenario.yaml")
    source = StoreSource(db)
    paths = [write_scenario(source.call_data(r.id, r.run_id), tmp_path) for r in source.call_rows()]
    source.close()
    assert len(paths) == 2
    for path in paths:
        ran = replay(path)
        assert ran.returncode == 0, ran.stdout
    evening = next(p for p in paths if yaml.safe_load(p.read_text())["calls"][0]["from"] == "+15559870001")
    rewrite(evening, lambda s: s["assistants"]["night_desk"].update(first_message="We are open, come in!"))
    assert replay(evening).returncode == 1
