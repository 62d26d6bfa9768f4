"""The production routes (CONTRACT §1–3): thin handlers that parse, call the platform under the
lock, and return the projection dict as JSON. Validation lives in the platform (`ApiError`).

Each handler is `async (ctx, request) -> Response`; `aployee_sim.server.app` adds authentication,
rate limits and the error envelope around it. Every list (calls, assistants, organizations, phone
numbers) has the calls list envelope `{data, limit, offset, total, has_more}` ([decision]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from aployee_sim import __version__
from aployee_sim.contract.models import Health, ServiceInfo
from aployee_sim.platform.platform import paged
from aployee_sim.server.envelope import read_json, read_object

if TYPE_CHECKING:
    from aployee_sim.server.app import Context

HEALTH = Health(status="ok").dump()
SERVICE_INFO = ServiceInfo(service="aployee", version=__version__, environment="simulator").dump()


async def service_info(ctx: Context, request: Request) -> Response:
    return JSONResponse(SERVICE_INFO)


async def health(ctx: Context, request: Request) -> Response:
    return JSONResponse(HEALTH)


# --- calls -----------------------------------------------------------------------------------
async def create_call(ctx: Context, request: Request) -> Response:
    body = await read_json(request)
    with ctx.driver.lock:
        ctx.limiter.check_concurrency(len(ctx.platform.active))
        created = ctx.platform.create_call(body)
    ctx.driver.kick()
    return JSONResponse(created, status_code=201)


async def list_calls(ctx: Context, request: Request) -> Response:
    q, query = request.query_params, request.url.query
    with ctx.driver.lock:
        body = ctx.list_cache.get(ctx.platform, query)
        if body is None:
            page = ctx.platform.list_calls(assistant_id=q.get("assistant_id"), status=q.get("status"),
                                           from_date=q.get("from_date"), to_date=q.get("to_date"),
                                           limit=q.get("limit", 20), offset=q.get("offset", 0))
            body = JSONResponse(page).body
            ctx.list_cache.put(query, body)
    return Response(body, media_type="application/json")


def _call_view(method_name: str):
    """A GET handler for one projection of one call (details, live state, transcript, ...)."""

    async def view(ctx: Context, request: Request) -> Response:
        call_id = request.path_params["call_id"]
        with ctx.driver.lock:
            data = getattr(ctx.platform, method_name)(call_id)
        return JSONResponse(data)

    view.__name__ = method_name
    return view


get_call = _call_view("call_details")
get_live_state = _call_view("live_state")
get_transcript = _call_view("transcript")
get_timeline = _call_view("timeline")
get_latency = _call_view("latency")


# --- assistants ----------------------------------------------------------------------------
async def create_assistant(ctx: Context, request: Request) -> Response:
    body = await read_object(request)
    with ctx.driver.lock:
        assistant = ctx.platform.create_assistant(body)
    return JSONResponse(assistant, status_code=201)


async def list_assistants(ctx: Context, request: Request) -> Response:
    q = request.query_params
    with ctx.driver.lock:
        items = ctx.platform.list_assistants()
    return JSONResponse(paged(items, q.get("limit", 20), q.get("offset", 0)))


async def get_assistant(ctx: Context, request: Request) -> Response:
    with ctx.driver.lock:
        return JSONResponse(ctx.platform.get_assistant(request.path_params["assistant_id"]))


async def update_assistant(ctx: Context, request: Request) -> Response:
    patch = await read_object(request, required=False)
    with ctx.driver.lock:
        return JSONResponse(ctx.platform.update_assistant(request.path_params["assistant_id"], patch))


async def delete_assistant(ctx: Context, request: Request) -> Response:
    with ctx.driver.lock:
        ctx.platform.delete_assistant(request.path_params["assistant_id"])
    return Response(status_code=204)


# --- organizations and phone numbers (configuration: aployee_sim.platform.directory) ---------------------
async def create_organization(ctx: Context, request: Request) -> Response:
    body: Any = await read_json(request)
    with ctx.driver.lock:
        return JSONResponse(ctx.platform.create_organization(body), status_code=201)


def _paged(method_name: str):
    """A GET handler for a `{data, limit, offset, total, has_more}` list of the platform."""

    async def listing(ctx: Context, request: Request) -> Response:
        q = request.query_params
        with ctx.driver.lock:
            page = getattr(ctx.platform, method_name)(limit=q.get("limit", 20), offset=q.get("offset", 0))
        return JSONResponse(page)

    listing.__name__ = method_name
    return listing


def _one(method_name: str, param: str):
    async def view(ctx: Context, request: Request) -> Response:
        with ctx.driver.lock:
            return JSONResponse(getattr(ctx.platform, method_name)(request.path_params[param]))

    view.__name__ = method_name
    return view


list_organizations = _paged("list_organizations")
get_organization = _one("get_organization", "organization_id")
list_phone_numbers = _paged("list_phone_numbers")
get_phone_number = _one("get_phone_number", "phone_number_id")


# The hot routes first: Starlette tries routes in order.
ROUTES: list[tuple[str, str, Any]] = [
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
