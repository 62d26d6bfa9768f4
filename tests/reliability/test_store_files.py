"""Hostile store files: every command that opens one refuses it in one line, exit 2, and never hangs.

The attacks (issue 22, item 6): `serve --db` on a file with one damaged page started and answered
every POST with a 500, `run --db` printed a traceback, `tui --db` on a FIFO hung, and `tui` opened a
newer-schema file that `serve` refused. Every command now opens a store through the same checks
(`aployee_sim.adapters.store.opening`), so each attack is tried on each of them, as real processes
with a bound: a hang is a `TimeoutExpired`, a failure of the test.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from aployee_sim.adapters.store import Store
from aployee_sim.adapters.store.db import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = [REPO / "scenarios" / name for name in ("busy.scenario.yaml", "barge_in.scenario.yaml")]
BOUND_S = 30  # far above a refusal (an import and a stat); a hang on a FIFO never ends

COMMANDS = {  # each command with its store argument last
    "serve": ["serve", "--port", "0", "--db"],
    "run": ["run", str(SCENARIOS[0]), "--db"],
    "tui": ["tui", "--db"],
    "trigger": ["trigger", "http://127.0.0.1:9/reason", "--call", "call_x", "--db"],
}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aployee_sim.cli", *args], capture_output=True, text=True,
                          timeout=BOUND_S, stdin=subprocess.DEVNULL, env={**os.environ, "APLOYEE_KEY": "k"})


def refusal(command: str, db: Path) -> str:
    """The one line a command prints for this file, having checked it exits 2 without a traceback."""
    done = cli(*COMMANDS[command], str(db))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("aployee-sim: error: "), line
    return line


@pytest.fixture(scope="module")
def populated(tmp_path_factory) -> Path:
    """A real store (two scenario runs), with everything checkpointed into the main file."""
    db = tmp_path_factory.mktemp("store") / "calls.db"
    done = cli("run", *map(str, SCENARIOS), "--db", str(db))
    assert done.returncode in (0, 1), done.stderr
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert conn.execute("PRAGMA page_count").fetchone()[0] > 10
    return db


def damaged_copy(populated: Path, into: Path) -> tuple[Path, int]:
    """A copy with garbage written over one page in the middle (past the header); returns its number."""
    copy = into / "damaged.db"
    shutil.copyfile(populated, copy)
    with closing(sqlite3.connect(populated)) as conn:
        size, count = (conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count"))
    page = count // 2 + 1
    with copy.open("r+b") as f:
        f.seek((page - 1) * size)
        f.write(bytes(range(256)) * 2)
    return copy, page


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_damaged_page_is_refused_by_every_command(populated, tmp_path, command):
    db, page = damaged_copy(populated, tmp_path)
    line = refusal(command, db)
    assert f"the store {db} is damaged (PRAGMA quick_check: Page {page}: " in line, line
    assert f"`sqlite3 {db} .recover`" in line


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_fifo_is_refused_at_once_by_every_command(tmp_path, command):
    fifo = tmp_path / "calls.db"
    os.mkfifo(fifo)
    line = refusal(command, fifo)  # within BOUND_S: opening it would block until a writer came
    assert "FIFO" in line or "not a regular file" in line, line  # serve/run: their argument check says it first


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_newer_schema_is_refused_by_every_command(populated, tmp_path, command):
    db = tmp_path / "newer.db"
    shutil.copyfile(populated, db)
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA user_version = 99")
    line = refusal(command, db)
    assert f"the store {db} was written by a newer aployee-sim (schema 99, this one reads {SCHEMA_VERSION})" in line, line


def test_the_intact_original_still_opens(populated):
    """The attacks above were on copies: the checks do not refuse a good file."""
    with Store(populated, readonly=True) as store:
        assert store.list_calls(limit=1)["total"] >= 2
