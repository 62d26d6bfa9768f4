"""Internal errors (simulator bugs) met while serving: kept, listed under `/_sim/errors`, logged.

A 500 tells the client "the error is recorded on the server"; this is that record. The test
harness re-raises the first kept error where the test can see it (`ServerThread.raise_errors`,
`aployee_sim.testing`), so the first `MAX_KEPT` are kept in order; `GET /_sim/errors` lists the
latest `MAX_RECENT` with the total. `aployee-sim serve` also gives the log a stream (stderr), on
which each error is written at once with its request line and traceback. Everything is bounded,
so a server that fails on every request for days does not grow.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, TextIO

from aployee_sim.server.envelope import HandlerError

MAX_KEPT = 1000
MAX_RECENT = 50


class ErrorLog:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.kept: list[HandlerError] = []
        self.total = 0
        self._recent: deque[tuple[int, HandlerError]] = deque(maxlen=MAX_RECENT)
        self._lock = threading.Lock()

    def record(self, error: HandlerError) -> None:
        with self._lock:
            self.total += 1
            number = self.total
            if len(self.kept) < MAX_KEPT:
                self.kept.append(error)
            self._recent.append((number, error))
            if self.stream is not None:  # under the lock: two errors' lines never interleave
                self.stream.write(f"aployee-sim: internal error #{number}: {error.describe()}\n{error.traceback}")
                self.stream.flush()

    def listing(self) -> dict[str, Any]:
        """The body of `GET /_sim/errors`: the total so far and the latest errors, oldest first."""
        with self._lock:
            recent = list(self._recent)
        return {"total": self.total,
                "errors": [{"number": number, "method": error.method, "path": error.path,
                            "body_excerpt": error.body_excerpt, "exception": type(error.exception).__name__,
                            "message": str(error.exception), "traceback": error.traceback}
                           for number, error in recent]}
