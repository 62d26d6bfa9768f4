"""The production error envelope (docs/contract.md §1), raised by the core and served by the HTTP layer."""

from __future__ import annotations

import re
from typing import Any, TypeGuard

_E164 = re.compile(r"\+[1-9][0-9]{0,14}")

STATUS_CODES: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "invalid_request",
    415: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
}


class ApiError(Exception):
    """An error with an HTTP status and the `{"error": {code, message, details}}` body."""

    def __init__(self, status: int, message: str, /, *, code: str | None = None,
                 details: dict[str, Any] | None = None, **fields: Any) -> None:
        """`fields` are the usual details (`field="to"`); pass `details=` for arbitrary keys
        (e.g. an envelope read back from a server, whose details may hold any name)."""
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "invalid_request")
        self.message = message
        self.details = {**(details or {}), **fields}

    def envelope(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def invalid(field: str, message: str) -> ApiError:
    return ApiError(400, message, field=field)


def not_found(kind: str, ident: str, field: str | None = None) -> ApiError:
    message = f"{kind} {ident!r} was not found"
    return ApiError(404, message, field=field) if field else ApiError(404, message)


def is_e164(value: object) -> TypeGuard[str]:
    """`+` then 1–15 ASCII digits, the first non-zero (docs/contract.md §2 decision)."""
    return isinstance(value, str) and value.isascii() and _E164.fullmatch(value) is not None


def require_e164(field: str, value: object) -> str:
    if not is_e164(value):
        raise invalid(field, f"The {field} field must be an E.164 phone number like +15551234567, "
                             f"got {value!r}")
    return value
