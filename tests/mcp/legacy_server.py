"""A hand-written MCP server that speaks only the 2025-03-26 protocol (initialize handshake, JSON
responses), as older integrator servers do: it answers `server/discover` with "method not found",
so a v2 client must fall back to the handshake."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

VERSION = "2025-03-26"
TOOL = {"name": "check_order_status", "description": "An order's status",
        "inputSchema": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}


def _answer(message: dict) -> dict | None:
    method, ident = message.get("method"), message.get("id")
    if ident is None:  # a notification
        return None
    if method == "initialize":
        result = {"protocolVersion": VERSION, "capabilities": {"tools": {}},
                  "serverInfo": {"name": "legacy-shop", "version": "0.9"}}
    elif method == "tools/list":
        result = {"tools": [TOOL]}
    elif method == "tools/call":
        order = message["params"]["arguments"].get("order_id", "?")
        result = {"content": [{"type": "text", "text": json.dumps({"status": "delivered", "order_id": order})}],
                  "isError": False}
    elif method == "ping":
        result = {}
    else:
        return {"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": f"Method not found: {method}"}}
    return {"jsonrpc": "2.0", "id": ident, "result": result}


async def _endpoint(request: Request) -> Response:
    if request.method != "POST":
        return Response(status_code=405)
    answer = _answer(json.loads(await request.body()))
    if answer is None:
        return Response(status_code=202)
    return JSONResponse(answer, headers={"mcp-session-id": "legacy-1"})


def legacy_app() -> Starlette:
    return Starlette(routes=[Route("/", _endpoint, methods=["GET", "POST", "DELETE"])])
