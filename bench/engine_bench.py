#!/usr/bin/env python3
"""Engine benchmark: N concurrent outbound calls through the whole simulator, beside its peers.

Calls start at uniform(0, 60) s and ring 2–6 s, then 10 caller turns, each sent to an in-process
webhook stub (reply + state) and answered by the assistant, then the caller hangs up; every call's
full record (call details) is built and dropped. Two workloads (see WORKLOADS below): "shape", the
peers' workload of ../shared/bench/README.md, gives the like-for-like ratio; "default" keeps the
simulator's documented timings.
The peers (the bare heapq floor in both modes, and SimPy if installed) run the same N in the
same session, each in its own process, so ratios are meaningful even though absolute times drift.

    python bench/engine_bench.py                 # N = 1,000 / 10,000 / 100,000, both workloads
    python bench/engine_bench.py --n 10000 --repeat 3 --workload shape
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


# Two workloads. "shape" is the peers' workload of ../shared/bench/README.md: the caller speaks at
# once, the webhook answers at once and the reply is spoken at once; only ringing and speech take
# time (caller lines of 6 words, about 2.4 s; replies of 10 words, about 3.6 s, close to the
# peers' uniform(1, 4) s and uniform(1.5, 6) s). "default" keeps the simulator's documented
# timings (simulator/core/timings.py): a greeting, the caller's think pause, a modelled webhook round
# trip and the conversation agent's response gap, so each turn costs three more timers.
WORKLOADS = ("shape", "default")


def run_simulator(n: int, seed: int, workload: str = "shape") -> dict:
    """One measured run in this process (called in a child process by `main`)."""
    import gc
    import random

    from aployee_sim.api import Simulator
    from aployee_sim.core.reasoning import CallableBackend
    from aployee_sim.core.timings import Timings
    from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say
    from aployee_sim.process_policy import owned_process

    shape = workload == "shape"
    baseline_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sim = Simulator(seed=seed, timings=Timings(dial_ms=0, response_gap_ms=(0, 0)) if shape else None)
    hook = "https://bench.test/hook"
    reply = "Thanks, I have noted that and will update your booking now." if shape else "ok"

    def webhook(request: dict) -> dict:
        state = request["state"]
        turn = state.get("turns", 0)
        return {"reply": f"{reply} {turn}", "state": {"turns": turn + 1, "last": request["utterance"]}}

    sim.router.route(hook, CallableBackend(webhook, latency_ms=0 if shape else None))
    assistant = sim.create_assistant(name="Bench", reasoning_mode="webhook", webhook_url=hook,
                                     first_message="" if shape else "Hello, this is the bench assistant.")["id"]
    script = [say(f"this is caller utterance number {i}", pause_ms=0 if shape else None) for i in range(TURNS)]
    script.append(hang_up())
    stagger = random.Random(seed)

    def place(_: object) -> None:
        sim.start_call(assistant, "+15551234567", caller=ScriptedCaller(script))

    t0 = time.perf_counter()
    for _ in range(n):
        sim.engine.schedule(round(stagger.uniform(0, 60_000)), place)
    with owned_process():  # the settings `aployee-sim run` applies to the process it owns
        timers = sim.engine.run()
    t1 = time.perf_counter()
    # Every record is built in full, then dropped: what a finished call costs is the simulator's
    # own keeping, not a list of 10,000 rendered records held by the benchmark.
    completed = sum(sim.call_details(cid)["status"] == "completed" for cid in sim.calls)
    t2 = time.perf_counter()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    events = sum(len(p.record.events) for p in sim.calls.values())
    webhooks = sum(len(p.exchanges) for p in sim.calls.values())
    gc.collect()
    wall = t2 - t0
    return {
        "engine": f"aployee-sim {workload}", "n_calls": n, "run_s": round(t1 - t0, 4), "records_s": round(t2 - t1, 4),
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
    parser.add_argument("--workload", choices=(*WORKLOADS, "both"), default="both",
                        help="shape: the peers' workload (the ratio); default: the simulator's own timings")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = args.n or [1_000, 10_000, 100_000]
    workloads = WORKLOADS if args.workload == "both" else (args.workload,)
    if args.child:
        print(json.dumps(run_simulator(sizes[0], args.seed, workloads[0])))
        return 0
    ours = [f"aployee-sim {w}" for w in workloads]
    rows = []
    for n in sizes:
        runs: dict[str, list[dict]] = {name: [] for name in (*ours, "heapq-gen", "heapq-cb", "simpy")}
        for attempt in range(args.repeat):
            print(f"# N={n:,} run {attempt + 1}/{args.repeat}", file=sys.stderr, flush=True)
            for workload, name in zip(workloads, ours, strict=True):
                runs[name].append(child([__file__, "--child", "--n", str(n), "--seed", str(args.seed),
                                         "--workload", workload]))
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
    print(f"{'N':>8} {'workload':>8} {'calls/s':>8} {'heapq-gen':>10} {'heapq-cb':>10} {'simpy':>8}"
          f" {'floor/ours':>11} {'simpy/ours':>11} {'timers/call':>12} {'KiB/call':>9} {'peak MiB':>9}")
    for n, med in rows:
        def cps(name: str, med: dict = med) -> str:
            return f"{med[name]['calls_per_s']:.0f}" if name in med else "-"

        def ratio(name: str, mine: float, med: dict = med) -> str:
            return f"{med[name]['calls_per_s'] / mine:.2f}x" if name in med else "-"

        for workload, name in zip(workloads, ours, strict=True):
            mine = med[name]
            print(f"{n:>8} {workload:>8} {mine['calls_per_s']:>8.0f} {cps('heapq-gen'):>10} {cps('heapq-cb'):>10}"
                  f" {cps('simpy'):>8} {ratio('heapq-gen', mine['calls_per_s']):>11}"
                  f" {ratio('simpy', mine['calls_per_s']):>11} {mine['engine_timers'] / n:>12.1f}"
                  f" {mine['kib_per_call']:>9} {mine['peak_mib']:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
