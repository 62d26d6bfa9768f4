"""The control plane under `/_sim` (CONTRACT §6): reset, clock, the far end of a live call,
inbound calls and the webhook log. Simulator conventions, behind the same API key.

Anything that runs the engine or replaces its state (advance, reset) is handed to the driver
thread and awaited, so it never overlaps an engine run; the rest changes the platform under
the lock and kicks the driver.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from simulator.errors import ApiError, invalid
from simulator.lifecycle import IN_PROGRESS, TERMINAL
from simulator.server.envelope import read_object

if TYPE_CHECKING:
    from simulator.server.app import Context

MAX_ADVANCE_SECONDS = 31 * 24 * 3600
_DIGITS = re.compile(r"[0-9*#A-Da-d]{1,64}")


def _number(body: dict[str, Any], name: str, low: float, high: float) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise invalid(name, f"The {name} field must be a number from {low:g} to {high:g}, got {value!r}")
    return value


async def reset(ctx: Context, request: Request) -> Response:
    body = await read_object(request, required=False)
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise invalid("seed", f"The seed field must be an integer, got {seed!r}")
    return JSONResponse(await asyncio.wrap_future(ctx.driver.submit(lambda: ctx.reset(seed))))


async def get_clock(ctx: Context, request: Request) -> Response:
    with ctx.driver.lock:
        return JSONResponse(ctx.driver.clock_dict())


async def advance_clock(ctx: Context, request: Request) -> Response:
    body = await read_object(request)
    seconds = _number(body, "seconds", 0, MAX_ADVANCE_SECONDS)
    return JSONResponse(await asyncio.wrap_future(ctx.driver.advance(seconds)))


def _live_line(ctx: Context, call_id: str, action: str):
    record = ctx.platform.record(call_id)
    if record.status != IN_PROGRESS:
        raise ApiError(409, f"The far end can {action} only while the call is in_progress; call "
                            f"{call_id!r} is {record.status}", field="status")
    return ctx.platform.line(call_id)


async def say(ctx: Context, request: Request) -> Response:
    body = await read_object(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise invalid("text", f"The text field must be a non-empty string, got {text!r}")
    call_id = request.path_params["call_id"]
    with ctx.driver.lock:
        _live_line(ctx, call_id, "speak").say(text)
        state = ctx.platform.live_state(call_id)
    ctx.driver.kick()
    return JSONResponse(state)


async def digits(ctx: Context, request: Request) -> Response:
    body = await read_object(request)
    keys = body.get("digits")
    if not isinstance(keys, str) or not _DIGITS.fullmatch(keys):
        raise invalid("digits", f"The digits field must be 1–64 keys from 0-9, *, #, A-D, got {keys!r}")
    call_id = request.path_params["call_id"]
    with ctx.driver.lock:
        _live_line(ctx, call_id, "press keys").press(keys)
        state = ctx.platform.live_state(call_id)
    ctx.driver.kick()
    return JSONResponse(state)


async def hangup(ctx: Context, request: Request) -> Response:
    await read_object(request, required=False)
    call_id = request.path_params["call_id"]
    with ctx.driver.lock:
        record = ctx.platform.record(call_id)
        if record.status in TERMINAL:
            raise ApiError(409, f"Call {call_id!r} has already ended ({record.status})", field="status")
        ctx.platform.line(call_id).hang_up()
        details = ctx.platform.call_details(call_id)
    ctx.driver.kick()
    return JSONResponse(details)


async def inbound(ctx: Context, request: Request) -> Response:
    body = await read_object(request)
    with ctx.driver.lock:
        created = ctx.platform.place_inbound(body.get("from"), body.get("to"))
    ctx.driver.kick()
    return JSONResponse(created, status_code=201)


async def webhooks(ctx: Context, request: Request) -> Response:
    with ctx.driver.lock:
        return JSONResponse(ctx.platform.exchanges())


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", "/_sim/reset", reset),
    ("GET", "/_sim/clock", get_clock),
    ("POST", "/_sim/clock/advance", advance_clock),
    ("POST", "/_sim/calls/{call_id}/say", say),
    ("POST", "/_sim/calls/{call_id}/digits", digits),
    ("POST", "/_sim/calls/{call_id}/hangup", hangup),
    ("POST", "/_sim/inbound", inbound),
    ("GET", "/_sim/webhooks", webhooks),
]
