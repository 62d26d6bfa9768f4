"""The streamable HTTP MCP transport with the answer cap enforced on the bytes as they arrive.

The SDK reads a JSON answer whole (`response.aread()`, no limit) before parsing it, so a 400 MB tool
result used to take gigabytes of memory. Here the HTTP client's transport counts each answer's bytes
as they come: past `MAX_MCP_MESSAGE_BYTES` the read stops, the rest is never read, and the exchange
fails naming the cap (docs/contract.md §7). Event streams are capped per event by the SDK itself
(`max_sse_event_size`, given the same cap). Answers are requested uncompressed
(`Accept-Encoding: identity`) and one that comes compressed anyway is refused, since its size on
the wire says nothing about its size in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx2

from aployee_sim.adapters.mcp_connection import Connection
from aployee_sim.core.reasoning import MAX_MCP_MESSAGE_BYTES


class AnswerRefused(httpx2.StreamError):
    """Raised into the SDK's read of an answer: it fails the request at once (a parse error)."""


class HttpServer(Connection):
    """A `Transport` for the SDK's `Client` over streamable HTTP, with our headers (a bearer token)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        super().__init__()
        self.url, self.headers = url, headers

    def _connect(self) -> AbstractAsyncContextManager[Any]:
        return self._streams()

    @asynccontextmanager
    async def _streams(self) -> AsyncIterator[Any]:
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import MCP_DEFAULT_SSE_READ_TIMEOUT, MCP_DEFAULT_TIMEOUT

        http = httpx2.AsyncClient(transport=_CappedTransport(self), headers={**self.headers, "Accept-Encoding": "identity"},
                                  timeout=httpx2.Timeout(MCP_DEFAULT_TIMEOUT, read=MCP_DEFAULT_SSE_READ_TIMEOUT))
        async with http, streamable_http_client(self.url, http_client=http,
                                                max_sse_event_size=MAX_MCP_MESSAGE_BYTES) as streams:
            yield streams


class _CappedTransport(httpx2.AsyncBaseTransport):
    def __init__(self, owner: Connection) -> None:
        self._inner = httpx2.AsyncHTTPTransport()
        self._owner = owner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self._inner.handle_async_request(request)
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        streamed = response.headers.get("content-type", "").lower().startswith("text/event-stream")
        refusal = (f"the server compressed its answer (Content-Encoding: {encoding}) although asked not to"
                   if encoding != "identity" else None)
        if refusal is None and streamed:
            return response  # events: capped one by one by the SDK
        assert isinstance(response.stream, httpx2.AsyncByteStream)
        return httpx2.Response(response.status_code, headers=response.headers, request=request,
                               extensions=response.extensions,
                               stream=_CappedStream(response.stream, self._owner, refusal))

    async def aclose(self) -> None:
        await self._inner.aclose()


class _CappedStream(httpx2.AsyncByteStream):
    def __init__(self, inner: httpx2.AsyncByteStream, owner: Connection, refusal: str | None) -> None:
        self._inner, self._owner, self._refusal = inner, owner, refusal

    def _refuse(self, reason: str) -> AnswerRefused:
        self._owner._end(reason)
        return AnswerRefused(reason)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._refusal is not None:
            raise self._refuse(self._refusal)
        size = 0
        async for chunk in self._inner:
            size += len(chunk)
            if size > MAX_MCP_MESSAGE_BYTES:
                raise self._refuse(f"the server sent a message over {MAX_MCP_MESSAGE_BYTES} bytes")
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()
