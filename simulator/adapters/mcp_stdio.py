"""The stdio MCP transport: a server started as a command, spoken to over its stdin and stdout.

Our own, in place of the SDK's `stdio_client`, for three guarantees the SDK does not give
(docs/mcp.md, "A server started as a command"):

- **Nothing is left running.** The server starts in its own session (so its own process group),
  and when the session ends, however it ends, the whole group gets SIGTERM and, after a short
  grace, SIGKILL: a child the server started (`sh -c 'sleep 777 & exit 0'`) goes with it.
- **A server that exits closes the connection at once**, even while a child it left behind still
  holds the stdout pipe open: the transport watches the server process, not only the pipe, so the
  waiting request fails as "connection closed", not as a timeout.
- **Stdout is the protocol** (the MCP stdio transport allows nothing else on it): a line that is not
  a JSON-RPC message, or one longer than the message cap, ends the connection with that reason, once,
  instead of the SDK's traceback per line.

`ended` (`mcp_connection.Connection`) says why the connection closed; `mcp_client` puts it into
the exchange's error.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import anyio
import anyio.abc

from aployee_sim.adapters.mcp_connection import Connection
from aployee_sim.core.reasoning import MAX_MCP_MESSAGE_BYTES as MAX_MESSAGE_BYTES  # one line on stdout

GRACE_S = 0.5          # after stdin closes, then after SIGTERM, before the next step
POLL_S = 0.02          # how often the server process and its group are looked at
FLUSH_S = 0.2          # after the server exits, for its last lines still in the pipe


class StdioServer(Connection):
    """A `Transport` for the SDK's `Client`: `async with StdioServer([...]) as (read, write)`."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        super().__init__()
        self.command, self.env = command, env

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Any]:
        from mcp.shared.message import SessionMessage

        process = await anyio.open_process(self.command, env=self.env, stderr=sys.stderr, start_new_session=True)
        try:
            to_session, read = anyio.create_memory_object_stream[SessionMessage | Exception](0)
            write, from_session = anyio.create_memory_object_stream[SessionMessage](0)
            eof = anyio.Event()
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(self._read_stdout, process, to_session, eof)
                tasks.start_soon(self._write_stdin, process, from_session, to_session)
                tasks.start_soon(self._watch, process, to_session, eof)
                try:
                    yield read, write
                finally:
                    tasks.cancel_scope.cancel()
                    for stream in (read, write, to_session, from_session):
                        stream.close()
        finally:
            with anyio.CancelScope(shield=True):
                await end_process_group(process)

    async def _read_stdout(self, process: anyio.abc.Process, to_session: Any, eof: anyio.Event) -> None:
        import mcp_types
        from mcp.shared.message import SessionMessage

        assert process.stdout is not None
        buffer = b""
        try:
            async for chunk in process.stdout:
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                if len(buffer) > MAX_MESSAGE_BYTES or any(len(line) > MAX_MESSAGE_BYTES for line in lines):
                    self._end(f"the server sent a message over {MAX_MESSAGE_BYTES} bytes")
                    return
                for line in lines:
                    if not line.strip():
                        continue
                    try:
                        message = mcp_types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                    except ValueError:
                        self._end(f"the server wrote a line that is not JSON-RPC on stdout: {line[:80]!r}")
                        return
                    await to_session.send(SessionMessage(message))
            self._end("the server closed its stdout")
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            pass
        finally:
            eof.set()
            to_session.close()

    async def _write_stdin(self, process: anyio.abc.Process, from_session: Any, to_session: Any) -> None:
        assert process.stdin is not None
        try:
            async for message in from_session:
                text = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                await process.stdin.send(text.encode() + b"\n")
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            self._end("the server stopped reading its stdin")
            to_session.close()

    async def _watch(self, process: anyio.abc.Process, to_session: Any, eof: anyio.Event) -> None:
        """The server exited: its last lines are read (briefly), then the connection is closed even
        if a child it left still holds the pipe."""
        while process.returncode is None:
            await anyio.sleep(POLL_S)
        with anyio.move_on_after(FLUSH_S):
            await eof.wait()
        self._end(f"the server exited (status {process.returncode})")
        to_session.close()


async def end_process_group(process: anyio.abc.Process) -> None:
    """Close the server's stdin, give it `GRACE_S` to exit, then SIGTERM its whole group, and SIGKILL
    what is left after another `GRACE_S`. The group id is the server's pid (start_new_session),
    valid while any member lives, even after the server itself is gone."""
    group = process.pid
    if process.stdin is not None:
        with suppress(OSError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            await process.stdin.aclose()
    await _wait(lambda: process.returncode is not None)
    for how in (signal.SIGTERM, signal.SIGKILL):
        if not _signal_group(group, how):
            break
        if await _wait(lambda: not _group_alive(group)):
            break
    await _wait(lambda: process.returncode is not None)  # reaped by the loop's child watcher
    if process.stdout is not None:
        with suppress(OSError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            await process.stdout.aclose()


async def _wait(done: Callable[[], bool]) -> bool:
    with anyio.move_on_after(GRACE_S):
        while not done():
            await anyio.sleep(POLL_S)
        return True
    return False


def _signal_group(group: int, how: signal.Signals) -> bool:
    """Signal every process of the group; False when none is left."""
    try:
        os.killpg(group, how)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # a member we may not signal (or a zombie on some systems): keep escalating
    return True


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
