"""MCP in scenario files: the bundled tutorials, determinism across processes, errors at their line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aployee_sim.explore import explore_scenario
from aployee_sim.scenario.errors import ScenarioInvalid
from aployee_sim.scenario.expectations import evaluate
from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.runner import run_scenario

BUNDLED = sorted((Path(__file__).parents[2] / "scenarios").glob("mcp_*.scenario.yaml"))


def test_there_are_the_three_tutorials():
    assert [p.name for p in BUNDLED] == ["mcp_failing_tool.scenario.yaml", "mcp_order_lookup.scenario.yaml",
                                        "mcp_slow_tool.scenario.yaml"]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_the_bundled_mcp_scenarios_pass(path):
    assert evaluate(run_scenario(load_scenario(path))) == []


def _export(folder: Path) -> dict[str, bytes]:
    done = subprocess.run([sys.executable, "-m", "aployee_sim.cli", "run", *map(str, BUNDLED), "--export",
                           str(folder)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


def test_two_processes_export_byte_identical_files(tmp_path):
    first, second = _export(tmp_path / "a"), _export(tmp_path / "b")
    assert len(first) == 3 and first == second
    assert b'"kind": "mcp"' in first["mcp-order-lookup/01-calls-0.json"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


WORLD = """\
assistants:
  bot:
    name: Bot
    reasoning_mode: mcp
    mcp_config:
      server_url: https://t.test/mcp
      tools: [check_order_status]
      rules:
        - pattern: 'order (?P<n>\\d+)'
          tool: {tool}
          arguments: {{order_id: "{{n}}"}}
mcp_tools:
  https://t.test/mcp:
    - {{tool: check_order_status, result: {{status: ok}}}}
calls:
  - assistant: bot
    to: "+15551234567"
    caller: [{{say: order 1}}, {{say: bye}}, hangup]
    expect:
      mcp:
        calls: [{{tool: check_order_status, arguments: {{order_id: "2"}}}}]
"""


def test_a_rule_naming_a_tool_outside_the_allow_list_points_at_its_line(tmp_path):
    with pytest.raises(ScenarioInvalid) as caught:
        run_scenario(load_scenario(_write(tmp_path, WORLD.format(tool="cancel_order"))))
    [error] = caught.value.errors
    assert error.mark.line == 10 and "'cancel_order' is not in the mcp_config.tools allow-list" in error.message


def test_a_failed_tool_call_expectation_is_reported_at_its_line(tmp_path):
    [failure] = evaluate(run_scenario(load_scenario(_write(tmp_path, WORLD.format(tool="check_order_status")))))
    assert failure.key == "expect.mcp.calls.0" and failure.line == 21
    assert 'check_order_status({"order_id": "1"}) -> ok' in failure.actual


def test_validate_notes_allow_listed_tools_the_stubs_lack_and_reports_rule_errors(tmp_path):
    done = subprocess.run([sys.executable, "-m", "aployee_sim.cli", "validate", str(BUNDLED[1])],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stdout.splitlines() if ": note: " in line]
    assert len(notes) == 3 and all("shared/mcp_shop.yaml:12:" in line for line in notes)
    assert "provide no 'create_ticket': calling it fails (missing tool)" in notes[-1]
    bad = _write(tmp_path, WORLD.format(tool="check_order_status").replace('"{n}"', '"{m}"')
                 .replace("https://t.test/mcp:", "https://other.test/mcp:"))
    done = subprocess.run([sys.executable, "-m", "aployee_sim.cli", "validate", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "t.scenario.yaml:11:" in done.stderr and "unknown field {m}" in done.stderr
    assert "t.scenario.yaml:14:" in done.stderr and "no MCP assistant uses 'https://other.test/mcp'" in done.stderr


FAILING = WORLD.format(tool="check_order_status").replace(
    "{tool: check_order_status, result: {status: ok}}", "{tool: check_order_status, fail: connection_error}").replace(
    """      mcp:
        calls: [{tool: check_order_status, arguments: {order_id: "2"}}]
""", """      invariants: [backend_ok]
explore:
  vocabulary: {phrases: [order 1, hello]}
  carrier: [answer]
""")


def test_backend_ok_reports_a_failed_tool_call_once_from_its_event(tmp_path):
    """Before exchanges were typed, `backend_ok` read every exchange as a webhook's and a failed tool
    call raised `KeyError: 'request'` out of the run."""
    [failure] = evaluate(run_scenario(load_scenario(_write(tmp_path, FAILING))))
    assert failure.expected.startswith("backend_ok") and "mcp_tool_called" in failure.actual
    assert "connection error" in failure.actual


def test_explore_reaches_tool_calls_in_an_mcp_world(tmp_path):
    """Coverage read every exchange as a webhook's (`x["url"]`): the first tool call broke the run,
    reported as a flaky failure after two calls."""
    world = FAILING.replace("fail: connection_error", "result: {status: ok}").replace(
        "      invariants: [backend_ok]\n", "      status: completed\n")
    result = explore_scenario(_write(tmp_path, world), examples=20, seed=0, database=None)
    assert result.passed, result.report
    assert result.coverage.calls == 20
