"""The wire rules every route shares: reading JSON bodies safely and answering errors with the
production envelope (docs/contract.md §1), and keeping a record of handler crashes with the request.

A user's mistake (bad JSON, wrong content type, a body over 1 MiB, NaN or 1e999, nesting deeper
than `strict_json.MAX_DEPTH`, an unpaired surrogate) is always a 4xx with the envelope; bodies are
parsed by the one strict JSON policy (`aployee_sim.contract.strict_json`, docs/contract.md §7); only a simulator bug is a 500, and that one is recorded in
`HandlerError` so a test harness can re-raise it where the test can see it.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from aployee_sim.contract import strict_json
from aployee_sim.contract.errors import ApiError

MAX_BODY_BYTES = 1 << 20
EXCERPT_BYTES = 300


def error_response(error: ApiError) -> JSONResponse:
    headers = dict(getattr(error, "headers", None) or {})
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(error.envelope(), status_code=error.status, headers=headers)


async def read_body(request: Request) -> bytes:
    """The raw body, refusing more than 1 MiB (413) whether or not Content-Length is sent.

    Reads the ASGI messages directly: Starlette's `stream()` generator costs more than the rest of
    a small request's parsing."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, f"The Content-Length header is not a number: {declared!r}", field="Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise _too_large()
    chunks, size = [], 0
    receive = request.receive
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: nothing to answer
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request.state.body = body
    return body


def _too_large() -> ApiError:
    return ApiError(413, f"The request body is larger than {MAX_BODY_BYTES} bytes (1 MiB)", field="body")


async def read_json(request: Request, *, required: bool = True) -> Any:
    """Parse a JSON body. Empty bodies are `None` (or 400 when `required`)."""
    body = await read_body(request)
    if not body.strip():
        if required:
            raise ApiError(400, "The request body must be a JSON object", field="body")
        return None
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise ApiError(415, f"The request body must be JSON: send Content-Type: application/json, "
                            f"got {media or 'no Content-Type'!r}", field="Content-Type")
    try:
        return strict_json.loads(body)
    except strict_json.StrictJsonError as exc:
        raise ApiError(400, f"The request body cannot be accepted: {exc}", field="body") from None


async def read_object(request: Request, *, required: bool = True) -> dict[str, Any]:
    value = await read_json(request, required=required)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError(400, "The request body must be a JSON object", field="body")
    return value


@dataclass
class HandlerError:
    """A simulator crash while serving a request (or inside the engine), with the request shown."""

    method: str
    path: str
    body_excerpt: str
    exception: BaseException
    traceback: str = field(repr=False, default="")

    def describe(self) -> str:
        where = f"{self.method} {self.path}" if self.method else self.path
        body = f" with body {self.body_excerpt}" if self.body_excerpt else ""
        return f"{where}{body} raised {type(self.exception).__name__}: {self.exception}"


def handler_error(request: Request | None, exc: BaseException, where: str = "") -> HandlerError:
    if request is None:
        method, path, body = "", where, b""
    else:
        method, path = request.method, request.url.path
        if request.url.query:
            path += "?" + request.url.query
        body = getattr(request.state, "body", b"")
    excerpt = body[:EXCERPT_BYTES].decode("utf-8", "replace") + ("…" if len(body) > EXCERPT_BYTES else "")
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return HandlerError(method, path, excerpt, exc, text)


INTERNAL = ApiError(500, "The simulator failed while handling this request; the error is recorded "
                         "on the server", code="internal_error")
