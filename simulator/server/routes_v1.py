"""The production routes (docs/contract.md §1–3): thin handlers that parse, call the platform through
the driver (`driver.read(fn)` to read, `await driver.change(fn)` to change), and return the
projection dict as JSON. Validation lives in the platform (`ApiError`).

Each handler is `async (ctx, request) -> Response`; `aployee_sim.server.app` adds authentication,
rate limits and the error envelope around it. Every list (calls, assistants, organizations, phone
numbers) has the calls list envelope `{data, limit, offset, total, has_more}` ([decision]).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from aployee_sim import __version__
from aployee_sim.contract.models import Health, ServiceInfo
from aployee_sim.platform.pages import paged
from aployee_sim.platform.platform import Platform
from aployee_sim.server.context import Context, Handler, Routes
from aployee_sim.server.envelope import read_json, read_object

OneView = Callable[[Platform, str], dict[str, Any]]  # e.g. `Platform.call_details`: one resource by id

HEALTH = Health(status="ok").dump()
SERVICE_INFO = ServiceInfo(service="aployee", version=__version__, environment="simulator").dump()


async def service_info(ctx: Context, request: Request) -> Response:
    return JSONResponse(SERVICE_INFO)


async def health(ctx: Context, request: Request) -> Response:
    return JSONResponse(HEALTH)


# --- calls -----------------------------------------------------------------------------------
async def create_call(ctx: Context, request: Request) -> Response:
    body = await read_json(request)

    def create() -> dict[str, Any]:
        ctx.limiter.check_concurrency(len(ctx.platform.active))
        return ctx.platform.create_call(body)
    return JSONResponse(await ctx.driver.change(create), status_code=201)


async def list_calls(ctx: Context, request: Request) -> Response:
    q, query = request.query_params, request.url.query

    def listing() -> bytes:
        body = ctx.list_cache.get(ctx.platform, query)
        if body is None:
            page = ctx.platform.list_calls(assistant_id=q.get("assistant_id"), status=q.get("status"),
                                           from_date=q.get("from_date"), to_date=q.get("to_date"),
                                           limit=q.get("limit", 20), offset=q.get("offset", 0))
            body = bytes(JSONResponse(page).body)
            ctx.list_cache.put(query, body)
        return body
    return Response(ctx.driver.read(listing), media_type="application/json")


def _one(name: str, project: OneView, param: str) -> Handler:
    """A GET handler for one resource by the id in the path. `project` calls the platform method
    on the platform it is given (so a subclass's override is the one that answers)."""

    async def view(ctx: Context, request: Request) -> Response:
        return JSONResponse(ctx.driver.read(lambda: project(ctx.platform, request.path_params[param])))

    view.__name__ = name
    return view


get_call = _one("call_details", lambda platform, call_id: platform.call_details(call_id), "call_id")
get_live_state = _one("live_state", lambda platform, call_id: platform.live_state(call_id), "call_id")
get_transcript = _one("transcript", lambda platform, call_id: platform.transcript(call_id), "call_id")
get_timeline = _one("timeline", lambda platform, call_id: platform.timeline(call_id), "call_id")
get_latency = _one("latency", lambda platform, call_id: platform.latency(call_id), "call_id")


# --- assistants ----------------------------------------------------------------------------
async def create_assistant(ctx: Context, request: Request) -> Response:
    body = await read_object(request)
    return JSONResponse(await ctx.driver.change(lambda: ctx.platform.create_assistant(body)), status_code=201)


async def list_assistants(ctx: Context, request: Request) -> Response:
    q = request.query_params
    items = ctx.driver.read(ctx.platform.list_assistants)
    return JSONResponse(paged(items, q.get("limit", 20), q.get("offset", 0)))


async def get_assistant(ctx: Context, request: Request) -> Response:
    return JSONResponse(ctx.driver.read(lambda: ctx.platform.get_assistant(request.path_params["assistant_id"])))


async def update_assistant(ctx: Context, request: Request) -> Response:
    patch = await read_object(request, required=False)
    assistant_id = request.path_params["assistant_id"]
    return JSONResponse(await ctx.driver.change(lambda: ctx.platform.update_assistant(assistant_id, patch)))


async def delete_assistant(ctx: Context, request: Request) -> Response:
    assistant_id = request.path_params["assistant_id"]
    await ctx.driver.change(lambda: ctx.platform.delete_assistant(assistant_id))
    return Response(status_code=204)


# --- organizations and phone numbers (configuration: aployee_sim.platform.directory) ---------------------
async def create_organization(ctx: Context, request: Request) -> Response:
    body: Any = await read_json(request)
    return JSONResponse(await ctx.driver.change(lambda: ctx.platform.create_organization(body)), status_code=201)


async def list_organizations(ctx: Context, request: Request) -> Response:
    q = request.query_params
    return JSONResponse(ctx.driver.read(lambda: ctx.platform.list_organizations(limit=q.get("limit", 20),
                                                                              offset=q.get("offset", 0))))


async def list_phone_numbers(ctx: Context, request: Request) -> Response:
    q = request.query_params
    return JSONResponse(ctx.driver.read(lambda: ctx.platform.list_phone_numbers(limit=q.get("limit", 20),
                                                                              offset=q.get("offset", 0))))


get_organization = _one("get_organization", lambda platform, org_id: platform.get_organization(org_id),
                        "organization_id")
get_phone_number = _one("get_phone_number", lambda platform, number_id: platform.get_phone_number(number_id),
                        "phone_number_id")


# The hot routes first: Starlette tries routes in order.
ROUTES: Routes = [
    ("POST", "/v1/calls", create_call),
    ("GET", "/v1/calls", list_calls),
    ("GET", "/v1/calls/{call_id}", get_call),
    ("GET", "/v1/calls/{call_id}/live-state", get_live_state),
    ("GET", "/v1/calls/{call_id}/transcript", get_transcript),
    ("GET", "/v1/calls/{call_id}/timeline", get_timeline),
    ("GET", "/v1/calls/{call_id}/latency", get_latency),
    ("GET", "/v1", service_info),
    ("GET", "/v1/", service_info),
    ("GET", "/v1/health", health),
    ("POST", "/v1/assistants", create_assistant),
    ("GET", "/v1/assistants", list_assistants),
    ("GET", "/v1/assistants/{assistant_id}", get_assistant),
    ("PATCH", "/v1/assistants/{assistant_id}", update_assistant),
    ("DELETE", "/v1/assistants/{assistant_id}", delete_assistant),
    ("POST", "/v1/organizations", create_organization),
    ("GET", "/v1/organizations", list_organizations),
    ("GET", "/v1/organizations/{organization_id}", get_organization),
    ("GET", "/v1/phone-numbers", list_phone_numbers),
    ("GET", "/v1/phone-numbers/{phone_number_id}", get_phone_number),
]
