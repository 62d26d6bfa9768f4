"""End to end: the real `aployee-sim tui` in a real terminal (tmux), driven by keys, read by capture-pane.

A private tmux server (`-L`, a unique socket name) keeps this test away from any other tmux
use on the machine; it is killed at the end whatever happens. Every wait is bounded.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
CLI = Path(sys.executable).with_name("aployee-sim")

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (.ci/run installs it)")


class Terminal:
    def __init__(self, command: str, cwd: Path) -> None:
        self.socket = f"aployee-tui-{uuid.uuid4().hex[:10]}"
        env = {**os.environ, "TERM": "xterm-256color"}
        # The shell stays after the app exits, so a crash stays readable in the pane.
        wrapped = f"{command}; echo APP-EXITED-$?; sleep 60"
        # set-clipboard on: an OSC 52 the app lets through would become a tmux paste buffer.
        subprocess.run([TMUX, "-L", self.socket, "new-session", "-d", "-s", "tui", "-x", "80", "-y", "24",
                        "-c", str(cwd), wrapped, ";", "set-option", "-g", "set-clipboard", "on"],
                       check=True, env=env, timeout=10)

    def screen(self, *, escapes: bool = False) -> str:
        """The pane's text; with `escapes` its styles as the SGR sequences tmux keeps (`-e`)."""
        result = subprocess.run([TMUX, "-L", self.socket, "capture-pane", "-p", *(["-e"] if escapes else []),
                                 "-t", "tui"], capture_output=True, text=True, timeout=10)
        return result.stdout

    def tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10).stdout

    def keys(self, *keys: str) -> None:
        for key in keys:  # one key per call: "Escape" then "p" must not become alt+p
            subprocess.run([TMUX, "-L", self.socket, "send-keys", "-t", "tui", key], check=True, timeout=10)
            time.sleep(0.05)

    def type(self, text: str) -> None:
        subprocess.run([TMUX, "-L", self.socket, "send-keys", "-t", "tui", "-l", text], check=True, timeout=10)

    def wait_for(self, needle: str, timeout_s: float = 20.0) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            screen = self.screen()
            if needle in screen:
                return screen
            if "APP-EXITED" in screen or time.monotonic() > deadline:
                pytest.fail(f"{needle!r} did not appear on the terminal; it shows:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([TMUX, "-L", self.socket, "kill-server"], capture_output=True, timeout=10)


def test_role_play_in_a_real_terminal(tmp_path):
    assert CLI.exists(), f"the console script is not installed next to {sys.executable}"
    command = f"{shlex.quote(str(CLI))} tui --speed 10 --silence-timeout 300 --export-dir {shlex.quote(str(tmp_path))}"
    terminal = Terminal(command, tmp_path)
    try:
        screen = terminal.wait_for("1 of 1 calls")
        assert "completed" in screen and "Alex" in screen
        terminal.keys("p")
        terminal.wait_for("Role-play a call")
        terminal.keys("Enter")
        terminal.wait_for("Hi, this is Alex")
        terminal.type("How much does it cost?")
        terminal.keys("Enter")
        screen = terminal.wait_for("forty dollars a")
        assert "How much does it cost?" in screen and "asked_price" in screen
        terminal.keys("C-g")
        terminal.wait_for("call ended")
        terminal.keys("C-o")
        terminal.wait_for("1 Conversation")
        terminal.keys("y")
        deadline = time.monotonic() + 10
        while not list(tmp_path.glob("*.scenario.yaml")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "How much does it cost?" in next(tmp_path.glob("*.scenario.yaml")).read_text()
        terminal.keys("C-q")
        terminal.wait_for("APP-EXITED-0")
    finally:
        terminal.close()


HOSTILE_SCENARIO = Path(__file__).parents[1] / "reliability" / "corpus" / "terminal_escapes.yaml"


def test_escape_sequences_in_a_call_do_not_reach_the_terminal(tmp_path):
    """A stored call whose assistant name, transcript and webhook reply carry an OSC 0 title, a
    clear screen and an OSC 52 clipboard write (docs/contract.md §7): the TUI shows them as
    visible characters; the pane's title, the clipboard (tmux buffers) and the screen are untouched."""
    store = tmp_path / "calls.db"
    subprocess.run([str(CLI), "run", str(HOSTILE_SCENARIO), "--db", str(store)], capture_output=True, timeout=120)
    terminal = Terminal(f"{shlex.quote(str(CLI))} tui --db {shlex.quote(str(store))}", tmp_path)
    try:
        terminal.wait_for("1 of 1 calls")
        terminal.keys("Enter")
        screen = terminal.wait_for("ok ␛]0;pwned␛[2J␛]52;c;")  # Rich drops BEL and CR on its own
        assert "Hello ␛]0;pwned" in screen and "[red]x[/red]" in screen
        for tab in ("2", "3", "4", "Escape"):  # timeline, webhooks, summary, then back to the list
            terminal.keys(tab)
            time.sleep(0.5)
            styled = terminal.screen(escapes=True)
            assert "\x1b]" not in styled and "\x07" not in styled, styled  # no OSC survived as text either
        terminal.wait_for("1 of 1 calls")
        assert "pwned" not in terminal.tmux("display-message", "-p", "-t", "tui", "#{pane_title}")
        assert terminal.tmux("list-buffers") == ""
        terminal.keys("C-q")
        terminal.wait_for("APP-EXITED-0")
    finally:
        terminal.close()
