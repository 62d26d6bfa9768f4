"""pytest collects `*.scenario.yaml` files as items (run in a child pytest, as a user would)."""

import subprocess
import sys
import textwrap

import pytest

SCENARIO = """
name: {name}
markers: [{marker}]
assistants:
  a: {{name: Ann, end_call_phrases: [bye], intents: [{{keywords: [hello], reply: "Hi, bye"}}]}}
calls:
  - assistant: a
    to: "+15551234567"
    caller: [{{say: Hello there.}}]
    expect: {{status: completed, reason: {reason}}}
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "good.scenario.yaml").write_text(SCENARIO.format(name="good call", marker="fast",
                                                                 reason="hangup_assistant"))
    (tmp_path / "bad.scenario.yaml").write_text(SCENARIO.format(name="bad call", marker="slow", reason="busy"))
    (tmp_path / "wrong.scenario.yaml").write_text(SCENARIO.format(name="wrong call", marker="slow",
                                                                  reason="hangup_user"))
    (tmp_path / "other.yml").write_text(SCENARIO.format(name="other call", marker="fast",
                                                        reason="hangup_assistant"))
    (tmp_path / "pytest.ini").write_text(f"[pytest]\naddopts = {LEAN}\n")
    return tmp_path


# Plugins these tests do not need, left out so each child pytest starts quickly.
LEAN = "-p no:cacheprovider -p no:hypothesispytest -p no:schemathesis -p no:textual-snapshot -p no:syrupy"


def pytest_in(folder, *args):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=folder, capture_output=True,
                          text=True, timeout=120)


def test_items_pass_fail_read_like_the_cli_and_spread_over_xdist(project):
    done = pytest_in(project, "-n", "2")
    assert done.returncode == 1
    out = done.stdout
    assert "1 passed" in out and "2 failed" in out
    assert "bad.scenario.yaml:10:41: calls[0].expect.reason: reason 'busy' ends a call as 'failed', not " \
           "'completed'" in out
    assert "expect.reason\n    expected: hangup_user\n    actual:   hangup_assistant (status: completed)" in out
    assert "FAILED wrong.scenario.yaml::wrong call" in out
    assert "Traceback" not in out


def test_k_and_markers_select_items(project):
    # -m alone would keep good and wrong (the invalid file has no markers), -k alone wrong and bad.
    done = pytest_in(project, "-m", "fast or slow", "-k", "not good")
    assert "1 failed, 2 deselected" in done.stdout and "wrong call" in done.stdout


def test_the_glob_is_an_ini_option(project):
    (project / "pytest.ini").write_text(f"[pytest]\naddopts = {LEAN}\nscenario_glob = *.yml\n")
    done = pytest_in(project)
    assert done.returncode == 0 and "1 passed" in done.stdout


def test_the_glob_takes_space_separated_patterns_as_the_docs_show(project):
    (project / "extra.flow.yaml").write_text(SCENARIO.format(name="flow call", marker="fast",
                                                             reason="hangup_assistant"))
    (project / "pytest.ini").write_text(f"[pytest]\naddopts = {LEAN}\nscenario_glob = *.scenario.yaml *.flow.yaml\n")
    done = pytest_in(project)
    assert "2 failed, 2 passed in" in done.stdout, done.stdout     # good call + flow call pass
    assert "FAILED extra.flow.yaml" not in done.stdout and "matched no file" not in done.stdout


def test_a_pattern_that_matches_nothing_is_a_warning(project):
    (project / "pytest.ini").write_text(f"[pytest]\naddopts = {LEAN}\nscenario_glob = *.scenario.yaml\n"
                                        "    *.flows.yaml\n")
    done = pytest_in(project)
    assert "scenario_glob pattern '*.flows.yaml' matched no file" in done.stdout, done.stdout
    assert "PytestConfigWarning" in done.stdout and "2 failed, 1 passed, 1 warning" in done.stdout


def test_the_plugin_module_imports_nothing_heavy():
    code = textwrap.dedent("""
        import sys
        import aployee_sim.scenario.pytest_collect
        heavy = [m for m in ("pydantic", "yaml", "aployee_sim.api", "aployee_sim.scenario.schema") if m in sys.modules]
        print(heavy)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


FIXTURE_TESTS = '''
import pytest
from aployee_sim.testing import far_end


@pytest.mark.parametrize("n", range(6))
def test_in_process(aployee_sim, n):
    asst = aployee_sim.create_assistant(name=f"A{n}")
    call = aployee_sim.start_call(asst["id"], "+15551234567")
    aployee_sim.run(seconds=10)  # dialing (1 s) and ringing (2-6 s) are over: the call is answered
    far_end(aployee_sim, call["id"]).hang_up()
    aployee_sim.run()
    assert aployee_sim.call_details(call["id"])["status"] == "completed"
    assert call["id"] == "%s"  # the same seed gives the same id in every worker


@pytest.mark.parametrize("n", range(4))
def test_server(aployee_server, n):
    assert aployee_server.v1("GET", "/calls")["total"] == 0  # reset before each test, on each worker's server
    asst = aployee_server.v1("POST", "/assistants", {"name": f"S{n}"})
    call = aployee_server.v1("POST", "/calls", {"assistant_id": asst["id"], "to": "+15005550004"})
    assert aployee_server.wait_for(call["id"], "completed", "failed")["status"] == "completed"
'''


def test_fixtures_and_scenario_items_stay_correct_under_xdist(project):
    from aployee_sim.api import Simulator
    with Simulator(seed=0) as sim:
        first_id = sim.start_call(sim.create_assistant(name="A0")["id"], "+15551234567")["id"]
    (project / "test_fixtures.py").write_text(FIXTURE_TESTS % first_id)
    serial = pytest_in(project, "-p", "no:xdist")
    spread = pytest_in(project, "-n", "2")
    for done in (serial, spread):
        assert "2 failed, 11 passed" in done.stdout, done.stdout[-2000:]
        assert "FAILED bad.scenario.yaml" in done.stdout and "FAILED wrong.scenario.yaml" in done.stdout
    assert "bringing up nodes" in spread.stdout  # it really ran on xdist workers
