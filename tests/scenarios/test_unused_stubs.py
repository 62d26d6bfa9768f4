"""Webhook stubs that no request used are reported (a warning), or fail the scenario on request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("aployee-sim"))

SCENARIO = """\
name: stubs{strict}
assistants:
  alex: {{name: Alex, reasoning_mode: webhook, webhook_url: "https://hooks.example.test/r", end_call_phrases: [bye]}}
webhooks:
  https://hooks.example.test/r:
    - when: order
      reply: It ships today, bye.
    - when: refnud
      reply: Refund started, bye.
calls:
  - assistant: alex
    to: "+15551234567"
    caller: [{{say: "Where is my order?"}}]
    expect: {{status: completed}}
"""


def write(folder: Path, strict: str = "") -> Path:
    path = folder / "stubs.scenario.yaml"
    path.write_text(SCENARIO.format(strict=strict))
    return path


def test_an_unused_stub_is_a_warning_with_its_line(tmp_path):
    path = write(tmp_path)
    done = subprocess.run([CLI, "run", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (f"{path}:8: warning: webhook stub https://hooks.example.test/r rule 2 (when: 'refnud') answered "
            "nothing: no request matched it first") in done.stderr
    assert "rule 1" not in done.stderr


def test_the_scenario_key_makes_it_a_failure(tmp_path):
    path = write(tmp_path, "\nunused_stubs: error")
    done = subprocess.run([CLI, "run", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "scenario: webhooks[https://hooks.example.test/r][1]" in done.stdout
    assert "actual:   webhook stub https://hooks.example.test/r rule 2 (when: 'refnud') answered nothing" in done.stdout


def test_the_pytest_option_makes_it_a_failure(tmp_path):
    write(tmp_path)
    lean = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:schemathesis"]
    warned = subprocess.run([sys.executable, "-m", "pytest", "-q", *lean], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert warned.returncode == 0 and "answered nothing" in warned.stdout and "1 warning" in warned.stdout
    (tmp_path / "pytest.ini").write_text("[pytest]\naployee_unused_stubs = error\n")
    failed = subprocess.run([sys.executable, "-m", "pytest", "-q", *lean], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert failed.returncode == 1 and "rule 2 (when: 'refnud') answered nothing" in failed.stdout
