"""Where the TUI reads calls from: one protocol, three implementations.

- `PlatformSource`: an in-process `Platform`/`Simulator` (tests, role-play, the playground);
- `StoreSource`: a store file, read-only, re-read when it changes (live updates by polling);
- `HttpSource`: a running simulator server, through `/v1` and `/_sim` (polling).

Every failure a user can cause (a missing file, an unreachable server, a wrong key) is a
`SourceError` with one clear sentence; screens show it instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from aployee_sim.contract.errors import ApiError
from aployee_sim.tui.model import CallData, CallRow


class SourceError(Exception):
    """A problem reading calls that the user can fix; the message says what and how. `status` is
    the HTTP status when a server answered with an error (None otherwise)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@contextmanager
def api_errors() -> Iterator[None]:
    """An in-process platform's `ApiError` (bad number, unknown call) as a `SourceError`."""
    try:
        yield
    except ApiError as exc:
        raise SourceError(exc.message) from None


class CallSource(Protocol):
    label: str          # shown in the title bar: where the calls come from

    def revision(self) -> Any:
        """A cheap token that changes whenever the calls change (polling compares it)."""

    def call_rows(self) -> list[CallRow]:
        """Every call, newest first."""

    def call_data(self, call_id: str, run_id: str = "") -> CallData:
        """One call in full; `run_id` picks the run of a store file (ids repeat across runs)."""

    def assistant_names(self) -> dict[str, str]: ...

    def close(self) -> None: ...
