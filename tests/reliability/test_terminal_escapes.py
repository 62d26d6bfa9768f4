"""Escape sequences in outside text never reach the terminal raw (docs/contract.md §7, "Text shown on
a terminal").

A webhook reply, caller text, an assistant's name and a scenario name carry an OSC 0 title, a CSI
2J clear, an OSC 52 clipboard write, a C1 CSI and Rich markup. `run` (failure output, the summary
table, the progress lines) and `trigger` print them as visible characters: no ESC, BEL or C1 byte
comes out, and `[red]` is shown as written. The TUI's side is tests/tui/test_tui_tmux.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

from hostile_receiver import CORPUS, HostileReceiver

CLI = [sys.executable, "-m", "aployee_sim"]
TITLE, CLEAR, CLIPBOARD, C1_CSI = "\x1b]0;pwned\x07", "\x1b[2J", "\x1b]52;c;cHduZWQ=\x07", "\x9b2J"
HOSTILE = f"{TITLE}{CLEAR}{CLIPBOARD}{C1_CSI}\r\x7f[red]x[/red]"
RAW = ("\x1b", "\x07", "\x9b", "\r", "\x7f")
SCENARIO = CORPUS / "terminal_escapes.yaml"  # the same text in YAML escapes (\e, \a, \x9b)


def assert_neutral(text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"{raw!r} reached the terminal: {text[:2000]!r}"


def test_run_prints_hostile_text_as_visible_characters(tmp_path):
    done = subprocess.run([*CLI, "run", str(SCENARIO), "--db", str(tmp_path / "calls.db")],
                          capture_output=True, timeout=120, cwd=tmp_path)
    stdout, stderr = done.stdout.decode(), done.stderr.decode()  # bytes: text mode would turn \r into \n
    assert done.returncode == 1, stderr
    assert_neutral(stdout)
    assert_neutral(stderr)
    assert "ok ␛]0;pwned␇␛[2J␛]52;c;cHduZWQ=␇\ufffd2J␍␡[red]x[/red]" in stdout  # the failure's transcript
    assert "hostile ␛]0;pwned" in stdout  # the summary table
    assert "[1/1] hostile ␛]0;pwned" in stderr  # the progress line (not a terminal: plain lines)


def test_trigger_prints_a_hostile_answer_as_visible_characters():
    with HostileReceiver() as receiver:
        receiver.answer("Hello", json.dumps({"reply": HOSTILE, "state": {HOSTILE: HOSTILE}}, ensure_ascii=False))
        done = subprocess.run([*CLI, "trigger", receiver.url], capture_output=True, timeout=60)
    stdout, stderr = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, stderr
    assert_neutral(stdout)
    assert_neutral(stderr)
    assert "reply spoken: ␛]0;pwned␇␛[2J" in stdout
