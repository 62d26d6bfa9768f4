#!/usr/bin/env python3
"""`aployee-sim run --jobs N` against a slow backend: a suite's wall time with N scenarios at once.

Scenarios: one call each, three caller turns, every turn POSTed to a real receiver (Starlette on
uvicorn in its own process on 127.0.0.1) that answers after a fixed delay (400 ms by default, an
LLM-backed webhook). The suite runs with `--jobs 1` (one after another: each scenario's own wall
time is measured there) and with `--jobs N`; the target is a suite no slower than 1.5x its slowest
single scenario. Prints figures only: nothing here asserts a time.

    python bench/suite_bench.py [--scenarios 12] [--delay 400] [--jobs 16]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from webhook_bench import ReceiverProcess

SCENARIO = """\
name: desk {n}
seed: {n}
assistants:
  desk: {{name: Riley, reasoning_mode: webhook, webhook_url: "{url}", first_message: Hi there.}}
calls:
  - assistant: desk
    to: "+1555000{n:04d}"
    caller: [{{say: first question}}, {{say: second question}}, {{say: third question}}]
    expect: {{status: completed}}
"""


def suite(paths: list[Path], jobs: int) -> tuple[float, list[float], bool]:
    """(wall seconds, each scenario's own seconds when jobs=1, all passed)."""
    from aployee_sim.scenario.loader import load_scenario
    from aployee_sim.scenario.suite import run_suite

    loaded = [load_scenario(path) for path in paths]
    each: list[float] = []
    started = last = time.perf_counter()
    passed = True
    for done in run_suite(loaded, jobs=jobs):
        now = time.perf_counter()
        each.append(now - last)
        last = now
        passed = passed and done.result.passed
    return time.perf_counter() - started, each, passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=int, default=12)
    parser.add_argument("--delay", type=float, default=400.0, help="the receiver's answer delay in ms")
    parser.add_argument("--jobs", type=int, default=16)
    args = parser.parse_args()
    receiver = ReceiverProcess(args.delay)
    try:
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for n in range(args.scenarios):
                path = Path(folder) / f"desk{n}.scenario.yaml"
                path.write_text(SCENARIO.format(n=n, url=receiver.url), encoding="utf-8")
                paths.append(path)
            suite(paths[:1], 1)  # warm up: imports, the receiver's first connection
            sequential, each, ok_1 = suite(paths, 1)
            concurrent, _, ok_n = suite(paths, args.jobs)
    finally:
        receiver.stop()
    slowest = max(each)
    print(f"{args.scenarios} scenarios x 3 turns, receiver answering after {args.delay:g} ms "
          f"({'all passed' if ok_1 and ok_n else 'SOME FAILED'})")
    print(f"  --jobs 1:  {sequential:.2f} s (slowest single scenario {slowest:.2f} s)")
    print(f"  --jobs {args.jobs}: {concurrent:.2f} s = {concurrent / slowest:.2f}x the slowest scenario, "
          f"{sequential / concurrent:.1f}x faster than --jobs 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
