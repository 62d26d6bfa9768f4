#!/usr/bin/env python3
"""Engine benchmark: N concurrent outbound calls through the whole simulator, beside its peers.

The workload has the shape of ../shared/bench/README.md: calls start at uniform(0, 60) s, ring
2–6 s, then 10 caller turns, each sent to an in-process webhook stub (reply + state) and answered
by the assistant, then the caller hangs up; every call's full record (call details) is built.
The peers (the bare heapq floor in both modes, and SimPy if installed) run the same N in the
same session, each in its own process, so ratios are meaningful even though absolute times drift.

    python bench/engine_bench.py                 # N = 1,000 / 10,000 / 100,000
    python bench/engine_bench.py --n 10000 --repeat 3
Prints one JSON line per run and a table of ratios. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import resource
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "bench"
TURNS = 10


def run_simulator(n: int, seed: int) -> dict:
    """One measured run in this process (called in a child process by `main`)."""
    import gc
    import random

    from fakes.callers import ScriptedCaller, hangup, say
    from simulator.api import Simulator
    from simulator.reasoning import CallableBackend

    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sim = Simulator(seed=seed)
    hook = "https://bench.test/hook"

    def webhook(request: dict) -> dict:
        state = request["state"]
        turn = state.get("turns", 0)
        return {"reply": "ok " + str(turn), "state": {"turns": turn + 1, "last": request["utterance"]}}

    sim.router.route(hook, CallableBackend(webhook))
    assistant = sim.create_assistant(name="Bench", reasoning_mode="webhook", webhook_url=hook,
                                     first_message="Hello, this is the bench assistant.")["id"]
    script = [say(f"caller utterance number {i} here") for i in range(TURNS)] + [hangup()]
    stagger = random.Random(seed)

    def place(_: object) -> None:
        sim.start_call(assistant, "+15551234567", caller=ScriptedCaller(script))

    t0 = time.perf_counter()
    for _ in range(n):
        sim.engine.schedule(round(stagger.uniform(0, 60_000)), place)
    timers = sim.engine.run()
    t1 = time.perf_counter()
    # Every record is built in full, then dropped: what a finished call costs is the simulator's
    # own keeping, not a list of 10,000 rendered records held by the benchmark.
    completed = sum(sim.call_details(cid)["status"] == "completed" for cid in sim.calls)
    t2 = time.perf_counter()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    events = sum(len(p.call.entries) for p in sim.calls.values())
    webhooks = sum(len(p.exchanges) for p in sim.calls.values())
    gc.collect()
    wall = t2 - t0
    return {
        "engine": "aployee-sim", "n_calls": n, "run_s": round(t1 - t0, 4), "records_s": round(t2 - t1, 4),
        "wall_s": round(wall, 4), "calls_per_s": round(n / wall, 1), "engine_timers": timers,
        "timers_per_s": round(timers / wall), "log_events": events, "log_events_per_s": round(events / wall),
        "virtual_s_per_wall_s": round(sim.now_ms / 1000 / wall, 1), "completed": completed, "webhooks": webhooks,
        "peak_mib": round(peak_kib / 1024, 1), "kib_per_call": round((peak_kib - baseline_kib) / n, 2),
    }


def child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, *args], check=True, capture_output=True, text=True, timeout=1800).stdout
    return json.loads(out.strip().splitlines()[-1])


def peer(script: str, n: int, *extra: str) -> dict | None:
    path = PEERS / script
    if not path.exists():
        return None
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = child([str(path), str(n), *extra])
        result["peak_mib_children_max"] = round(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024, 1)
        return result
    except subprocess.CalledProcessError as exc:
        print(f"# {script} {' '.join(extra)} failed: {exc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="number of calls (repeatable)")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine; the median is reported")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = args.n or [1_000, 10_000, 100_000]
    if args.child:
        print(json.dumps(run_simulator(sizes[0], args.seed)))
        return 0
    rows = []
    for n in sizes:
        runs: dict[str, list[dict]] = {"aployee-sim": [], "heapq-gen": [], "heapq-cb": [], "simpy": []}
        for _ in range(args.repeat):
            runs["aployee-sim"].append(child([__file__, "--child", "--n", str(n), "--seed", str(args.seed)]))
            for name, script, extra in (("heapq-gen", "floor_heapq_calls.py", ("--mode", "gen")),
                                        ("heapq-cb", "floor_heapq_calls.py", ("--mode", "cb")),
                                        ("simpy", "peer_simpy_calls.py", ())):
                result = peer(script, n, "--seed", str(args.seed), *extra)
                if result:
                    runs[name].append(result)
        medians = {}
        for name, results in runs.items():
            if results:
                results.sort(key=lambda r: r["calls_per_s"])
                medians[name] = results[len(results) // 2]
                print(json.dumps(medians[name]))
        rows.append((n, medians))
    print()
    print(f"{'N':>8} {'aployee-sim calls/s':>20} {'heapq-gen':>10} {'heapq-cb':>10} {'simpy':>10}"
          f" {'floor/ours':>11} {'simpy/ours':>11} {'KiB/call':>9} {'peak MiB':>9}")
    for n, med in rows:
        ours = med["aployee-sim"]["calls_per_s"]

        def cps(name: str, med: dict = med) -> str:
            return f"{med[name]['calls_per_s']:>10.0f}" if name in med else f"{'-':>10}"

        floor = med.get("heapq-gen", {}).get("calls_per_s")
        simpy = med.get("simpy", {}).get("calls_per_s")
        print(f"{n:>8} {ours:>20.0f} {cps('heapq-gen')} {cps('heapq-cb')} {cps('simpy')}"
              f" {(f'{floor / ours:.2f}x' if floor else '-'):>11} {(f'{simpy / ours:.2f}x' if simpy else '-'):>11}"
              f" {med['aployee-sim']['kib_per_call']:>9} {med['aployee-sim']['peak_mib']:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
