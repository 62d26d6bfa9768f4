"""One writer per store file: a second `serve --db` (or `run --db`) on a file a server is writing is
refused in one line naming the holder; readers (the TUI) still open it.

The attack (issue 22, item 2): two servers on one file with the default seed both started, issued
the same ids and overwrote each other's rows: six calls acknowledged with 201, three stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from serve_process import KEY, Served

from aployee_sim.adapters.store import Store, StoreError
from aployee_sim.tui.sources.store_source import StoreSource

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "busy.scenario.yaml"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, bounded (a refused writer must exit at once, not serve)."""
    return subprocess.run([sys.executable, "-m", "aployee_sim.cli", *args], capture_output=True, text=True,
                          timeout=30, env={**os.environ, "APLOYEE_KEY": KEY})


def assert_refused_by(done: subprocess.CompletedProcess[str], holder: Served, db: Path) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("aployee-sim: error: --db"), line
    assert (f"the store {db} is open for writing by pid {holder.proc.pid} (aployee-sim serve --port 0 --db {db}): "
            "one writer per file") in line, line
    assert "Traceback" not in done.stderr


def test_a_second_writer_is_refused_naming_the_holder_and_readers_still_open(tmp_path):
    db = tmp_path / "calls.db"
    with Served(["--db", str(db)]) as first, first.client() as api:
        assistant = api.post("/v1/assistants", json={"name": "Alex"}).json()
        assert api.post("/v1/calls", json={"assistant_id": assistant["id"], "to": "+15551234567"}).status_code == 201

        assert_refused_by(cli("serve", "--port", "0", "--db", str(db)), first, db)
        assert_refused_by(cli("run", str(SCENARIO), "--db", str(db)), first, db)

        source = StoreSource(db)  # what `tui --db` opens: a reader, beside the writer
        try:
            assert [row.assistant_name for row in source.call_rows()] == ["Alex"]
        finally:
            source.close()
        assert api.get("/v1/calls").json()["data"][0]["assistant_id"] == assistant["id"]  # the holder goes on


def test_the_lock_goes_with_its_holder_even_when_killed(tmp_path):
    db = tmp_path / "calls.db"
    Served(["--db", str(db)]).stop()
    first = Served(["--db", str(db)])  # after a clean stop
    first.kill()
    with Served(["--db", str(db)]) as third, third.client() as api:  # after kill -9: the kernel dropped the lock
        assert api.get("/v1/calls").status_code == 200


def test_two_paths_to_one_file_share_its_lock(tmp_path):
    """A link to the store is the same store: its writer lock is the file's, not the name's."""
    db = tmp_path / "calls.db"
    link = tmp_path / "link.db"
    link.symlink_to(db)
    with Store(db):
        with pytest.raises(StoreError, match=rf"the store {link} is open for writing by pid {os.getpid()} "):
            Store(link)
        Store(link, readonly=True).close()  # a reader through the link is welcome
    Store(link).close()  # the first writer closed: the lock is free
