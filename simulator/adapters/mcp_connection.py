"""What our MCP transports share: a `Transport` for the SDK's `Client` that remembers why it ended.

The SDK reports a transport that stops (a server that exited, a message over the cap) as a bare
"Connection closed", or as a timeout; `ended` keeps our reason, and `mcp_client` records it on the
exchange instead (`connection closed: <reason>`).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any


class Connection:
    """`async with connection as (read, write)`: subclasses give `_connect()` and call `_end(reason)`."""

    def __init__(self) -> None:
        self.ended: str | None = None
        self._connection: AbstractAsyncContextManager[Any] | None = None

    def _connect(self) -> AbstractAsyncContextManager[Any]:
        raise NotImplementedError

    def _end(self, reason: str) -> None:
        """Note why the connection ends (the first reason wins: later ones are its consequences)."""
        self.ended = self.ended or reason

    async def __aenter__(self) -> Any:
        self._connection = self._connect()
        return await self._connection.__aenter__()

    async def __aexit__(self, *exc: Any) -> bool | None:
        assert self._connection is not None
        return await self._connection.__aexit__(*exc)
