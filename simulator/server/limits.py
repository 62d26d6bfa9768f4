"""The HTTP server's size caps, in one place (docs/server.md "Limits", docs/contract.md §7), and the
protocol that enforces the ones the application cannot.

An ASGI application only sees a request once its head (request line and headers) is complete, so
a cap on the head must live in the HTTP protocol: httptools (llhttp) has no limit of its own, and
uvicorn none on top of it (its `h11_max_incomplete_event_size` only applies to the h11 protocol,
which the simulator does not use). `BoundedHttpToolsProtocol` is uvicorn's httptools protocol,
passed as `uvicorn.Config(http=...)` (a protocol class is a supported value there), with:

- the head capped at `MAX_HEAD_BYTES` and `MAX_HEADER_COUNT` headers: beyond either, a 431 with
  the production error envelope. Complete parts (the URL, each header) are measured as the parser
  reports them; a part still arriving is measured by the reads received since the head began, so
  a 100 MB header costs at most two socket reads (256 KiB each) beyond the cap and never holds up
  other clients;
- a deadline on the head: it must be complete within `HEAD_DEADLINE_SECONDS` of the connection
  opening or of its first byte (a keep-alive connection's next request), else a 408 with the
  envelope. uvicorn times out only idle keep-alive connections, so a client that opened a
  connection and sent nothing, or dripped a header byte a second, held it for good;
- requests the parser rejects answered with the 400 envelope instead of uvicorn's plain-text
  `Invalid HTTP request received.`

After such an answer the connection is half-closed and what the client still sends is read and
dropped for up to `LINGER_SECONDS`, so the client can read the answer instead of meeting a reset.

The request body cap (`MAX_BODY_BYTES`, 413) is enforced where the body is read
(`aployee_sim.server.envelope.read_body`).
"""

from __future__ import annotations

import asyncio
import http
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from aployee_sim.contract import strict_json
from aployee_sim.contract.errors import ApiError
from aployee_sim.server.envelope import MAX_BODY_BYTES

MAX_HEAD_BYTES = 64 * 1024
"""Request line plus all header lines, in bytes."""
MAX_HEADER_COUNT = 100
HEAD_DEADLINE_SECONDS = 30.0
"""How long the request line and headers may take to arrive, in all."""
LINGER_SECONDS = 1.0

__all__ = ["MAX_BODY_BYTES", "MAX_HEAD_BYTES", "MAX_HEADER_COUNT", "BoundedHttpToolsProtocol"]

HEAD_TOO_LARGE = ApiError(431, f"The request line and headers are larger than {MAX_HEAD_BYTES} bytes "
                               f"(64 KiB) or more than {MAX_HEADER_COUNT} headers", field="headers")
NOT_HTTP = ApiError(400, "The request is not valid HTTP/1.1 (the server could not parse it)")
HEAD_TOO_SLOW = ApiError(408, f"The request line and headers did not arrive within {HEAD_DEADLINE_SECONDS:g} s",
                         field="headers")


class _Refused(Exception):
    """Raised inside a parser callback to stop parsing; the answer is in `_refusal`."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the head caps and JSON answers described above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0  # received while the head is incomplete (approximate: whole reads)
        self._head_size = 0  # of the URL and headers parsed so far (exact)
        self._head_began = False  # a message ended within the current read: the rest starts a new head
        self._header_count = 0
        self._refusal: ApiError | None = None
        self._lingering = False
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:  # the answer is sent: drop what the client still sends
            return
        if self._in_head and self._head_deadline is None:  # the first byte of a keep-alive connection's next head
            self._start_head_deadline()
        self._head_began = False
        super().data_received(data)
        if self._in_head and not self._lingering and not self._head_began:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refusal = HEAD_TOO_LARGE
                self.send_400_response("")

    def _start_head_deadline(self) -> None:
        self._head_deadline = self.loop.call_later(HEAD_DEADLINE_SECONDS, self._head_too_slow)

    def _stop_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self._in_head or self._lingering or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self._start_head_deadline()  # the answer to the request before it is still being written
            return
        self._refusal = HEAD_TOO_SLOW
        self.send_400_response("")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_size = self._header_count = 0

    def on_url(self, url: bytes) -> None:
        self._grow_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._grow_head(len(name) + len(value) + 4)  # `name: value\r\n`
        super().on_header(name, value)

    def _grow_head(self, size: int) -> None:
        self._head_size += size
        if self._head_size > MAX_HEAD_BYTES or self._header_count > MAX_HEADER_COUNT:
            self._refusal = HEAD_TOO_LARGE
            raise _Refused  # httptools turns it into a parser error: `send_400_response` answers

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        self._stop_head_deadline()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_began = True, True

    def send_400_response(self, msg: str) -> None:
        """uvicorn calls this for a request its parser rejects; answered with the envelope."""
        error = self._refusal or NOT_HTTP
        body = strict_json.dumps(error.envelope()).encode()
        head = [f"HTTP/1.1 {error.status} {http.HTTPStatus(error.status).phrase}\r\n".encode()]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(body),
                 b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        self._lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
