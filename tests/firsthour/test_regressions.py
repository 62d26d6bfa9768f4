"""Regressions made from recorded calls test something: `aployee-sim import` (a production record)
and the TUI's `y` export each pass on the unchanged system and fail when the webhook's behaviour
or the flow changes. The webhook is a real HTTP receiver on 127.0.0.1; runs are real CLI runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from receivers import Receiver
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from textual.widgets import DataTable

from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, expect, say
from aployee_sim.tui.app import AployeeTui
from aployee_sim.tui.playground import playground
from aployee_sim.tui.screens.call import CallScreen
from aployee_sim.tui.sources.platform_source import PlatformSource

CLI = str(Path(sys.executable).with_name("aployee-sim"))
BEHAVIOUR = {"price": "It's forty dollars a month."}


async def reason(request: Request) -> JSONResponse:
    body = await request.json()
    state = {**body["state"], "turns": body["state"].get("turns", 0) + 1}
    if "cost" in body["utterance"].lower():
        return JSONResponse({"reply": BEHAVIOUR["price"], "state": {**state, "asked_price": True}})
    return JSONResponse({"reply": "Anything else? Goodbye for now.", "state": state})


@pytest.fixture
def receiver():
    BEHAVIOUR["price"] = "It's forty dollars a month."
    hook = Receiver(Starlette(routes=[Route("/reason", reason, methods=["POST"])]))
    hook.url += "/reason"
    yield hook
    hook.stop()


def recorded_call(url: str) -> tuple[Simulator, str]:
    """A call against the real webhook: the caller asks the price, hears it, then the assistant ends it."""
    sim = Simulator(seed=3)
    assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=url,
                                     first_message="Hi, this is Alex from Acme.", end_call_phrases=["goodbye"])
    caller = ScriptedCaller([expect("Acme"), say("How much does it cost?"), expect("dollars"), say("Thanks.")])
    call = sim.start_call(assistant["id"], "+15551234567", caller=caller)
    sim.run()
    assert sim.call_details(call["id"])["status"] == "completed" and caller.failures == []
    return sim, call["id"]


def run(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "run", str(path)], capture_output=True, text=True, timeout=120)


def test_imported_regression_passes_unchanged_and_fails_on_changes(receiver, tmp_path):
    sim, call_id = recorded_call(receiver.url)
    record = tmp_path / "call.json"
    record.write_text(json.dumps(sim.call_details(call_id)))
    sim.close()
    replay = tmp_path / "replay.scenario.yaml"
    made = subprocess.run([CLI, "import", str(record), "-o", str(replay), "--webhook-url", receiver.url],
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    assert 'expect: "."' not in replay.read_text()
    unchanged = run(replay)
    assert unchanged.returncode == 0, unchanged.stdout
    BEHAVIOUR["price"] = "It's fifty dollars a month."           # the webhook answers differently
    changed = run(replay)
    assert changed.returncode == 1 and "expect.transcript.order" in changed.stdout
    BEHAVIOUR["price"] = "It's forty dollars a month."
    receiver.stop()                                              # the webhook is down
    down = run(replay)
    assert down.returncode == 1 and "expect.webhooks.failed" in down.stdout, down.stdout


async def export_with_y(source: PlatformSource, export_dir: Path) -> Path:
    app = AployeeTui(source, poll_seconds=None, export_dir=export_dir)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#calls", DataTable).row_count >= 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CallScreen) and app.screen.data is not None
        await pilot.press("y")
        await pilot.pause()
    return next(export_dir.glob("*.scenario.yaml"))


@pytest.mark.anyio
async def test_tui_export_against_a_real_webhook_passes_unchanged_and_fails_on_changes(receiver, tmp_path):
    sim, _ = recorded_call(receiver.url)
    try:
        path = await export_with_y(PlatformSource(sim), tmp_path)
    finally:
        sim.close()
    assert "webhooks:\n" not in path.read_text().split("calls:")[0]     # a real URL is called for real
    assert run(path).returncode == 0
    BEHAVIOUR["price"] = "It's fifty dollars a month."
    changed = run(path)
    assert changed.returncode == 1 and "expect.transcript.order" in changed.stdout
    BEHAVIOUR["price"] = "It's forty dollars a month."
    receiver.stop()
    assert run(path).returncode == 1


@pytest.mark.anyio
async def test_tui_export_of_the_playground_is_self_contained_and_fails_when_the_flow_changes(tmp_path):
    with playground(seed=7) as sim:
        path = await export_with_y(PlatformSource(sim, label="playground"), tmp_path)
    scenario = yaml.safe_load(path.read_text())
    assert list(scenario["webhooks"]) == ["https://hooks.playground.test/renewals"]   # in-process: stubbed
    assert scenario["timings"]["silence_timeout_ms"] == 60000                        # the world's timings
    unchanged = run(path)
    assert unchanged.returncode == 0, unchanged.stdout
    scenario["assistants"]["assistant"]["end_call_phrases"] = ["see you"]           # the flow changes
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    changed = run(path)
    assert changed.returncode == 1 and "expect.reason" in changed.stdout
    scenario["assistants"]["assistant"]["end_call_phrases"] = ["talk soon"]
    scenario["webhooks"]["https://hooks.playground.test/renewals"][1]["reply"] = "Renewed. Talk soon!"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    assert run(path).returncode == 1                                                # the webhook's answer changes
