"""`kill -9` during a busy run loses no acknowledged call and leaves a database that opens cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from aployee_sim.adapters.store import Store

HERE = Path(__file__).parent


def test_kill_9_loses_no_acknowledged_call(tmp_path):
    db = tmp_path / "calls.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, str(HERE / "kill_child.py"), str(db)], stdout=subprocess.PIPE,
                             text=True, env=env)
    acknowledged: list[str] = []
    deadline = time.monotonic() + 30
    try:
        assert child.stdout is not None
        while len(acknowledged) < 400 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            acknowledged.append(line.strip())
        os.kill(child.pid, signal.SIGKILL)
        acknowledged += [line.strip() for line in child.stdout]  # ids printed before the kill landed
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 400, "the child did not get going"
    with Store(db) as store:
        assert store.integrity_check() == "ok"
        stored = set(store.call_ids())
        assert not [cid for cid in acknowledged if cid not in stored]
        for cid in acknowledged[:: max(1, len(acknowledged) // 20)]:
            assert store.get_call(cid).details()["id"] == cid  # rows load and project cleanly
