#!/usr/bin/env python3
"""Webhook delivery benchmark: N concurrent calls x 10 turns, every turn POSTed to a real receiver.

The receiver is Starlette on uvicorn (uvloop + httptools) in its own process on 127.0.0.1; its
handler answers reply + state after a fixed latency (0 ms and 20 ms by default). Each workload runs
with sequential delivery (`webhook_in_flight=1`: each request sent and awaited when it is due) and
pipelined delivery (`webhook_in_flight=K`) in the same session, and the receiver's own capacity is
measured by wrk (bounded: `-d5s`) at the same connection count, so the ratios to the limit show:
the limit of pipelined delivery is min(receiver capacity at K connections, K / handler latency).

A third figure is the campaign's own *schedule bound*: the simulator sends a request when its turn
is due in virtual time T and needs the answer at T + the modelled latency (150-450 ms), so
virtual time can run ahead of a request's wall-clock round trip only by that much. Replaying the
recorded (send, need) moments with an engine and a client that cost nothing, and every answer
taking exactly W of wall time with at most K in flight, gives the best rate any implementation of
this delivery can reach on this campaign. It is printed for W = the handler latency and for W =
the receiver's own best round trip, one request at a time as wrk measured it (1 / wrk capacity at
one connection): no request can come back sooner, so no delivery can beat that figure.

    python bench/webhook_bench.py                       # N = 100 and 1,000; 0 ms and 20 ms
    python bench/webhook_bench.py --n 1000 --delay 20 --in-flight 128
Sequential delivery of 1,000 calls at 20 ms would take minutes, so sequential runs use at most
`--sequential-n` calls (default 100): its rate does not depend on N (one request at a time).
Prints one JSON line per run and a table. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT.parent / "shared" / "bench" / "wrk_report.lua"
TURNS = 10


def serve(port: int, delay_ms: float) -> None:
    """The receiver process: answers like an integrator's webhook, after `delay_ms`."""
    import asyncio

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    delay = delay_ms / 1000

    async def hook(request: Request) -> Response:
        body = json.loads(await request.body())
        if delay:
            await asyncio.sleep(delay)
        state = {**body.get("state", {}), "turns": body.get("state", {}).get("turns", 0) + 1}
        return Response(json.dumps({"reply": "Noted.", "state": state}), media_type="application/json")

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, loop="uvloop", http="httptools", log_level="warning",
                access_log=False, backlog=4096)


class ReceiverProcess:
    def __init__(self, delay_ms: float) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.proc = subprocess.Popen([sys.executable, __file__, "--receiver", str(self.port), str(delay_ms)])
        for _ in range(500):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError("the receiver did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def campaign(url: str, n: int, in_flight: int, seed: int) -> dict:
    """N calls placed at once, 10 caller turns each, every turn a webhook to `url`; the caller hangs
    up once the last reply begins (hanging up while an answer is in flight makes the engine collect
    it at once, to record it before the call's end)."""
    from aployee_sim.api import Simulator
    from aployee_sim.core.clock import parse_instant
    from aployee_sim.fakes.callers import ScriptedCaller, expect, hang_up, say
    from aployee_sim.process_policy import owned_process

    with Simulator(seed=seed, webhook_in_flight=in_flight) as sim:
        assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=url,
                                         first_message="Hi, this is Alex.")
        started = time.perf_counter()
        ids = [sim.start_call(assistant["id"], f"+1555{k:07d}",
                              caller=ScriptedCaller([*(say(f"Turn {t} of my call.") for t in range(TURNS)),
                                                     expect("Noted"), hang_up()]))["id"] for k in range(n)]
        with owned_process():  # the settings `aployee-sim run` applies to the process it owns
            sim.run()
        wall = time.perf_counter() - started
        exchanges = [x for cid in ids for x in sim.exchanges(cid)]
        schedule = [(sim.clock.ms_at(parse_instant(x["sent_at"])), x["duration_ms"]) for x in exchanges]
    failed = sum(1 for x in exchanges if x["error"])
    return {"calls": n, "in_flight": in_flight, "webhooks": len(exchanges), "failed": failed,
            "wall_s": round(wall, 3), "webhooks_per_s": round(len(exchanges) / wall, 1),
            "calls_per_s": round(n / wall, 1), "schedule": schedule}


def schedule_bound(schedule: list[tuple[int, int]], round_trip_ms: float, in_flight: int) -> float:
    """Webhooks/s on this virtual schedule with a free engine and client: each answer takes exactly
    `round_trip_ms` of wall time once one of `in_flight` slots is free, and the engine waits for it
    only when virtual time reaches the moment it is needed (send + modelled latency)."""
    moments = sorted([(sent, 1, i) for i, (sent, _) in enumerate(schedule)] +
                     [(sent + latency, 0, i) for i, (sent, latency) in enumerate(schedule)])
    wall, answered_at, busy = 0.0, [0.0] * len(schedule), []  # busy: wall times the slots free up
    for _, is_send, i in moments:
        if is_send:
            while busy and busy[0] <= wall:
                heapq.heappop(busy)
            start = wall if len(busy) < in_flight else heapq.heappop(busy)
            answered_at[i] = start + round_trip_ms / 1000
            heapq.heappush(busy, answered_at[i])
        else:
            wall = max(wall, answered_at[i])
    return round(len(schedule) / wall, 1) if wall else float("inf")


