"""The virtual clock: the only module that reads wall time.

Virtual time is an integer number of milliseconds since the clock's epoch (a fixed UTC
instant chosen by the user, never "now"), so runs are reproducible and timestamps are exact.
Formatting to ISO 8601 happens here too, and only when something is serialised.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

DEFAULT_EPOCH = datetime(2024, 1, 15, 10, 30, 0, tzinfo=UTC)
_CACHED_SECONDS = 4096  # formatted seconds kept per clock (a long run's old ones are dropped)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a naive value is taken as UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class VirtualClock:
    """Maps virtual milliseconds to calendar instants; the engine owns `now_ms`."""

    __slots__ = ("epoch", "now_ms", "_seconds")

    def __init__(self, epoch: datetime | str | None = None) -> None:
        if isinstance(epoch, str):
            epoch = parse_instant(epoch)
        self.epoch: datetime = (epoch or DEFAULT_EPOCH).astimezone(UTC).replace(microsecond=0)
        self.now_ms: int = 0
        self._seconds: dict[int, str] = {}  # whole second -> its text (see iso_seconds)

    def instant(self, t_ms: int) -> datetime:
        return self.epoch + timedelta(milliseconds=t_ms)

    def iso_seconds(self, t_ms: int) -> str:
        """Resource timestamps: whole seconds, `Z` suffix (docs/contract.md §2).

        Formatting costs ~2 µs and every projection needs several, while a run's calls share a
        few hundred distinct seconds, so the texts are cached by second."""
        second = t_ms // 1000
        text = self._seconds.get(second)
        if text is None:
            if len(self._seconds) >= _CACHED_SECONDS:
                self._seconds.clear()
            text = self._seconds[second] = self.instant(second * 1000).strftime("%Y-%m-%dT%H:%M:%SZ")
        return text

    def iso_millis(self, t_ms: int) -> str:
        """Timeline timestamps: milliseconds, `Z` suffix (docs/contract.md §2). The epoch has no
        sub-second part, so the milliseconds are `t_ms % 1000` after the cached second."""
        return f"{self.iso_seconds(t_ms)[:-1]}.{t_ms % 1000:03d}Z"

    def ms_at(self, instant: datetime) -> int:
        """Virtual milliseconds of a calendar instant (may be negative: before the epoch)."""
        return round((instant.astimezone(UTC) - self.epoch).total_seconds() * 1000)


class WallPacer:
    """Ties virtual time to the wall clock for the realtime mode (optionally scaled).

    This is the one place that reads wall time; batch runs never use it.
    """

    def __init__(self, speed: float = 1.0, start_ms: int = 0) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.speed = speed
        self._origin_wall = time.monotonic()
        self._origin_ms = start_ms

    def virtual_now_ms(self) -> int:
        return self._origin_ms + int((time.monotonic() - self._origin_wall) * 1000 * self.speed)

    def wall_seconds_until(self, t_ms: int) -> float:
        return max(0.0, (t_ms - self.virtual_now_ms()) / 1000 / self.speed)

    def rebase(self, now_ms: int) -> None:
        """Restart pacing from `now_ms` (after a manual advance or a held webhook)."""
        self._origin_wall = time.monotonic()
        self._origin_ms = now_ms
