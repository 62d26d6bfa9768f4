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
from pathlib import Path
from typing import TYPE_CHECKING

from aployee_sim.cli import UsageError
from aployee_sim.commands.arguments import (
    integer_in,
    port_number,
    positive_number,
    seed_number,
    writable_file,
)
from aployee_sim.core.reasoning import DEFAULT_IN_FLIGHT

if TYPE_CHECKING:
    from aployee_sim.api import Simulator
    from aployee_sim.server.thread import ServerThread

CLOCK_MODES = ("realtime", "auto", "manual")


def _build(args: argparse.Namespace) -> tuple[ServerThread, Simulator, str | None]:
    from aployee_sim.api import Simulator
    from aployee_sim.server.plans import parse_plan
    from aployee_sim.server.thread import ServerThread

    try:
        plan = parse_plan(args.plan)
    except ValueError as exc:
        raise UsageError(f"--plan: {exc}") from None
    if args.keep_calls is not None and args.db is None:
        raise UsageError("--keep-calls needs --db FILE: the ended calls it takes out of memory are read back "
                         "from the store")
    sim = Simulator(seed=args.seed, webhook_in_flight=args.webhook_in_flight)
    try:
        server = ServerThread(sim=sim, api_key=os.environ.get("APLOYEE_KEY") or None, clock=args.clock,
                              speed=args.speed, plan=plan, config=_config_path(args.config), host=args.host,
                              port=args.port, allowed_hosts=args.allow_host)
    except ValueError as exc:  # a configuration mistake (file, key, value)
        sim.close()
        raise UsageError(f"--config: {exc}") from None
    resumed = _attach_store(server, args.db, args.keep_calls) if args.db is not None else None
    server.context.error_log.stream = sys.stderr  # a 500 says "recorded on the server": show it
    return server, sim, resumed


def _config_path(value: str | None) -> str | None:
    """A file path, or the name of a configuration shipped with the package (`calls-page`)."""
    from aployee_sim.scaffold import bundled_config
    if value is None or Path(value).exists():
        return value
    bundled = bundled_config(value)
    return str(bundled) if bundled is not None else value


def _attach_store(server, path: str, keep_calls: int | None) -> str:
    """Carry on from what the file holds (docs/store.md): stored calls are served, no stored id is
    issued again, and the clock (and realtime pacing) resumes from the latest stored instant.
    `keep_calls`: only that many ended calls stay in memory, the others are read from the file."""
    from aployee_sim.adapters.store import Store, StoreError, StoreWriter
    from aployee_sim.adapters.store.resume import read_call

    try:
        writer = StoreWriter(Store(path)).attach(server.sim, resume=True)
    except StoreError as exc:
        raise UsageError(f"--db: {exc}") from None
    server.driver.pacer.rebase(server.sim.now_ms)
    server.driver.after_run.append(writer.flush)
    sim = server.sim
    resumed = (f"{path}: {len(sim.calls)} stored call{'s' if len(sim.calls) != 1 else ''} and "
               f"{len(sim.assistants)} assistant{'s' if len(sim.assistants) != 1 else ''} resumed, clock at "
               f"{sim.now_iso()}")
    if keep_calls is not None:
        sim.keep_ended_calls(keep_calls, lambda call_id: read_call(writer.store, sim.clock, call_id))
    return resumed


def run(args: argparse.Namespace) -> int:
    server, sim, resumed = _build(args)
    return _serve(server, sim, resumed, args)  # under the process owner's GC policy (cli.main)


def _serve(server: ServerThread, sim: Simulator, resumed: str | None, args: argparse.Namespace) -> int:
    try:
        server.start()
    except OSError as exc:
        sim.close()
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    try:
        print(f"Aployee simulator serving on {server.root_url}  (clock: {args.clock}, plan: {args.plan}, "
              f"seed: {args.seed})")
        print(f"  base URL:        {server.base_url}")
        print(f"  API key:         {server.api_key}" + ("  (from $APLOYEE_KEY)" if os.environ.get("APLOYEE_KEY") else ""))
        print(f"  organization id: {server.org_id}")
        print(f"  OpenAPI:         {server.root_url}/openapi.json    control plane: {server.root_url}/_sim")
        if resumed is not None:
            print(f"  store:           {resumed}")
        _warn_if_exposed(args.host, args.allow_host)
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


def _warn_if_exposed(host: str, allowed: list[str]) -> None:
    """Beyond loopback anyone who reaches the port may try the API: say so, and what clients must send."""
    from aployee_sim.server.hosts import is_loopback
    if is_loopback(host):
        return
    names = ", ".join(allowed) if allowed else "none yet: pass --allow-host NAME for each name clients use"
    print(f"aployee-sim: warning: listening on {host}: the API is exposed to every machine that can reach "
          f"this port (anyone with the key can place calls); Host names answered besides localhost: {names}",
          file=sys.stderr, flush=True)


def allowed_host(text: str) -> str:
    """A name or address clients put in `Host`, without a port (`sim.local`, `192.168.1.5`, `::1`), or `*`."""
    import ipaddress
    name = text.strip()
    if not name or any(c.isspace() or c in "/@?#" for c in name):
        raise argparse.ArgumentTypeError(f"expected a host name or address, got {text!r}")
    if ":" in name:
        try:
            ipaddress.IPv6Address(name.strip("[]"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"give the name without a port, got {text!r} "
                                             "(any port is answered)") from None
    return name


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("serve", help="serve the fake Aployee API (production routes and /_sim)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--allow-host", metavar="NAME", type=allowed_host, action="append", default=[],
                        help="also answer requests whose Host header is NAME (repeat; * for any); by default "
                             "only the --host address, localhost, 127.0.0.1 and [::1] are answered, others get "
                             "a 403 (DNS rebinding)")
    parser.add_argument("--port", type=port_number, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--config", metavar="FILE", help="YAML configuration (organizations, phone numbers, routing, "
                        "assistants with fixed ids), or `calls-page`: the Calls page's examples")
    parser.add_argument("--db", metavar="FILE", type=writable_file, help="SQLite store to write calls, events and webhooks to")
    parser.add_argument("--clock", choices=CLOCK_MODES, default="auto",
                        help="auto: skip idle time (default); realtime: wall speed x --speed; "
                             "manual: only POST /_sim/clock/advance moves time")
    parser.add_argument("--speed", type=positive_number, default=1.0, help="realtime clock speed-up (default 1)")
    parser.add_argument("--seed", type=seed_number, default=0, help="seed of the random source (default 0)")
    parser.add_argument("--plan", default="unlimited",
                        help="rate limits: unlimited (default), free (60/min, 2 calls), pro (600/min, 20 calls) "
                             "or RPM:CONCURRENT, e.g. 120:5")
    parser.add_argument("--webhook-in-flight", type=integer_in(1, 10_000, "a number of requests"), default=DEFAULT_IN_FLIGHT, metavar="N",
                        help="real webhook requests in flight at once across calls (default 64; "
                             "1: each is sent and awaited when due, for debugging)")
    parser.add_argument("--keep-calls", type=integer_in(1, 10**9, "a number of calls"), metavar="N",
                        help="keep only the newest N ended calls in memory (needs --db; the others are read "
                             "back from the store when asked for): bounds a long-running server's memory, "
                             "about 2.5 KB per ended call otherwise")
    parser.set_defaults(run=run)
