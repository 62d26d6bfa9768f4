"""`aployee-sim validate` reports every mistake of a file in one pass (a real subprocess run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("aployee-sim"))

MISTAKES = """\
name: two mistakes
assistants:
  alex: {name: Alex}
calls:
  - assistant: alexx
    to: "+15551234567"
    caller: [{say: hi}]
    expect: {status: complete}
"""


def test_unknown_assistant_and_misspelt_status_in_one_pass(tmp_path):
    path = tmp_path / "two.scenario.yaml"
    path.write_text(MISTAKES)
    done = subprocess.run([CLI, "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{path}:5:16: calls[0].assistant: unknown assistant 'alexx'; defined: alex (did you mean 'alex'?)",
        f"{path}:8:22: calls[0].expect.status: found 'complete' (a string); allowed: completed, failed, "
        "transferred (did you mean 'completed'?)",
        "0 of 1 scenario file valid"]


def test_cross_check_and_audio_mistakes_together(tmp_path):
    path = tmp_path / "both.scenario.yaml"
    path.write_text(MISTAKES.replace("{status: complete}", "{status: completed}").replace(
        "[{say: hi}]", "[{say_audio: missing.wav}]"))
    done = subprocess.run([CLI, "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown assistant 'alexx'" in done.stderr and "missing.wav" in done.stderr, done.stderr
