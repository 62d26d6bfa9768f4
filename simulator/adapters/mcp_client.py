"""Real MCP tool calls with the official SDK (`mcp` 2.x, the `[mcp]` extra): the `ToolPort` the
platform's MCP router falls back to (an adapter; the core never imports it).

One client session per server, owned by one task on the shared `OutsideLoop` (anyio requires a
session to be entered and left in the same task): requests reach it through a queue and come back
as futures. The engine thread blocks on each future with a wall-clock deadline, so virtual time is
held while a call is in flight. A session that fails (server down, protocol error) answers every
waiting request with the error and is started afresh by the next request. Streamable HTTP for an
http(s) URL (with an optional bearer token), stdio for a `command` (our own transport,
`mcp_stdio`: the server's whole process group ends with the session), and an SDK server object
in-process (`route`, no socket).

The SDK's own logging (`mcp.*` loggers) is silenced while one of our sessions is open (`_QuietSdk`):
every failure is recorded once on its exchange, and a misbehaving server must not fill the user's
stderr with a traceback per line. Nothing else of the process's logging is touched.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aployee_sim.adapters.outside_loop import OutsideLoop
from aployee_sim.contract import strict_json
from aployee_sim.core.mcp_turns import EXTRA_MISSING, ServerRef, ToolListing, ToolOutcome


@functools.cache
def _sdk() -> Any:
    """The `mcp` SDK, imported on first use (it takes most of a second, which no simulation without
    MCP should pay); None when the [mcp] extra is not installed (every call then reports EXTRA_MISSING)."""
    try:
        import mcp
        import mcp.client.streamable_http
        import mcp.server.lowlevel
        import mcp.server.mcpserver
        import mcp.shared._httpx_utils
        import mcp.shared.exceptions
    except ImportError:
        return None
    return mcp

MAX_CONTENT_CHARS = 1 << 20  # a tool result over 1 MiB of JSON is refused, like a webhook answer


def is_sdk_server(value: Any) -> bool:
    """An SDK server object (`MCPServer` or a low-level `Server`), to be connected in-process."""
    if "mcp" not in sys.modules:  # whoever holds an SDK server object has imported the SDK
        return False
    sdk = _sdk()
    return sdk is not None and isinstance(value, sdk.server.mcpserver.MCPServer | sdk.server.lowlevel.Server)


class ConnectionClosed(Exception):
    """Our transport's connection ended, and why (`mcp_connection.Connection.ended`)."""


class _QuietSdk:
    """The `mcp` logger raised above CRITICAL while any of our sessions is open, restored after the
    last one: the SDK's child loggers inherit its level, so none of its records reach a handler."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0
        self._saved = logging.NOTSET

    def __enter__(self) -> None:
        with self._lock:
            if self._open == 0:
                logger = logging.getLogger("mcp")
                self._saved = logger.level
                logger.setLevel(logging.CRITICAL + 1)
            self._open += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._open -= 1
            if self._open == 0:
                logging.getLogger("mcp").setLevel(self._saved)


_quiet_sdk = _QuietSdk()


def describe(exc: BaseException) -> str:
    """One line for what went wrong, from the innermost real error of anyio's exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if isinstance(exc, ConnectionClosed):
        return f"connection closed: {exc}"
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout: the server did not answer in time"
    sdk = _sdk()
    if sdk is not None and isinstance(exc, sdk.shared.exceptions.MCPError):
        return f"protocol error: {exc}"
    name = type(exc).__name__
    if "Connect" in name or isinstance(exc, ConnectionError | OSError):
        return f"connection error: {exc or name}"
    return f"protocol error: {name}: {exc}"


@dataclass(slots=True)
class _Request:
    kind: str  # "list" or "call"
    tool: str = ""
    arguments: dict[str, Any] = field(default_factory=dict)
    timeout_s: float = 30.0
    done: asyncio.Future[Any] | None = None


