"""A hostile MCP server that streams enormous answers without holding them: over stdio or streamable
HTTP, a `tools/call` result of `--result-mb` MiB of text, or a `tools/list` of `--tools` tools.

It speaks just enough JSON-RPC by hand (initialize, tools/list, tools/call) to reach the answer,
and writes it in 1 MiB pieces, so its own memory stays small whatever it sends.

    python huge_mcp_server.py stdio --result-mb 400
    python huge_mcp_server.py http --tools 100000      # prints "PORT <n>" once listening
    python huge_mcp_server.py http --result-mb 400 --gzip   # a gzip bomb: 400 MiB in about 400 KB
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

CHUNK = 1 << 20


def answer(request: dict, options: argparse.Namespace) -> Iterator[bytes] | None:
    """The answer to one request as pieces of bytes (None for a notification)."""
    method, rid = request.get("method"), request.get("id")
    if rid is None:
        return None
    head = f'{{"jsonrpc": "2.0", "id": {json.dumps(rid)}, "result": '.encode()
    if method == "initialize":
        result = {"protocolVersion": request["params"]["protocolVersion"], "capabilities": {"tools": {}},
                  "serverInfo": {"name": "huge", "version": "1"}}
        return iter([head + json.dumps(result).encode() + b"}"])
    if method == "tools/list":
        return _listing(head, options.tools)
    if method == "tools/call":
        return _result(head, options.result_mb)
    return iter([head + b"{}}"])


def _listing(head: bytes, count: int) -> Iterator[bytes]:
    yield head + b'{"tools": [{"name": "check_order_status", "inputSchema": {"type": "object"}}'
    piece = []
    for n in range(count):
        piece.append(f', {{"name": "tool_{n}", "inputSchema": {{"type": "object"}}}}')
        if len(piece) == 10000:
            yield "".join(piece).encode()
            piece = []
    yield "".join(piece).encode() + b"]}}"


def _result(head: bytes, megabytes: int) -> Iterator[bytes]:
    yield head + b'{"content": [{"type": "text", "text": "'
    block = b"a" * CHUNK
    for _ in range(megabytes):
        yield block
    yield b'"}]}}'


def _gzipped(pieces: Iterator[bytes]) -> Iterator[bytes]:
    import zlib
    packer = zlib.compressobj(wbits=31)  # the gzip format
    for piece in pieces:
        yield packer.compress(piece)
    yield packer.flush()


def serve_stdio(options: argparse.Namespace) -> None:
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        pieces = answer(json.loads(line), options) if line.strip() else None
        if pieces is not None:
            for piece in pieces:
                out.write(piece)
            out.write(b"\n")
            out.flush()


def serve_http(options: argparse.Namespace) -> None:
    import socket

    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response, StreamingResponse
    from starlette.routing import Route

    async def mcp(request: Request) -> Response:
        if request.method != "POST":
            return Response(status_code=405)
        pieces = answer(json.loads(await request.body()), options)
        if pieces is None:
            return Response(status_code=202)
        if options.gzip:
            return StreamingResponse(_gzipped(pieces), media_type="application/json",
                                     headers={"Content-Encoding": "gzip"})
        return StreamingResponse(pieces, media_type="application/json")

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    app = Starlette(routes=[Route("/mcp", mcp, methods=["GET", "POST", "DELETE"])])
    uvicorn.Server(uvicorn.Config(app, log_level="error")).run(sockets=[sock])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("stdio", "http"))
    parser.add_argument("--result-mb", type=int, default=1)
    parser.add_argument("--tools", type=int, default=0)
    parser.add_argument("--gzip", action="store_true", help="http: compress every answer (Content-Encoding: gzip)")
    options = parser.parse_args()
    (serve_stdio if options.mode == "stdio" else serve_http)(options)
