"""What every request handler shares: the driven platform, the API key, its organization, the plan.

Its own module so that the app (`server.app`) and the route tables (`routes_v1`, `routes_sim`)
both depend on it and not on each other.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from aployee_sim.contract.errors import ApiError
from aployee_sim.core import gc_policy
from aployee_sim.platform.platform import Platform
from aployee_sim.server.driver import Driver
from aployee_sim.server.envelope import HandlerError, handler_error
from aployee_sim.server.errorlog import ErrorLog
from aployee_sim.server.listcache import ListCache
from aployee_sim.server.plans import RateLimiter


@dataclass
class Context:
    """Everything the handlers share: the driven platform, the key, its organization and the plan."""

    driver: Driver
    api_key: str
    org_id: str
    limiter: RateLimiter
    error_log: ErrorLog = field(default_factory=ErrorLog)
    list_cache: ListCache = field(default_factory=ListCache)

    @property
    def platform(self) -> Platform:
        return self.driver.platform

    @property
    def errors(self) -> list[HandlerError]:
        """The internal errors kept for the test harness to re-raise (`GET /_sim/errors` lists the latest)."""
        return self.error_log.kept

    def reset(self, seed: int | None = None) -> dict[str, Any]:
        """`POST /_sim/reset` on the driver thread: forget calls, assistants and deliveries."""
        with self.driver.lock:
            if seed is not None:
                self.platform.seed = seed
            self.platform.reset()
            gc_policy.thaw()
            self.list_cache.clear()
            self.driver.pacer.rebase(self.platform.now_ms)
            return {"seed": self.platform.seed, **self.driver.clock_dict()}

    def record_error(self, request: Request | None, exc: BaseException, where: str = "") -> None:
        self.error_log.record(handler_error(request, exc, where))

    def authorize(self, request: Request) -> None:
        header = request.headers.get("authorization")
        if header is None:
            raise ApiError(401, "Missing Authorization header; send Authorization: Bearer <api key>")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(401, "The Authorization header must be 'Bearer <api key>'")
        if not secrets.compare_digest(key.strip().encode(), self.api_key.encode()):
            raise ApiError(401, "Invalid API key")
        org = request.headers.get("x-organization-id")
        if org is not None and org != self.org_id:
            raise ApiError(403, f"This API key belongs to organization {self.org_id!r}, "
                                f"not {org!r} (X-Organization-Id)", field="X-Organization-Id")


Handler = Callable[[Context, Request], Awaitable[Response]]
Routes = list[tuple[str, str, Handler]]  # (method, path, handler), the hot routes first