def wrk_capacity(url: str, connections: int, seconds: int) -> float | None:
    """The receiver's own requests/s at `connections` connections (wrk, bounded in time)."""
    wrk = shutil.which("wrk")
    if wrk is None or not WRK_SCRIPT.exists():
        return None
    body = json.dumps({"call_id": "call_0", "assistant_id": "asst_0", "utterance": "Turn 1 of my call.",
                       "state": {"turns": 1}, "context": [{"role": "assistant", "content": "Hi, this is Alex."}],
                       "timestamp": "2024-01-15T10:30:00Z"})
    env = {**os.environ, "WRK_METHOD": "POST", "WRK_BODY": body}
    out = subprocess.run([wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(WRK_SCRIPT), url],
                         capture_output=True, text=True, env=env, timeout=seconds + 30).stdout
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            report = json.loads(line[len("WRKJSON "):])
            return round(report["ok_2xx"] / (report["duration_us"] / 1e6), 1)
    return None


def bound_cells(bounds: dict | None, row: dict) -> str:
    """The table's last two cells: the schedule bounds (and the bound's share of the limit), and
    the measured rate's share of the bound at the receiver's round trip."""
    if bounds is None:
        return "— | —"
    share = bounds["receiver"] / row["limit_per_s"]
    return (f"{bounds['handler']:,.0f} / {bounds['receiver']:,.0f} ({share:.0%} of limit) | "
            f"{row['of_schedule_bound']:.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="concurrent calls (repeatable; default 100, 1000)")
    parser.add_argument("--delay", type=float, action="append", help="handler latency in ms (default 0, 20)")
    parser.add_argument("--in-flight", type=int, default=64, help="pipelined in-flight limit (default 64)")
    parser.add_argument("--sequential-n", type=int, default=100, help="calls in a sequential run at most")
    parser.add_argument("--wrk-seconds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--receiver", nargs=2, metavar=("PORT", "DELAY_MS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receiver:
        serve(int(args.receiver[0]), float(args.receiver[1]))
        return 0
    rows = []
    for delay in args.delay or [0.0, 20.0]:
        receiver = ReceiverProcess(delay)
        try:
            capacity = {1: wrk_capacity(receiver.url, 1, args.wrk_seconds),
                        args.in_flight: wrk_capacity(receiver.url, args.in_flight, args.wrk_seconds)}
            sequential_runs: dict[int, dict] = {}
            for n in args.n or [100, 1000]:
                size = min(n, args.sequential_n)
                if size not in sequential_runs:
                    sequential_runs[size] = campaign(receiver.url, size, 1, args.seed)
                sequential = sequential_runs[size]
                sequential.pop("schedule", None)
                pipelined = campaign(receiver.url, n, args.in_flight, args.seed)
                schedule = pipelined.pop("schedule")
                wrk_k = capacity[args.in_flight]
                limit = wrk_k or float("inf")
                # With a 0 ms handler the round trip is a fraction of a millisecond and the engine's
                # own work is the limit: a schedule bound says nothing there.
                bounds = None
                if delay:
                    limit = min(limit, args.in_flight / (delay / 1000))
                    receiver_rt_ms = 1000 / capacity[1] if capacity[1] else delay
                    bounds = {"handler": schedule_bound(schedule, delay, args.in_flight),
                              "receiver": schedule_bound(schedule, receiver_rt_ms, args.in_flight),
                              "receiver_round_trip_ms": round(receiver_rt_ms, 2)}
                row = {"delay_ms": delay, "n": n, "sequential": sequential, "pipelined": pipelined,
                       "wrk_1_conn": capacity[1], f"wrk_{args.in_flight}_conn": wrk_k,
                       "limit_per_s": round(limit, 1), "schedule_bound_per_s": bounds,
                       "speedup": round(pipelined["webhooks_per_s"] / sequential["webhooks_per_s"], 1),
                       "of_limit": round(pipelined["webhooks_per_s"] / limit, 3),
                       "of_schedule_bound": round(pipelined["webhooks_per_s"] / bounds["receiver"], 3) if bounds else None}
                print(json.dumps(row), flush=True)
                rows.append(row)
        finally:
            receiver.stop()
    print(f"\n| handler | calls x {TURNS} turns | sequential webhooks/s | pipelined ({args.in_flight}) webhooks/s "
          "| calls/s | wall s | speed-up | receiver wrk 1 / K conn | limit | of limit "
          "| schedule bound (handler / receiver round trip) | of bound |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        p, s, b = r["pipelined"], r["sequential"], r["schedule_bound_per_s"]
        print(f"| {r['delay_ms']:g} ms | {r['n']:,} | {s['webhooks_per_s']:,.0f} | {p['webhooks_per_s']:,.0f} | "
              f"{p['calls_per_s']:,.0f} | {p['wall_s']} (seq. {s['wall_s']} for {s['calls']}) | {r['speedup']}x | "
              f"{r['wrk_1_conn'] or 0:,.0f} / {r[f'wrk_{args.in_flight}_conn'] or 0:,.0f} | "
              f"{r['limit_per_s']:,.0f} | {r['of_limit']:.0%} | {bound_cells(b, r)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
