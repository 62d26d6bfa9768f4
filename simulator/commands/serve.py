"""`aployee-sim serve`: the fake Aployee API on a real port, until Ctrl-C.

Point a client at the printed base URL instead of https://api.aployee.com/v1. The accepted API
key is `$APLOYEE_KEY` when set (so the Calls page's curl examples work verbatim with the host
replaced), else a fresh key printed here. See docs/server.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

from aployee_sim.cli import UsageError

if TYPE_CHECKING:
    from aployee_sim.server.thread import ServerThread

CLOCK_MODES = ("realtime", "auto", "manual")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _build(args: argparse.Namespace):
    from aployee_sim.api import Simulator
    from aployee_sim.server.plans import parse_plan
    from aployee_sim.server.thread import ServerThread

    try:
        plan = parse_plan(args.plan)
    except ValueError as exc:
        raise UsageError(f"--plan: {exc}") from None
    sim = Simulator(seed=args.seed)
    try:
        server = ServerThread(sim=sim, api_key=os.environ.get("APLOYEE_KEY") or None, clock=args.clock,
                              speed=args.speed, plan=plan, config=args.config, host=args.host, port=args.port)
    except ValueError as exc:  # a configuration mistake (file, key, value)
        sim.close()
        raise UsageError(f"--config: {exc}") from None
    if args.db is not None:
        _attach_store(server, args.db)
    return server


def _attach_store(server, path: str) -> None:
    from aployee_sim.adapters.store import Store, StoreError, StoreWriter

    try:
        writer = StoreWriter(Store(path)).attach(server.sim)
    except StoreError as exc:
        raise UsageError(f"--db: {exc}") from None
    server.driver.after_run.append(writer.flush)


def run(args: argparse.Namespace) -> int:
    from aployee_sim.core.gc_policy import long_run

    server = _build(args)
    with long_run():  # the process's GC policy while it serves
        return _serve(server, args)


def _serve(server: ServerThread, args: argparse.Namespace) -> int:
    try:
        server.start()
    except OSError as exc:
        server.sim.close()
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    try:
        print(f"Aployee simulator serving on {server.root_url}  (clock: {args.clock}, plan: {args.plan}, "
              f"seed: {args.seed})")
        print(f"  base URL:        {server.base_url}")
        print(f"  API key:         {server.api_key}" + ("  (from $APLOYEE_KEY)" if os.environ.get("APLOYEE_KEY") else ""))
        print(f"  organization id: {server.org_id}")
        print(f"  OpenAPI:         {server.root_url}/openapi.json    control plane: {server.root_url}/_sim")
        print("Press Ctrl-C to stop.", flush=True)
        terminated = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: terminated.set())  # stop cleanly (flush the store)
        while server.running:
            if terminated.wait(0.2):
                return 0
        print("aployee-sim: the server stopped unexpectedly", file=sys.stderr)
        return 1
    finally:
        server.stop()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="serve the fake Aployee API (production routes and /_sim)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--config", metavar="FILE", help="YAML configuration: organization and phone numbers")
    parser.add_argument("--db", metavar="FILE", help="SQLite store to write calls, events and webhooks to")
    parser.add_argument("--clock", choices=CLOCK_MODES, default="auto",
                        help="auto: skip idle time (default); realtime: wall speed x --speed; "
                             "manual: only POST /_sim/clock/advance moves time")
    parser.add_argument("--speed", type=_positive_float, default=1.0, help="realtime clock speed-up (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random source (default 0)")
    parser.add_argument("--plan", default="unlimited",
                        help="rate limits: unlimited (default), free (60/min, 2 calls), pro (600/min, 20 calls) "
                             "or RPM:CONCURRENT, e.g. 120:5")
    parser.set_defaults(run=run)