class _Session:
    """One server's client session, run by one task; `None` on the queue ends it."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.queue: asyncio.Queue[_Request | None] = asyncio.Queue()
        self.task: asyncio.Task[None] = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        with _quiet_sdk:
            await self._serve_queue()

    async def _serve_queue(self) -> None:
        pending: _Request | None = None
        try:
            async with _sdk().Client(self.target) as client:
                while True:
                    pending = await self.queue.get()
                    if pending is None:
                        return
                    try:
                        result = await _serve(client, pending)
                    except Exception as exc:  # a failed request leaves the session usable
                        result = self._explained(exc)
                    if pending.done is not None and not pending.done.done():
                        pending.done.set_result(result)
                    pending = None
                    if isinstance(result, ConnectionClosed):  # the next request starts the server afresh
                        raise result
        except BaseException as exc:  # the session itself failed: answer everyone waiting, then end
            failures = [pending] if pending is not None else []
            while not self.queue.empty():
                item = self.queue.get_nowait()
                if item is not None:
                    failures.append(item)
            for item in failures:
                if item.done is not None and not item.done.done():
                    item.done.set_result(self._explained(exc))
            if isinstance(exc, asyncio.CancelledError):
                raise

    def _explained(self, exc: BaseException) -> BaseException:
        """A connection our transport ended (`Connection.ended`) as `ConnectionClosed` with its reason;
        other failures as they are."""
        ended = getattr(self.target, "ended", None)
        if ended is None or isinstance(exc, asyncio.CancelledError):
            return exc
        return ConnectionClosed(ended)


async def _serve(client: Any, request: _Request) -> Any:
    if request.kind == "list":
        return await asyncio.wait_for(client.list_tools(), request.timeout_s)
    return await asyncio.wait_for(client.call_tool(request.tool, request.arguments,
                                                   read_timeout_seconds=request.timeout_s), request.timeout_s)


class McpClientPool:
    """The real-SDK `ToolPort`: sessions by server, on one `OutsideLoop`; `close()` ends them all."""

    def __init__(self, loop: OutsideLoop | None = None) -> None:
        self._loop = loop or OutsideLoop("aployee-sim-mcp")
        self._owns_loop = loop is None
        self._sessions: dict[Any, _Session] = {}
        self._inprocess: dict[str, Any] = {}

    def route(self, url: str, server: Any) -> None:
        """Connect `url` to an SDK server object (`MCPServer` or low-level `Server`) in-process."""
        self._inprocess[url] = server

    def list_tools(self, server: ServerRef, timeout_ms: int) -> ToolListing:
        if _sdk() is None:
            return ToolListing(error=EXTRA_MISSING)
        answer, _ = self._ask(server, _Request("list", timeout_s=timeout_ms / 1000))
        if isinstance(answer, BaseException):
            return ToolListing(error=describe(answer))
        return ToolListing(frozenset(tool.name for tool in answer.tools))

    def call_tool(self, server: ServerRef, tool: str, arguments: dict[str, Any], timeout_ms: int) -> ToolOutcome:
        if _sdk() is None:
            return ToolOutcome(error=EXTRA_MISSING)
        answer, wall_ms = self._ask(server, _Request("call", tool, arguments, timeout_ms / 1000))
        if isinstance(answer, BaseException):
            error = describe(answer)
            return ToolOutcome(error=error, wall_ms=wall_ms, timed_out=error.startswith("timeout"))
        content = [block.model_dump(mode="json", by_alias=True, exclude_none=True) for block in answer.content]
        if sum(len(str(block)) for block in content) > MAX_CONTENT_CHARS:
            return ToolOutcome(error=f"protocol error: result over {MAX_CONTENT_CHARS} characters", wall_ms=wall_ms)
        try:  # the result is listed under /_sim and stored: hostile nesting or NaN stops here
            strict_json.check([content, answer.structured_content])
        except strict_json.StrictJsonError as exc:
            return ToolOutcome(error=f"protocol error: the result is not strict JSON: {exc}", wall_ms=wall_ms)
        return ToolOutcome(content=content, structured=answer.structured_content, is_error=bool(answer.is_error),
                           wall_ms=wall_ms)

    def _ask(self, server: ServerRef, request: _Request) -> tuple[Any, int]:
        """Send one request to the server's session and wait for it (bounded by its timeout)."""
        started = time.perf_counter()
        future = self._loop.submit(self._send(server, request))
        try:
            answer = self._loop.result(future, request.timeout_s + 1.0)
        except concurrent.futures.TimeoutError:
            future.cancel()
            answer = TimeoutError()
        return answer, round((time.perf_counter() - started) * 1000)

    async def _send(self, server: ServerRef, request: _Request) -> Any:
        key = (server.url, server.command, server.bearer_token)
        session = self._sessions.get(key)
        if session is None or session.task.done():
            session = self._sessions[key] = _Session(self._target(server))
        request.done = asyncio.get_running_loop().create_future()
        await session.queue.put(request)
        try:
            return await asyncio.wait_for(asyncio.shield(request.done), request.timeout_s + 0.5)
        except TimeoutError:
            return TimeoutError()

    def _target(self, server: ServerRef) -> Any:
        if server.url in self._inprocess:
            return self._inprocess[server.url]
        if server.command and sys.platform == "win32":  # no process groups: the SDK's own transport
            return _sdk().StdioServerParameters(command=server.command[0], args=list(server.command[1:]))
        if server.command:
            from mcp.client.stdio import get_default_environment

            from aployee_sim.adapters.mcp_stdio import StdioServer
            return StdioServer(list(server.command), get_default_environment())
        from aployee_sim.adapters.mcp_http import HttpServer
        headers = {"User-Agent": "aployee-sim"}
        if server.bearer_token:
            headers["Authorization"] = f"Bearer {server.bearer_token}"
        return HttpServer(server.url, headers)

    def close(self) -> None:
        """End every session (each in its own task) and, if this pool started it, the loop."""
        sessions, self._sessions = list(self._sessions.values()), {}

        async def _end_all() -> None:
            for session in sessions:
                if not session.task.done():
                    await session.queue.put(None)
            await asyncio.wait([s.task for s in sessions], timeout=5.0) if sessions else None

        if sessions:
            try:
                self._loop.submit(_end_all()).result(6.0)
            except (concurrent.futures.TimeoutError, RuntimeError):
                pass  # the loop's close() cancels whatever is left
        if self._owns_loop:
            self._loop.close()
