"""A reader in another process (the TUI) never sees "database is locked" while a run writes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from aployee_sim.adapters.store import Store

HERE = Path(__file__).parent


def test_reader_process_never_sees_database_is_locked(tmp_path):
    db = tmp_path / "calls.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    out = (tmp_path / "ids.txt").open("w")
    writer = subprocess.Popen([sys.executable, str(HERE / "kill_child.py"), str(db)], stdout=out, env=env)
    locked, reads, seen = 0, 0, []
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "ids.txt").read_text() and time.monotonic() < deadline:
            time.sleep(0.02)  # until the store exists and the first call is committed
        with Store(db, readonly=True) as store:  # a second writer is refused (tests/reliability/test_store_lock.py)
            start = time.monotonic()
            # At least 1.5 s, and until we have really read while it really wrote (bounded: 20 s).
            while time.monotonic() - start < 1.5 or not (reads >= 10 and seen[-1] > seen[0]):
                if time.monotonic() - start > 20:
                    break
                try:
                    page = store.list_calls(limit=20, text="renew")
                    seen.append(store.list_calls(limit=1)["total"])
                    if page["calls"]:
                        store.get_call(page["calls"][0]["id"]).timeline()
                    reads += 1
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    locked += 1
        assert writer.poll() is None, "the writer stopped early"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        out.close()
    assert locked == 0
    assert reads >= 10 and seen[-1] > seen[0]  # we really read while it really wrote
