#!/usr/bin/env python3
"""Persona callers and judges: replay time beside scripted scenarios, and a suite against a slow model.

1. Replay: `aployee-sim run FILE` (a real child process, as a user runs it) on each bundled persona
   scenario (`--record none`: answers from its cassette, no model) and on each scripted scenario of
   the library; the median of `--repeat` runs per scenario, then the median and the slowest of
   each kind. Beside it, the same scenarios run in this process (`run_scenario`), which leaves out
   the interpreter's start-up and imports that every child pays.
2. Suite: `--calls` one-call persona scenario files in a folder (three caller turns and one judge
   each, so four completions a call), recorded (`--record all`, so every answer is asked) against
   the tests' fake OpenAI-compatible server answering after `--latency` seconds, by
   `aployee-sim run FOLDER --jobs 1` and with the default `--jobs`; median of `--repeat` runs.
   `floor_s` is the model's latency alone, one completion after another.

    python bench/persona_bench.py
    python bench/persona_bench.py --calls 10 --latency 0.3 --repeat 5
Prints one JSON line per figure. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aployee_sim.commands.run import DEFAULT_JOBS  # noqa: E402
from aployee_sim.scenario.completions import ENV_URL  # noqa: E402
from aployee_sim.scenario.loader import load_scenario  # noqa: E402
from aployee_sim.scenario.report import result_of  # noqa: E402
from aployee_sim.scenario.runner import run_scenario  # noqa: E402
from tests.personas.fake_model import BUNDLED, FakeModel  # noqa: E402
from tests.personas.test_personas import ORDER, write  # noqa: E402


def cli(*args: str, env: dict[str, str] | None = None) -> float:
    """Wall seconds of one `aployee-sim ...` child process, which must pass (exit 0)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "aployee_sim.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env=env)
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stdout + done.stderr
    return elapsed


def replayed_by_cli(path: Path) -> float:
    return cli("run", str(path), "--record", "none")


def in_process(path: Path) -> float:
    started = time.perf_counter()
    result = result_of(run_scenario(load_scenario(path), record="none"))
    elapsed = time.perf_counter() - started
    assert result.passed, path
    return elapsed


def median_of(repeat: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(repeat))


def replay(repeat: int) -> None:
    library = ROOT / "scenarios"
    persona = sorted(library / f"{name}.scenario.yaml" for name in BUNDLED)
    scripted = [p for p in sorted(library.glob("*.scenario.yaml"))
                if p not in persona and "say_audio" not in p.read_text()]
    for kind, paths in (("persona", persona), ("scripted", scripted)):
        for how, measure in (("cli", replayed_by_cli), ("in_process", in_process)):
            medians = {p.name: median_of(repeat, lambda p=p, m=measure: m(p)) for p in paths}
            print(json.dumps({"figure": f"replay_{kind}_{how}", "scenarios": len(paths), "repeat": repeat,
                              "median_ms": round(statistics.median(medians.values()) * 1000, 1),
                              "max_ms": round(max(medians.values()) * 1000, 1),
                              **({"each_ms": {n: round(s * 1000, 1) for n, s in medians.items()}}
                                 if kind == "persona" else {})}), flush=True)


def suite(calls: int, latency: float, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder, FakeModel(ORDER, delay_s=latency) as fake:
        for n in range(calls):
            write(Path(folder), name=f"order{n}")
        env = {**os.environ, ENV_URL: fake.base_url}
        for jobs in (1, DEFAULT_JOBS):
            asked = len(fake.requests)
            wall = median_of(repeat, lambda jobs=jobs: cli("run", folder, "--record", "all", "--jobs", str(jobs),
                                                             env=env))
            completions = (len(fake.requests) - asked) // repeat
            print(json.dumps({"figure": "persona_suite", "calls": calls, "jobs": jobs, "latency_s": latency,
                              "repeat": repeat, "completions": completions, "wall_s": round(wall, 2),
                              "floor_s": round(completions * latency, 2)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.3)
    args = parser.parse_args()
    replay(args.repeat)
    suite(args.calls, args.latency, args.repeat)


if __name__ == "__main__":
    main()
