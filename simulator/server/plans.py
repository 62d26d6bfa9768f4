"""Plan limits (docs/contract.md §1): requests per minute and concurrent calls, answered with 429.

The limits are about the integrator's real traffic, so they count wall time (through
`aployee_sim.core.clock.WallPacer`, the one wall-time reader), not virtual time.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from aployee_sim.contract.errors import ApiError
from aployee_sim.core.clock import WallPacer

WINDOW_MS = 60_000


@dataclass(frozen=True, slots=True)
class Plan:
    """`None` means no limit."""

    name: str
    requests_per_minute: int | None = None
    concurrent_calls: int | None = None


PLANS: dict[str, Plan] = {
    "unlimited": Plan("unlimited"),
    "free": Plan("free", 60, 2),
    "pro": Plan("pro", 600, 20),
}


def parse_plan(text: str | Plan) -> Plan:
    """`unlimited`, `free`, `pro`, or explicit numbers `RPM:CONCURRENT` (e.g. `120:5`)."""
    if isinstance(text, Plan):
        return text
    if text in PLANS:
        return PLANS[text]
    rpm, sep, concurrent = text.partition(":")
    try:
        numbers = int(rpm), int(concurrent)
    except ValueError:
        numbers = (0, 0)
    if not sep or min(numbers) < 1:
        raise ValueError(f"unknown plan {text!r}; use unlimited, free, pro, or RPM:CONCURRENT "
                         "with two positive integers, e.g. 120:5")
    return Plan(text, *numbers)


def rate_limited(message: str, retry_after_s: int, code: str = "rate_limited") -> ApiError:
    error = ApiError(429, message, code=code, retry_after=retry_after_s)
    error.headers = {"Retry-After": str(retry_after_s)}  # type: ignore[attr-defined]
    return error


class RateLimiter:
    """A sliding one-minute window over the requests actually served (thread-safe)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._wall = WallPacer()
        self._times: deque[int] = deque()
        self._lock = threading.Lock()

    def check(self) -> None:
        limit = self.plan.requests_per_minute
        if limit is None:
            return
        now = self._wall.virtual_now_ms()
        with self._lock:
            times = self._times
            while times and times[0] <= now - WINDOW_MS:
                times.popleft()
            if len(times) >= limit:
                retry = max(1, -(-(times[0] + WINDOW_MS - now) // 1000))
                raise rate_limited(f"Rate limit of {limit} requests per minute exceeded for the "
                                   f"{self.plan.name} plan; retry after {retry} s", retry)
            times.append(now)

    def check_concurrency(self, active_calls: int) -> None:
        limit = self.plan.concurrent_calls
        if limit is not None and active_calls >= limit:
            raise rate_limited(f"Concurrent call limit of {limit} reached for the {self.plan.name} plan; "
                               "no call was created", 1, code="concurrency_limit")
