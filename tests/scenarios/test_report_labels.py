"""Failure reports label their context with what it is (a real `aployee-sim run`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("aployee-sim"))

SCENARIO = """\
name: missing key
assistants:
  a: {name: Ann, end_call_phrases: [bye], intents: [{keywords: [hello], reply: "Hi, bye"}]}
calls:
  - assistant: a
    to: "+15551234567"
    initial_state: {customer: c1}
    caller: [{say: Hello there.}]
    expect:
      final_state_includes: {outcome: done}
"""


def test_final_state_includes_failure_shows_the_final_state_under_its_own_label(tmp_path):
    path = tmp_path / "missing.scenario.yaml"
    path.write_text(SCENARIO)
    done = subprocess.run([CLI, "run", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert ("expect.final_state_includes.outcome\n    expected: done\n    actual:   absent from the final state\n"
            '    final state:\n      {"customer": "c1"}') in done.stdout, done.stdout
    assert "transcript:" not in done.stdout
