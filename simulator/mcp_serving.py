"""Run an MCP server (an SDK `MCPServer`, or any ASGI app) over streamable HTTP on 127.0.0.1, for
tests and benchmarks: `with McpHttpServer(server) as url: ...` (the `aployee_mcp_server` pytest
fixture wraps it). The socket is bound before the thread starts, so the port is never raced, and
`stop()` waits (bounded) for uvicorn to finish, so nothing is left running.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


class McpHttpServer:
    def __init__(self, server: Any, *, path: str = "/mcp", start_timeout_s: float = 10.0) -> None:
        """`server`: an `mcp.server.mcpserver.MCPServer` (served at `path`), or an ASGI app as is."""
        self.server, self.path, self.start_timeout_s = server, path, start_timeout_s
        self._uvicorn: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        if self._socket is None:
            raise RuntimeError("the MCP server is not started")
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}{self.path}"

    def start(self) -> McpHttpServer:
        import uvicorn

        app = self.server.streamable_http_app(streamable_http_path=self.path) \
            if hasattr(self.server, "streamable_http_app") else self.server
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._uvicorn = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        self._thread = threading.Thread(target=self._uvicorn.run, kwargs={"sockets": [self._socket]},
                                        name="aployee-sim-mcp-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout_s
        while not self._uvicorn.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the MCP server did not start within {self.start_timeout_s} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout_s)
        if self._socket is not None:
            self._socket.close()
        self._uvicorn = self._thread = None

    def __enter__(self) -> str:
        return self.start().url

    def __exit__(self, *exc: object) -> None:
        self.stop()
