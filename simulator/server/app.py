"""The Starlette application: routes, authentication, plan limits and the error envelope.

`create_app(context)` builds a plain Starlette app (no FastAPI: it measured 1.6–3.5× the CPU per
request here). Every route is wrapped once: authenticate (`Authorization: Bearer <key>`, then the
`X-Organization-Id` rule of docs/contract.md §1), count the request against the plan (production routes
only), run the handler, and turn `ApiError` into the envelope. Unknown routes and wrong methods
check the key too before they answer 404/405. Anything else a handler raises is a simulator bug:
it is answered with a 500 envelope and recorded in `context.error_log` with the request (for the
test harness to re-raise, `GET /_sim/errors` to list and `serve` to print). Caps on the request
head are enforced below the application, in `aployee_sim.server.limits`. What the handlers share
is `server.context.Context`; the route tables are `routes_v1.ROUTES` (production) and
`routes_sim.ROUTES` (the control plane).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from aployee_sim.contract.errors import ApiError
from aployee_sim.server import routes_sim, routes_v1
from aployee_sim.server.context import Context, Handler
from aployee_sim.server.envelope import INTERNAL, error_response
from aployee_sim.server.openapi import openapi_document


def _wrap(ctx: Context, handler: Handler, *, counted: bool) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            ctx.authorize(request)
            if counted:
                ctx.limiter.check()
            ctx.driver.sync()
            return await handler(ctx, request)
        except ApiError as error:
            return error_response(error)
        except ClientDisconnect:  # nobody is listening for an answer
            return Response(status_code=400)
        except Exception as exc:  # a simulator bug: recorded with the request, answered as a 500
            ctx.record_error(request, exc)
            return error_response(INTERNAL)

    endpoint.__name__ = handler.__name__
    return endpoint


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Unknown routes (404) and wrong methods (405) get the envelope too, once the key is checked."""
    assert isinstance(exc, HTTPException)
    try:
        request.app.state.context.authorize(request)
    except ApiError as refused:
        return error_response(refused)
    if exc.status_code == 405:
        error = ApiError(405, f"Method {request.method} is not allowed on {request.url.path}",
                         code="method_not_allowed", allowed=(exc.headers or {}).get("Allow", ""))
        error.headers = dict(exc.headers or {})  # type: ignore[attr-defined]
    elif exc.status_code == 404:
        error = ApiError(404, f"No route matches {request.method} {request.url.path}", code="not_found")
    else:
        error = ApiError(exc.status_code, exc.detail)
    return error_response(error)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A bug outside any route's handler (routing, an exception handler): the same 500 and record.

    Starlette re-raises such an exception after this response, and uvicorn then drops the
    connection; `Connection: close` tells the client not to reuse it (else its next request on
    the kept-alive connection is reset)."""
    request.app.state.context.record_error(request, exc)
    response = error_response(INTERNAL)
    response.headers["connection"] = "close"
    return response


def create_app(ctx: Context) -> Starlette:
    routes: list[Route] = []
    for table, counted in ((routes_v1.ROUTES, True), (routes_sim.ROUTES, False)):
        by_path: dict[str, list[tuple[str, Handler]]] = {}
        for method, path, handler in table:
            by_path.setdefault(path, []).append((method, handler))
        for path, handlers in by_path.items():
            routes.append(_route(ctx, path, handlers, counted))
    document = openapi_document()

    async def openapi(request: Request) -> Response:
        return JSONResponse(document)

    routes.append(Route("/openapi.json", openapi, methods=["GET"]))
    exception_handlers = {HTTPException: _http_exception, Exception: _unexpected}
    app = Starlette(routes=routes, exception_handlers=exception_handlers)
    app.router.redirect_slashes = False
    app.state.context = ctx
    return app


def _route(ctx: Context, path: str, handlers: list[tuple[str, Handler]], counted: bool) -> Route:
    """One Route per path; several methods on a path dispatch on `request.method`."""
    wrapped = {method: _wrap(ctx, handler, counted=counted) for method, handler in handlers}
    if len(wrapped) == 1:
        ((method, endpoint),) = wrapped.items()
        return Route(path, endpoint, methods=[method])

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await wrapped[method](request)

    return Route(path, dispatch, methods=list(wrapped))
