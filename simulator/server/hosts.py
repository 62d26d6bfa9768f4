"""`HostGuard`: refuse requests whose `Host` header names no address this server answers to.

DNS rebinding: a web page on `evil.example` makes its name resolve to 127.0.0.1, and the visitor's
browser then sends that page's requests to the simulator on the developer's machine, with `Host:
evil.example`. The browser always sends the name it resolved, so answering only the names a local
client uses (the bound address, `localhost`, `127.0.0.1`, `[::1]`, with any port) shuts that door;
`serve --allow-host NAME` adds the names other clients really use (a LAN address, a container name),
and `*` allows any. A request without `Host` (HTTP/1.0, raw sockets) is let through: no browser
sends one.

A pure ASGI middleware (no `BaseHTTPMiddleware`, which costs a task per request) in front of the
application, so the refusal comes before the API key check, in the production error envelope.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from aployee_sim.contract.errors import ApiError
from aployee_sim.server.envelope import error_response

LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
ANY_HOST = "*"


def host_name(header: str) -> str:
    """The name of a `Host` value without its port, lower case: `[::1]:8765` -> `[::1]`."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[:value.find("]") + 1] if "]" in value else value
    name, colon, port = value.rpartition(":")
    return name if colon and port.isdigit() else value


def as_host_name(address: str) -> str:
    """An address as it appears in a `Host` header (IPv6 in brackets)."""
    bare = address.strip().lower().strip("[]")
    return f"[{bare}]" if ":" in bare else bare


def is_loopback(address: str) -> bool:
    """`localhost` or a loopback IP: nothing outside this machine can reach it."""
    bare = address.strip().lower().strip("[]")
    if bare == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


class HostGuard:
    def __init__(self, app: Any, *, bound: str, allowed: Iterable[str] = ()) -> None:
        extra = [as_host_name(name) for name in allowed]
        self.app = app
        self.any = ANY_HOST in extra
        self.names = frozenset((*LOCAL_NAMES, as_host_name(bound), *extra))
        self._shown = ", ".join(sorted(self.names))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and not self.any:
            header = next((value for key, value in scope["headers"] if key == b"host"), None)
            if header is not None:
                text = header.decode("latin-1")
                if host_name(text) not in self.names:
                    refused = ApiError(403, f"The Host header {text!r} is not a name this server answers to "
                                            f"({self._shown}); start it with --allow-host NAME to allow "
                                            f"another", field="host")
                    await error_response(refused)(scope, receive, send)
                    return
        await self.app(scope, receive, send)
