"""`aployee-sim run --jobs N`: scenarios at once, and every output the same as one after another.

Compared byte for byte between `--jobs 1` and `--jobs N`: stdout, stderr (plain progress lines),
JUnit, JSON results, every per-call export, and the `--db` store (its full SQL dump). Once on the
bundled example library (in-process stubs, MCP stubs, carrier outcomes, inbound routing), once
against a real loopback receiver answering every request after a random wall delay, where the
receiver also proves the scenarios' requests really overlapped.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from aployee_sim.scenario.workers import in_order
from tests.pipeline.receiver import Receiver

WEBHOOK_SCENARIO = """\
name: desk {n}
seed: {n}
assistants:
  desk: {{name: Riley, reasoning_mode: webhook, webhook_url: "{url}", first_message: Hi there.}}
calls:
  - assistant: desk
    to: "+1555000{n:04d}"
    caller: [{{say: first {n}}}, {{say: second {n}}}, {{say: third {n}}}]
    expect: {{status: completed, transcript: {{contains: ["You said third {n}."]}}}}
"""


def _run(folder: Path, out: Path, jobs: int, *paths: str) -> dict[str, bytes]:
    """Every output of one `aployee-sim run`, by name (a child process, as a user runs it)."""
    out.mkdir()
    done = subprocess.run([sys.executable, "-m", "aployee_sim.cli", "run", *paths, "--jobs", str(jobs),
                           "--junit", str(out / "junit.xml"), "--json", str(out / "results.json"),
                           "--export", str(out / "export"), "--db", str(out / "calls.db")],
                          cwd=folder, capture_output=True, timeout=300)
    outputs = {"exit": str(done.returncode).encode(), "stdout": done.stdout, "stderr": done.stderr,
               "junit": (out / "junit.xml").read_bytes(), "json": (out / "results.json").read_bytes()}
    for path in sorted((out / "export").rglob("*.json")):
        outputs[str(path.relative_to(out))] = path.read_bytes()
    with sqlite3.connect(out / "calls.db") as db:
        outputs["db"] = "\n".join(db.iterdump()).encode()
    return outputs


def _same(first: dict[str, bytes], second: dict[str, bytes]) -> None:
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name


def test_the_bundled_library_gives_the_same_bytes_with_any_number_of_jobs(tmp_path):
    one = _run(tmp_path, tmp_path / "one", 1, "--examples")
    many = _run(tmp_path, tmp_path / "many", 8, "--examples")
    assert len([name for name in one if name.startswith("export")]) >= 20
    assert b"INSERT INTO \"runs\"" in one["db"] and b"INSERT INTO \"events\"" in one["db"]
    _same(one, many)


def test_scenarios_against_a_real_receiver_overlap_and_give_the_same_bytes(tmp_path):
    rng = random.Random(3)
    with Receiver() as receiver:
        for n in range(8):
            (tmp_path / f"desk{n}.scenario.yaml").write_text(WEBHOOK_SCENARIO.format(n=n, url=receiver.url))
        receiver.delay = lambda body: rng.uniform(0, 0.05)
        one = _run(tmp_path, tmp_path / "one", 1, ".")
        assert receiver.max_active == 1  # one-call scenarios, one after another: one request at a time
        many = _run(tmp_path, tmp_path / "many", 8, ".")
        assert receiver.max_active > 1  # the scenarios' requests really travelled at the same time
    assert one["exit"] == b"0", one["stdout"] + one["stderr"]
    assert len(receiver.received) == 2 * 8 * 3
    _same(one, many)


def test_results_come_back_in_order_whatever_order_they_finish_in():
    finished: list[int] = []
    progress: list[tuple[int, int]] = []

    def slow_first(k: int) -> int:
        time.sleep(0.2 if k == 0 else 0.0)
        finished.append(k)
        return k * 10

    results = list(in_order(slow_first, range(5), 5, on_finished=lambda done, running: progress.append((done, running))))
    assert results == [0, 10, 20, 30, 40]
    assert finished[-1] == 0  # the first item finished last, and still came back first
    assert (4, 1) in progress and progress[-1] == (5, 0)  # the others were counted as they finished


def test_an_error_is_raised_at_its_items_turn_and_the_rest_is_dropped():
    started: list[int] = []
    lock = threading.Lock()

    def work(k: int) -> int:
        with lock:
            started.append(k)
        if k == 1:
            raise ValueError("item 1 broke")
        time.sleep(0.01)
        return k

    results = in_order(work, range(100), 1)
    assert next(results) == 0
    with pytest.raises(ValueError, match="item 1 broke"):
        next(results)
    time.sleep(0.05)
    assert len(started) < 100  # the items not started were cancelled


def test_jobs_must_be_a_positive_number(tmp_path, capsys):
    from aployee_sim.cli import main
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--examples", "--jobs", "0"])
    assert exit_.value.code == 2
    assert "argument --jobs/-j: expected a number of scenarios from 1 to 1024, got 0" in capsys.readouterr().err
