"""Readable output: colour, an expected/actual diff and a progress bar on a terminal (the real CLI
on a pseudo-terminal), plain text when piped or NO_COLOR is set; `--help` texts without internal
class names."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

CLI = str(Path(sys.executable).with_name("aployee-sim"))

SCENARIO = """\
name: wrong state
assistants:
  a: {name: Ann, end_call_phrases: [bye], intents: [{keywords: [hello], reply: "Hi, bye", update: {mood: glad}}]}
calls:
  - assistant: a
    to: "+15551234567"
    initial_state: {customer: c1}
    caller: [{say: Hello there.}]
    expect:
      final_state: {customer: c1, mood: sad}
"""


def in_a_terminal(argv: list[str], env: dict[str, str], timeout_s: float = 60) -> tuple[int, str]:
    """Run argv with stdout and stderr on a pseudo-terminal; (exit code, everything it wrote)."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks, deadline = [], time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif child.poll() is not None:
            break
    os.close(leader)
    return child.wait(10), b"".join(chunks).decode("utf-8", "replace")


def test_failures_are_coloured_with_a_diff_on_a_terminal_and_plain_otherwise(tmp_path):
    path = tmp_path / "wrong.scenario.yaml"
    path.write_text(SCENARIO)
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    code, shown = in_a_terminal([CLI, "run", str(path)], {**env, "TERM": "xterm-256color"})
    assert code == 1
    assert "\x1b[32m    expected: " in shown and "\x1b[31m    actual:   " in shown, shown
    assert "\x1b[31m      + mood: \"glad\"" in shown and "\x1b[32m      - mood: \"sad\"" in shown
    assert "[--------------------] 0/1 finished, 1 running" in shown       # the progress bar
    code, shown = in_a_terminal([CLI, "run", str(path)], {**env, "NO_COLOR": "1"})
    assert code == 1 and "\x1b[3" not in shown.replace("\x1b[K", "")
    piped = subprocess.run([CLI, "run", str(path)], capture_output=True, text=True, timeout=60, env=env)
    assert "\x1b" not in piped.stdout
    assert ("    diff (- expected, + actual):\n      - mood: \"sad\"\n      + mood: \"glad\"\n") in piped.stdout


def test_help_texts_speak_the_users_language():
    from aployee_sim.cli import COMMAND_MODULES
    modules = [name.rsplit(".", 1)[1] for name in COMMAND_MODULES]
    internal = re.compile(r"\b[A-Z][a-z]+[A-Z][A-Za-z]*\b")   # CamelCase: a class name
    for command in ("import" if m == "importcall" else m for m in modules):
        shown = subprocess.run([CLI, command, "--help"], capture_output=True, text=True, timeout=60).stdout
        assert shown and not internal.findall(shown), (command, internal.findall(shown))


def test_call_input_wav_without_the_voice_extra_names_the_package_first():
    wav = next((Path(__file__).resolve().parents[2] / "scenarios" / "clips").glob("*.wav"))
    code = ("import sys; sys.modules['vosk'] = None\n"
            "from aployee_sim.cli import main\n"
            f"sys.exit(main(['call', '--input-wav', {str(wav)!r}]))")
    env = {k: v for k, v in os.environ.items() if k != "APLOYEE_SIM_VOSK_MODEL"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    assert done.stderr == ("aployee-sim: error: the Python package vosk is not installed. Fix: install the voice "
                           "extra: pip install 'aployee-sim[voice]'\n")


def test_final_state_includes_failure_shows_the_state_turn_by_turn_under_its_own_label(tmp_path):
    path = tmp_path / "missing.scenario.yaml"
    path.write_text(SCENARIO.replace("final_state: {customer: c1, mood: sad}", "final_state_includes: {outcome: done}"))
    done = subprocess.run([CLI, "run", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert ("expect.final_state_includes.outcome\n    expected: done\n    actual:   absent from the final state\n"
            '    state turn by turn:\n      initial: {"customer": "c1"}\n') in done.stdout, done.stdout
    assert '      final: {"customer": "c1", "mood": "glad"}' in done.stdout
    assert "transcript:" not in done.stdout
