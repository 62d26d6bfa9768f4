"""Query parameters and the list envelope shared by every list of the API (docs/contract.md §2 decisions).

`paged` gives the `{data, limit, offset, total, has_more}` envelope of `GET /v1/calls` to every
list route; `date_param` reads `from_date`/`to_date`. Each names the parameter in its error.
"""

from __future__ import annotations

from typing import Any

from aployee_sim.contract.errors import invalid
from aployee_sim.core.clock import VirtualClock, parse_instant


def paged(items: list[Any], limit: Any, offset: Any) -> dict[str, Any]:
    """The list envelope of `GET /v1/calls` (`data`, `limit`, `offset`, `total`, `has_more`), shared by
    every list route; `limit` (1–100) and `offset` (≥ 0) are validated here, naming the parameter."""
    limit_n, offset_n = _int_param("limit", limit, 1, 100), _int_param("offset", offset, 0, None)
    page = items[offset_n:offset_n + limit_n]
    return {"data": page, "limit": limit_n, "offset": offset_n, "total": len(items),
            "has_more": offset_n + len(page) < len(items)}

def _int_param(name: str, value: Any, low: int, high: int | None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(name, f"The {name} parameter must be an integer, got {value!r}") from None
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise invalid(name, f"The {name} parameter must be {bounds}, got {number}")
    return number

def date_param(name: str, value: Any, clock: VirtualClock, *, end: bool) -> int | None:
    if value is None or value == "":
        return None
    text = str(value)
    try:
        if len(text) == 10:  # a date: the whole day, inclusive
            instant = parse_instant(text + ("T23:59:59.999" if end else "T00:00:00"))
        else:
            instant = parse_instant(text)
    except (ValueError, OverflowError):  # e.g. year 9999 with a negative offset
        raise invalid(name, f"The {name} parameter must be an ISO 8601 date or datetime, got {text!r}") from None
    return clock.ms_at(instant)
