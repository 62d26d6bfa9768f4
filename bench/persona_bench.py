#!/usr/bin/env python3
"""Persona callers and judges: replay time beside scripted scenarios, and a live suite against a slow model.

1. Replay: each bundled persona scenario (answers from its cassette, no model) and each scripted
   scenario of the library, run in this process; the median of `--repeat` runs per scenario.
2. Live: a suite of `--calls` persona scenarios (three caller turns and one judge each, so four
   completions a call) recorded (`--record all`) against the tests' fake OpenAI-compatible server
   answering after `--latency` seconds, one scenario after another as `aployee-sim run` runs them.

    python bench/persona_bench.py
    python bench/persona_bench.py --calls 10 --latency 0.3 --repeat 5
Prints one JSON line per figure. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aployee_sim.scenario.completions import ENV_URL  # noqa: E402
from aployee_sim.scenario.loader import load_scenario  # noqa: E402
from aployee_sim.scenario.report import result_of  # noqa: E402
from aployee_sim.scenario.runner import run_scenario  # noqa: E402
from tests.personas.fake_model import BUNDLED, FakeModel  # noqa: E402
from tests.personas.test_personas import ORDER, write  # noqa: E402


def timed(path: Path, record: str | None = None) -> float:
    started = time.perf_counter()
    result = result_of(run_scenario(load_scenario(path), record=record))
    elapsed = time.perf_counter() - started
    assert result.passed, path
    return elapsed


def replay(repeat: int) -> None:
    library = ROOT / "scenarios"
    persona = {library / f"{name}.scenario.yaml" for name in BUNDLED}
    scripted = [p for p in sorted(library.glob("*.scenario.yaml"))
                if p not in persona and "say_audio" not in p.read_text()]
    for kind, paths in (("persona", sorted(persona)), ("scripted", scripted)):
        medians = [statistics.median(timed(p, "none") for _ in range(repeat)) for p in paths]
        print(json.dumps({"figure": f"replay_{kind}", "scenarios": len(paths),
                          "median_ms": round(statistics.median(medians) * 1000, 1),
                          "max_ms": round(max(medians) * 1000, 1)}))


def live(calls: int, latency: float) -> None:
    with tempfile.TemporaryDirectory() as folder, FakeModel(ORDER, delay_s=latency) as fake:
        os.environ[ENV_URL] = fake.base_url
        paths = [write(Path(folder), name=f"order{n}") for n in range(calls)]
        started = time.perf_counter()
        for path in paths:
            timed(path, "all")
        elapsed = time.perf_counter() - started
        del os.environ[ENV_URL]
        print(json.dumps({"figure": "live_suite", "calls": calls, "latency_s": latency,
                          "completions": len(fake.requests), "wall_s": round(elapsed, 2),
                          "floor_s": round(len(fake.requests) * latency, 2)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.3)
    args = parser.parse_args()
    replay(args.repeat)
    live(args.calls, args.latency)


if __name__ == "__main__":
    main()
