"""The control plane under `/_sim` (docs/contract.md §6): reset, clock, the far end of a live call,
inbound calls, the webhook log and the world a call ran in. Simulator conventions, behind the same API key.

Every handler reads through `driver.read` and changes through `await driver.change` (advance and
reset with `runs_engine=True`), which decides when the change runs (aployee_sim.server.driver).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from aployee_sim.contract.errors import ApiError, invalid, is_e164
from aployee_sim.contract.lifecycle import IN_PROGRESS, TERMINAL
from aployee_sim.core.ports import Line
from aployee_sim.fakes.carrier import FakeCarrier
from aployee_sim.platform import projections
from aployee_sim.platform.world import world_of
from aployee_sim.server.context import Context, Routes
from aployee_sim.server.envelope import read_object
from aployee_sim.server.openapi import SIM_OPERATIONS

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
    return JSONResponse(await ctx.driver.change(lambda: ctx.reset(seed), runs_engine=True))


async def get_clock(ctx: Context, request: Request) -> Response:
    return JSONResponse(ctx.driver.read(ctx.driver.clock_dict))


async def advance_clock(ctx: Context, request: Request) -> Response:
    body = await read_object(request)
    seconds = _number(body, "seconds", 0, MAX_ADVANCE_SECONDS)
    return JSONResponse(await ctx.driver.change(lambda: ctx.driver.advance(seconds), runs_engine=True))


def _live_line(ctx: Context, call_id: str, action: str) -> Line:
    record = ctx.platform.record(call_id)
    if record.status != IN_PROGRESS:
        raise ApiError(409, f"The far end can {action} only while the call is in_progress; call "
                            f"{call_id!r} is {record.status}", field="status")
    return ctx.platform.line(call_id)


async def _drive(ctx: Context, request: Request, body: dict[str, Any], field: str, valid: Callable[[Any], bool],
                 expected: str, action: str, act: Callable[[Line, Any], object]) -> Response:
    """Validate one field of the body, act on the live far end (`Driver.change`), answer the live state."""
    value = body.get(field)
    if not valid(value):
        raise invalid(field, f"The {field} field must be {expected}, got {value!r}")
    call_id = request.path_params["call_id"]

    def drive() -> dict[str, Any]:
        act(_live_line(ctx, call_id, action), value)
        return ctx.platform.live_state(call_id)
    return JSONResponse(await ctx.driver.change(drive))


async def say(ctx: Context, request: Request) -> Response:
    """The far end speaks; an optional `confidence` (0–1) is the ASR confidence of what was heard."""
    body = await read_object(request)
    confidence = None if body.get("confidence") is None else _number(body, "confidence", 0, 1)
    return await _drive(ctx, request, body, "text", lambda v: isinstance(v, str) and v.strip() != "",
                  "a non-empty string", "speak", lambda line, text: line.say(text, confidence=confidence))


async def press(ctx: Context, request: Request) -> Response:
    return await _drive(ctx, request, await read_object(request), "digits",
                  lambda v: isinstance(v, str) and _DIGITS.fullmatch(v) is not None,
                  "1–64 keys from 0-9, *, #, A-D", "press keys", lambda line, keys: line.press(keys))


async def hang_up(ctx: Context, request: Request) -> Response:
    await read_object(request, required=False)
    call_id = request.path_params["call_id"]

    def hang() -> dict[str, Any]:
        record = ctx.platform.record(call_id)
        if record.status in TERMINAL:
            raise ApiError(409, f"Call {call_id!r} has already ended ({record.status})", field="status")
        ctx.platform.line(call_id).hang_up()
        return ctx.platform.call_details(call_id)
    return JSONResponse(await ctx.driver.change(hang))


async def inbound(ctx: Context, request: Request) -> Response:
    body = await read_object(request)
    created = await ctx.driver.change(lambda: ctx.platform.place_inbound(body.get("from"), body.get("to")))
    return JSONResponse(created, status_code=201)


async def events(ctx: Context, request: Request) -> Response:
    """The call's whole event log, simulator-only types included, shaped like the timeline."""
    call_id = request.path_params["call_id"]
    return JSONResponse(ctx.driver.read(lambda: projections.event_log(ctx.platform.record(call_id), ctx.platform.clock)))


_OUTCOMES = ("answer", "busy", "no_answer", "error", "default")


async def force_carrier(ctx: Context, request: Request) -> Response:
    """Make every later call to a number end a given way (`default` lifts it)."""
    body = await read_object(request)
    number, outcome, ring = body.get("number"), body.get("outcome"), body.get("ring_seconds")
    if not is_e164(number):
        raise invalid("number", f"The number field must be an E.164 number like +15551234567, got {number!r}")
    if outcome not in _OUTCOMES:
        raise invalid("outcome", f"The outcome field must be one of {', '.join(_OUTCOMES)}, got {outcome!r}")
    ring_ms = None if ring is None else round(_number(body, "ring_seconds", 0, 3600) * 1000)
    carrier = ctx.platform.runtime.carrier
    if not isinstance(carrier, FakeCarrier):
        raise ApiError(409, "This simulator's carrier cannot be scripted (it is not the fake carrier)")

    def force() -> dict[str, Any]:
        if outcome == "default":
            carrier.forced.pop(number, None)
        else:
            carrier.force(number, outcome, ring_ms)
        return {n: {"outcome": f.result, "ring_seconds": None if f.ring_ms is None else f.ring_ms / 1000}
                for n, f in carrier.forced.items()}
    return JSONResponse({"forced": await ctx.driver.change(force)})


async def errors(ctx: Context, request: Request) -> Response:
    """Recent internal errors (simulator bugs answered with a 500), with request and traceback."""
    return JSONResponse(ctx.error_log.listing())


async def webhooks(ctx: Context, request: Request) -> Response:
    return JSONResponse(ctx.driver.read(ctx.platform.exchanges))


async def world(ctx: Context, request: Request) -> Response:
    """What a replay of a call needs beyond the call: numbers, routing, menus, the URLs served
    in-process, timings that differ from the defaults, built-in scripts (the TUI's `y` over `--url`)."""
    return JSONResponse(ctx.driver.read(lambda: world_of(ctx.platform)))


async def index(ctx: Context, request: Request) -> Response:
    """The control plane's routes (the `serve` banner prints this URL), from the OpenAPI table: one
    list, so the index never names a route that is not served or misses one that is."""
    return JSONResponse({"routes": [{"method": method.upper(), "path": path, "summary": summary}
                                    for method, path, _op, summary, _body in SIM_OPERATIONS],
                         "openapi": "/openapi.json"})


ROUTES: Routes = [
    ("GET", "/_sim", index),
    ("POST", "/_sim/reset", reset),
    ("GET", "/_sim/clock", get_clock),
    ("POST", "/_sim/clock/advance", advance_clock),
    ("POST", "/_sim/calls/{call_id}/say", say),
    ("POST", "/_sim/calls/{call_id}/digits", press),
    ("POST", "/_sim/calls/{call_id}/hangup", hang_up),
    ("POST", "/_sim/inbound", inbound),
    ("GET", "/_sim/webhooks", webhooks),
    ("GET", "/_sim/world", world),
    ("GET", "/_sim/errors", errors),
    ("GET", "/_sim/calls/{call_id}/events", events),
    ("POST", "/_sim/carrier", force_carrier),
]
