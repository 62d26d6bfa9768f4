"""`ServerThread`: the real server (uvicorn, uvloop + httptools) on 127.0.0.1 in a background thread.

Used by tests, the pytest plugin and benchmarks. The socket is bound before the thread starts
(port 0 picks a free port), so there is no race for the port and `base_url` is known at once:

    with ServerThread(sim=Simulator(seed=1), api_key="k", clock="auto") as srv:
        srv.base_url      # "http://127.0.0.1:PORT/v1"
        srv.root_url      # "http://127.0.0.1:PORT"   (the /_sim control plane lives here)
        srv.api_key, srv.org_id
        # config: a YAML file path or a mapping for `aployee_sim.platform.directory` (organizations, numbers,
        # routing); the key belongs to the first organization (a default one when none is configured)
        # allowed_hosts: Host header names answered beyond the bound address, localhost, 127.0.0.1 and
        # [::1] (DNS rebinding, aployee_sim.server.hosts); others get a 403
        srv.wait_idle()   # the engine has run everything requested so far
        srv.errors        # HandlerError list: simulator crashes, with the request shown (the first 1,000)
        srv.raise_errors()  # re-raise the first one as ServerError (the pytest plugin does this)

Stable API: the constructor keywords (`allowed_hosts=` among them), the attributes above, `start()`, `stop()` and the
context manager. Leaving the block stops uvicorn and the engine driver; nothing keeps running.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aployee_sim.server.envelope import HandlerError

if TYPE_CHECKING:
    from aployee_sim.api import Simulator

DEFAULT_ORGANIZATION = "Simulator"


class ServerError(AssertionError):
    """A simulator crash inside the server, re-raised in the test with the request shown."""

    def __init__(self, error: HandlerError) -> None:
        super().__init__(f"the simulator server failed: {error.describe()}\n{error.traceback}")
        self.error = error


class ServerThread:
    def __init__(self, sim: Simulator | None = None, *, api_key: str | None = None, clock: str = "auto",
                 speed: float = 1.0, plan: Any = "unlimited", config: dict[str, Any] | str | None = None,
                 seed: int = 0, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 10.0,
                 allowed_hosts: Sequence[str] = ()) -> None:
        from aployee_sim.config_file import load_config
        from aployee_sim.server.context import Context
        from aployee_sim.server.driver import Driver
        from aployee_sim.server.plans import RateLimiter, parse_plan

        self._owns_sim = sim is None
        if sim is None:
            from aployee_sim.api import Simulator
            sim = Simulator(seed=seed)
        self.sim = sim
        self.api_key = api_key or generate_api_key()
        self.driver = Driver(sim, clock, speed, on_error=self._engine_error)
        # Every port that waits on the outside world (webhooks, MCP tools) releases the driver's
        # lock while it waits: said once, here, where the server is composed.
        sim.around_outside_waits(self.driver.outside_wait)
        if isinstance(config, str):
            load_config(sim.directory, config)
        elif config is not None:
            sim.directory.update(config)
        self.context = Context(self.driver, self.api_key, key_organization(sim), RateLimiter(parse_plan(plan)))
        self.host, self._port = host, port
        self.allowed_hosts = tuple(allowed_hosts)  # Host header names beyond the local ones (server/hosts.py)
        self._startup_timeout = startup_timeout
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._failure: BaseException | None = None

    # --- public attributes ----------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._port

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    @property
    def org_id(self) -> str:
        return self.context.org_id

    @property
    def errors(self) -> list[HandlerError]:
        return self.context.errors

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._server.should_exit

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self.driver.wait_idle(timeout)

    def raise_errors(self) -> None:
        if self.errors:
            raise ServerError(self.errors[0])

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> ServerThread:
        import uvicorn

        from aployee_sim.server.app import create_app
        from aployee_sim.server.hosts import HostGuard
        from aployee_sim.server.limits import BoundedHttpToolsProtocol

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        self._socket = sock
        app = HostGuard(create_app(self.context), bound=self.host, allowed=self.allowed_hosts)
        config = uvicorn.Config(app, loop="uvloop", http=BoundedHttpToolsProtocol, lifespan="off",
                                log_level="warning", access_log=False, server_header=False, proxy_headers=False,
                                timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self.driver.start()
        self._thread = threading.Thread(target=self._serve, name=f"aployee-sim-http-{self._port}", daemon=True)
        self._thread.start()
        for _ in range(int(self._startup_timeout / 0.01)):
            if self._server.started or not self._thread.is_alive():
                break
            time.sleep(0.01)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"the simulator server did not start on {self.root_url}: {self._failure!r}")
        return self

    def _serve(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # reported by start() or stop()
            self._failure = exc

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.driver.stop()
        if self._socket is not None:
            self._socket.close()
        close = getattr(self.sim, "close", None)
        if self._owns_sim and close is not None:
            close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _engine_error(self, where: str, exc: BaseException) -> None:
        self.context.record_error(None, exc, where)


def key_organization(sim: Simulator) -> str:
    """The API key's organization: the first configured one, else a default "Simulator" organization
    (added to the configuration, so it is listed and kept on reset)."""
    if not sim.directory.organizations:
        sim.directory.add_organization(DEFAULT_ORGANIZATION)
    return next(iter(sim.directory.organizations))


def generate_api_key() -> str:
    """A fresh key from `secrets` (a credential, not simulation data, so not from the seed)."""
    return "sk_sim_" + secrets.token_urlsafe(24)
