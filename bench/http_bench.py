"""HTTP benchmark: the simulator's server beside Prism, in the same run, loopback only, bounded.

    .venv/bin/python bench/http_bench.py [--seconds 3] [--repeats 3] [--calls 200] [--clock manual] [--json]

Routes: GET /v1/calls/{id}, POST /v1/calls, GET /v1/calls?limit=20, each with 1 and 32
connections, loaded by Debian's `wrk` (`apt-get install wrk`) with ../shared/bench/wrk_report.lua
(exact p50/p99, bounded with -d). The peer is Prism (`@stoplight/prism-cli`, installed with npm into
a cache directory on first use) mocking ../shared/bench/calls-openapi.yaml: stateless, no auth, no
validation of values. The simulator is stateful, authenticated and validated: its lists hold
`--calls` real call records (20 full records per page), its POSTs create real calls.

The simulator runs `aployee-sim serve --clock manual` by default, so a POST measures the HTTP API
(validate, create, store in memory) and not the simulation of a whole call; `--clock auto`
simulates every created call to its end as well. Servers run on CPU 0 and wrk on CPU 1 when
`taskset` is available. This machine is shared, so each figure is the median of interleaved runs
of the two servers (alternating which goes first): compare ratios, not absolute figures.
Target: >= 1.5x Prism's requests/s on each route at 32 connections, with p99 under 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "bench"
WRK_SCRIPT = SHARED / "wrk_report.lua"
PEER_SPEC = SHARED / "calls-openapi.yaml"
PRISM_DIR = Path(os.environ.get("PRISM_DIR", Path(tempfile.gettempdir()) / "aployee-sim-prism"))
KEY = "bench-key"
CONNECTIONS = (1, 32)
SETTLE_S = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pinned(cpu: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(cpu), *argv] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else argv


def wait_until_up(url: str, headers: dict[str, str], proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early ({proc.returncode}): {url}")
        try:
            httpx.get(url, headers=headers, timeout=1, trust_env=False)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server did not come up: {url}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def prism_binary() -> Path:
    binary = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        PRISM_DIR.mkdir(parents=True, exist_ok=True)
        print(f"installing @stoplight/prism-cli into {PRISM_DIR} ...", file=sys.stderr)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "@stoplight/prism-cli"],
                       cwd=PRISM_DIR, check=True)
    return binary


def wrk(url: str, connections: int, seconds: float, *, method: str = "GET", body: str = "",
        headers: dict[str, str] | None = None) -> dict[str, float]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s", "-s", str(WRK_SCRIPT)]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    env = {**os.environ, "WRK_METHOD": method, "WRK_BODY": body}
    out = subprocess.run(pinned(1, [*argv, url]), env=env, capture_output=True, text=True, check=True,
                         timeout=seconds + 30).stdout
    found = re.search(r"WRKJSON (\{.*\})", out)
    if found is None:
        raise SystemExit(f"wrk printed no report:\n{out}")
    raw = json.loads(found.group(1))
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "p50_ms": raw["lat_p50_us"] / 1000,
            "p99_ms": raw["lat_p99_us"] / 1000, "requests": raw["requests"],
            "non_2xx": raw["requests"] - raw["ok_2xx"],
            "errors": sum(raw[k] for k in ("err_connect", "err_read", "err_write", "err_timeout"))}


def start_simulator(clock: str, calls: int) -> tuple[subprocess.Popen, str, dict[str, str], str, str]:
    port = free_port()
    env = {**os.environ, "APLOYEE_KEY": KEY}
    proc = subprocess.Popen(pinned(0, [sys.executable, "-m", "aployee_sim.cli", "serve", "--port", str(port),
                                       "--clock", clock]), env=env, stdout=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {KEY}"}
    wait_until_up(root + "/v1/health", headers, proc)
    with httpx.Client(base_url=root, headers=headers, trust_env=False, timeout=30) as api:
        assistant = api.post("/v1/assistants", json={"name": "Bench"}).json()["id"]
        first = None
        for _ in range(calls):
            created = api.post("/v1/calls", json={"assistant_id": assistant, "to": "+15551230000"}).json()
            first = first or created["id"]
    return proc, root, headers, json.dumps({"assistant_id": assistant, "to": "+15551230000"}), first


def start_prism() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(pinned(0, [str(prism_binary()), "mock", "-h", "127.0.0.1", "-p", str(port), "-v",
                                       "error", str(PEER_SPEC)]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    wait_until_up(root + "/v1/calls/call_00000042", {}, proc)
    return proc, root


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median requests/s (its own latencies with it)."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def run(seconds: float, calls: int, clock: str, repeats: int) -> list[dict]:
    results = []
    sim, sim_root, headers, sim_body, call_id = start_simulator(clock, calls)
    try:
        prism, prism_root = start_prism()
        try:
            peer_body = json.dumps({"assistant_id": "asst_bench", "to": "+15551230000"})
            # POST last: it grows the simulator's call list.
            routes = [("GET /v1/calls/{id}", "GET", f"/v1/calls/{call_id}", "/v1/calls/call_00000042", ""),
                      ("GET /v1/calls?limit=20", "GET", "/v1/calls?limit=20", "/v1/calls?limit=20", ""),
                      ("POST /v1/calls", "POST", "/v1/calls", "/v1/calls", "post")]
            for name, method, sim_path, peer_path, body in routes:
                for connections in CONNECTIONS:
                    runs: dict[str, list[dict[str, float]]] = {"simulator": [], "prism": []}
                    for repeat in range(repeats):  # interleaved, alternating who goes first
                        pair = [("simulator", sim_root + sim_path, sim_body if body else "", headers),
                                ("prism", prism_root + peer_path, peer_body if body else "", {})]
                        for who, url, payload, extra in pair[::1 if repeat % 2 == 0 else -1]:
                            time.sleep(SETTLE_S)  # let the other server's background work (V8 GC) finish
                            runs[who].append(wrk(url, connections, seconds, method=method, body=payload,
                                                 headers=extra))
                    ours, peer = median_run(runs["simulator"]), median_run(runs["prism"])
                    results.append({"route": name, "connections": connections, "simulator": ours, "prism": peer,
                                    "ratio": ours["rps"] / peer["rps"] if peer["rps"] else float("inf")})
        finally:
            stop(prism)
    finally:
        stop(sim)
    return results


def report(results: list[dict]) -> str:
    lines = [f"{'route':24} {'conns':>5} | {'simulator req/s':>15} {'p50 ms':>7} {'p99 ms':>7} | "
             f"{'prism req/s':>11} {'p50 ms':>7} {'p99 ms':>7} | {'ratio':>5}  target"]
    for r in results:
        ours, peer = r["simulator"], r["prism"]
        target = ""
        if r["connections"] == 32:
            target = "met" if r["ratio"] >= 1.5 and ours["p99_ms"] < 20 else "MISSED"
        flags = " (non-2xx!)" if ours["non_2xx"] or ours["errors"] else ""
        lines.append(f"{r['route']:24} {r['connections']:>5} | {ours['rps']:>15,.0f} {ours['p50_ms']:>7.2f} "
                     f"{ours['p99_ms']:>7.2f} | {peer['rps']:>11,.0f} {peer['p50_ms']:>7.2f} {peer['p99_ms']:>7.2f} | "
                     f"{r['ratio']:>5.2f}  {target}{flags}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="wrk duration per run (default 3)")
    parser.add_argument("--calls", type=int, default=200, help="calls created before measuring (default 200)")
    parser.add_argument("--clock", choices=("manual", "auto"), default="manual")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs per measurement; the median "
                                                               "is reported (default 3)")
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON too")
    args = parser.parse_args()
    for tool in ("wrk", "npm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install wrk; npm comes with nodejs)")
    results = run(args.seconds, args.calls, args.clock, args.repeats)
    print(report(results))
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
