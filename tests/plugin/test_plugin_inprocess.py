"""The in-process fixture and the far-end helpers, as an integrator's test suite uses them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aployee_sim.contract.errors import ApiError
from aployee_sim.contract.events import to_json
from aployee_sim.pytest_plugin import far_end

pytest_plugins = ["pytester"]
HOOK = "https://hooks.test/plugin"


def test_aployee_sim_drives_a_call_as_the_far_end(aployee_sim):
    assistant = aployee_sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=HOOK)
    aployee_sim.route_webhook(HOOK, lambda req: {"reply": "Press 1 to confirm.",
                                                  "state": {**req["state"], "asked": True}})
    call = aployee_sim.create_call({"assistant_id": assistant["id"], "to": "+15551234567"})
    line = far_end(aployee_sim, call["id"])
    with pytest.raises(ApiError, match="only while the call is in_progress") as caught:
        line.say("too early")  # still dialing
    assert caught.value.status == 409
    aployee_sim.run(seconds=10)
    line.say("I want to confirm my order")
    aployee_sim.run(seconds=5)
    line.press("1")
    line.hang_up()
    details = aployee_sim.call_details(call["id"])
    assert details["status"] == "completed" and details["final_state"] == {"asked": True}
    assert [t["role"] for t in details["transcript"]] == ["assistant", "user", "assistant"]
    assert ("digits", {"digits": "1"}) in [(e.type, to_json(e)) for e in aployee_sim.events(call["id"])]


def test_each_test_gets_a_fresh_simulator(aployee_sim):
    assert aployee_sim.calls == {} and aployee_sim.assistants == {} and aployee_sim.now_ms == 0


def test_far_end_of_an_unknown_call_is_a_404(aployee_sim):
    with pytest.raises(ApiError) as caught:
        far_end(aployee_sim, "call_nope")
    assert caught.value.status == 404


def test_seed_and_start_come_from_ini_and_marker(pytester):
    pytester.makeini("[pytest]\naployee_seed = 42\naployee_start = 2025-03-01T09:00:00Z\n")
    pytester.makepyfile("""
        import pytest
        from aployee_sim.api import Simulator

        def test_ini(aployee_sim):
            assert aployee_sim.seed == 42
            assert aployee_sim.create_assistant(name="A")["created_at"] == "2025-03-01T09:00:00Z"

        @pytest.mark.aployee(seed=7)
        def test_marker(aployee_sim):
            assert aployee_sim.seed == 7
            assert aployee_sim.create_assistant(name="A")["id"] == Simulator(seed=7).create_assistant(name="A")["id"]

        @pytest.mark.aployee(sede=7)
        def test_typo(aployee_sim):
            pass
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:textual-snapshot")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*aployee takes only keyword arguments seed, start, clock, webhook_in_flight; got sede*"])


def test_plugin_import_stays_light():
    """pytest imports the plugin in every integrator's run: no web stack, TUI, models or engine at start-up."""
    code = ("import sys, aployee_sim.pytest_plugin; "
            "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'starlette', 'uvicorn', 'httpx', 'textual', 'pydantic', 'sqlite3', 'hypothesis', 'fakes'} "
            "or m in {'aployee_sim.api', 'aployee_sim.contract.models', 'aployee_sim.platform.platform', 'aployee_sim.server'})))")
    heavy = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert heavy == []
