"""The pytest plugin for integrators (entry point `pytest11`, loaded when aployee-sim is installed).

Fixtures:
- `aployee_sim` — a fresh in-process `Simulator` per test (the Python API: the same validation,
  resources and errors as the HTTP API, on a virtual clock that only moves when you run it).
- `aployee_server` — a real simulator server on 127.0.0.1 and a free port (`AployeeServer`:
  `base_url`, `api_key`, `org_id`, `client`, clock control, the webhook log, far-end helpers),
  reset before each test. A crash inside the server fails the test with the request shown.
- `aployee_mcp_server` — `serve(server) -> url`: runs your SDK `MCPServer` over streamable HTTP on
  127.0.0.1 and a free port for this test, and stops it afterwards (needs the `[mcp]` extra).

Settings: ini options `aployee_seed` (default 0), `aployee_start` (the virtual clock's start, an
ISO 8601 instant), `aployee_clock` (server clock mode, default `auto`), `aployee_webhook_in_flight`
(real webhook requests in flight at once, default 64; 1 sends and awaits each when due); per test
the marker `@pytest.mark.aployee(seed=7, start="2024-01-15T10:30:00Z", clock="manual", webhook_in_flight=1)`.

pytest imports this module at start-up in every project that has aployee-sim installed, so it
imports nothing heavy: the simulator, starlette, uvicorn and httpx are imported inside fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aployee_sim.testing import AployeeServer, far_end

__all__ = ["far_end"]

_SERVERS = pytest.StashKey[dict]()
_MARKER_KEYS = ("seed", "start", "clock", "webhook_in_flight")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("aployee_seed", "seed of the aployee simulator's random source (default 0)", default="0")
    parser.addini("aployee_start", "start instant of the aployee simulator's virtual clock (ISO 8601)", default="")
    parser.addini("aployee_clock", "clock mode of the aployee_server fixture: auto, manual or realtime",
                  default="auto")
    parser.addini("aployee_webhook_in_flight", "real webhook requests in flight at once across calls "
                  "(default 64; 1: sequential delivery)", default="64")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "aployee(seed=N, start=ISO, clock=MODE, webhook_in_flight=N): settings "
                                       "of the aployee_sim and aployee_server fixtures for this test")
    config.stash[_SERVERS] = {}


def pytest_unconfigure(config: pytest.Config) -> None:
    for server in config.stash.get(_SERVERS, {}).values():
        server.stop()
        server.sim.close()  # the plugin made the Simulator, so it closes it (its HTTP webhook client)


def _settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """ini defaults, overridden by the nearest `aployee` marker; a clear error for bad values."""
    config = request.config
    settings: dict[str, Any] = {"seed": config.getini("aployee_seed"), "start": config.getini("aployee_start") or None,
                                "clock": config.getini("aployee_clock"),
                                "webhook_in_flight": config.getini("aployee_webhook_in_flight")}
    marker = request.node.get_closest_marker("aployee")
    if marker is not None:
        unknown = sorted(set(marker.kwargs) - set(_MARKER_KEYS))
        if unknown or marker.args:
            raise pytest.UsageError(f"@pytest.mark.aployee takes only keyword arguments {', '.join(_MARKER_KEYS)}; "
                                    f"got {', '.join(unknown) or marker.args}")
        settings.update(marker.kwargs)
    try:
        settings["seed"] = int(settings["seed"])
    except (TypeError, ValueError):
        raise pytest.UsageError(f"aployee seed must be an integer, got {settings['seed']!r}") from None
    try:
        settings["webhook_in_flight"] = int(settings["webhook_in_flight"])
    except (TypeError, ValueError):
        settings["webhook_in_flight"] = 0
    if not 1 <= settings["webhook_in_flight"] <= 10_000:
        raise pytest.UsageError("aployee webhook_in_flight must be an integer from 1 to 10000, "
                                f"got {settings['webhook_in_flight']!r}")
    if settings["clock"] not in ("auto", "manual", "realtime"):
        raise pytest.UsageError(f"aployee clock must be auto, manual or realtime, got {settings['clock']!r}")
    return settings


@pytest.fixture
def aployee_sim(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh in-process `aployee_sim.api.Simulator` for this test."""
    settings = _settings(request)
    with _simulator(settings) as sim:
        yield sim


@pytest.fixture
def aployee_mcp_server() -> Iterator[Any]:
    """`serve(server) -> url`: an MCP server on a free loopback port until the test ends."""
    from aployee_sim.mcp_serving import McpHttpServer

    running: list[McpHttpServer] = []

    def serve(server: Any, path: str = "/mcp") -> str:
        running.append(McpHttpServer(server, path=path).start())
        return running[-1].url

    try:
        yield serve
    finally:
        for server in running:
            server.stop()


@pytest.fixture
def aployee_server(request: pytest.FixtureRequest) -> Iterator[AployeeServer]:
    """A real server on 127.0.0.1, shared by the tests with the same start and clock, reset (and
    reseeded) before each one."""
    settings = _settings(request)
    key = (settings["start"], settings["clock"], settings["webhook_in_flight"])
    servers = request.config.stash[_SERVERS]
    thread = servers.get(key)
    if thread is None:
        thread = servers[key] = _start_server(settings)
    server = AployeeServer(thread)
    try:
        server.reset(settings["seed"])
        yield server
    finally:
        server.close()


def _simulator(settings: dict[str, Any]) -> Any:
    from aployee_sim.api import Simulator

    return Simulator(seed=settings["seed"], start=settings["start"], webhook_in_flight=settings["webhook_in_flight"])


def _start_server(settings: dict[str, Any]) -> Any:
    from aployee_sim.server.thread import ServerThread

    return ServerThread(sim=_simulator(settings), clock=settings["clock"]).start()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not only a later request) when the server crashed while it ran."""
    result = yield
    server = getattr(item, "funcargs", {}).get("aployee_server")
    if isinstance(server, AployeeServer):
        server.raise_errors()
    return result
