"""The TUI's `y` export over `--url`: an inbound IVR call on a running server exports its number,
routing and menus (the server's `GET /_sim/world`), so the replay takes the same path through the
menu. Replayed with the real CLI, it passes on the unchanged configuration and fails when the
menu's option points elsewhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from textual.widgets import DataTable
from tui_helpers import wait_for

from aployee_sim.server.thread import ServerThread
from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.sources.http_source import ApiClient, HttpSource

CLI = str(Path(sys.executable).with_name("aployee-sim"))
pytestmark = pytest.mark.anyio

CONFIG = """\
assistants:
  - {id: asst_front, name: Front desk}
  - {id: asst_sales, name: Sales, first_message: "Sales here, this is Sue."}
  - {id: asst_billing, name: Billing, first_message: "Billing, this is Bob. How can I help with your invoice?"}
phone_numbers:
  - {number: +15550100, assistant: asst_front, routing: office}
routing:
  office:
    default: {menu: main}
menus:
  main:
    prompt: For sales press 1. For billing press 2.
    options:
      - {digit: "1", assistant: asst_sales}
      - {digit: "2", assistant: asst_billing}
"""


def _ivr_call_on_a_server(server: ServerThread) -> str:
    """A caller rings the number, presses 2 after the prompt, hears billing, hangs up."""
    with httpx.Client(base_url=server.root_url, headers={"Authorization": "Bearer k"}, timeout=10) as api:
        call = api.post("/_sim/inbound", json={"from": "+15559870003", "to": "+15550100"}).json()
        api.post("/_sim/clock/advance", json={"seconds": 12})
        assert api.post(f"/_sim/calls/{call['id']}/digits", json={"digits": "2"}).status_code == 200
        api.post("/_sim/clock/advance", json={"seconds": 10})
        api.post(f"/_sim/calls/{call['id']}/hangup")
        api.post("/_sim/clock/advance", json={"seconds": 1})
        details = api.get(f"/v1/calls/{call['id']}").json()
    assert details["status"] == "completed" and details["assistant_id"] == "asst_billing", details
    return call["id"]


async def test_an_ivr_call_exported_over_url_carries_its_menu_and_replays(tmp_path):
    config = tmp_path / "acme.yaml"
    config.write_text(CONFIG)
    with ServerThread(api_key="k", clock="manual", config=str(config)) as server:
        _ivr_call_on_a_server(server)
        world = httpx.get(f"{server.root_url}/_sim/world", headers={"Authorization": "Bearer k"}).json()
        assert world["directory"]["menus"]["main"]["options"][1]["assistant"] == "asst_billing"
        source = HttpSource(ApiClient(server.root_url, "k"))
        app = AployeeTui(source, poll_seconds=None, export_dir=tmp_path)
        try:
            async with app.run_test(size=(160, 40)) as pilot:
                table = app.screen.query_one("#calls", DataTable)
                await wait_for(pilot, lambda: table.row_count == 1)
                await pilot.press("enter")
                await wait_for(pilot, lambda: isinstance(app.screen, CallScreen) and app.screen.data is not None)
                await pilot.press("y")
                await wait_for(pilot, lambda: len(list(tmp_path.glob("*.scenario.yaml"))) == 1)
        finally:
            source.close()
    exported = next(tmp_path.glob("*.scenario.yaml"))
    scenario = yaml.safe_load(exported.read_text())
    assert scenario["numbers"] == {"+15550100": {"assistant": "front_desk", "routing": "office"}}
    assert [o["assistant"] for o in scenario["menus"]["main"]["options"]] == ["sales", "billing"]
    assert scenario["calls"][0]["inbound"] is True

    def replay() -> subprocess.CompletedProcess[str]:
        return subprocess.run([CLI, "run", str(exported)], cwd=tmp_path, capture_output=True, text=True, timeout=120)

    ran = replay()
    assert ran.returncode == 0, ran.stdout + ran.stderr
    scenario["menus"]["main"]["options"][1]["assistant"] = "sales"     # the flow changes: 2 now reaches sales
    exported.write_text(yaml.safe_dump(scenario, sort_keys=False))
    changed = replay()
    assert changed.returncode == 1 and "expect" in changed.stdout, changed.stdout
