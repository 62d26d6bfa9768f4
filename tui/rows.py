"""The calls list as pure functions: filter, sort, page, and the cells of each row.

Filtering happens on plain `CallRow`s so every source behaves the same, and only one page of
rows ever reaches the table widget, which keeps the list responsive with 10,000 calls.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text

from aployee_sim.tui.model import CallRow

STATUS_STYLES = {
    "initiated": "cyan",
    "ringing": "bold cyan",
    "in_progress": "bold yellow",
    "completed": "green",
    "failed": "bold red",
    "transferred": "magenta",
}
STATUSES = tuple(STATUS_STYLES)
SORT_KEYS = ("created", "status", "assistant", "duration", "turns")
COLUMNS = ("Status", "Dir", "Assistant", "To", "Placed", "Dur", "Turns", "From", "Call")
RUN_COLUMN = "Run"  # added when the calls come from scenario runs (a store file written by `run --db`)
PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class CallFilter:
    status: str | None = None
    assistant: str | None = None     # assistant id
    run: str | None = None           # run id (store files)
    text: str = ""
    sort: str = "created"
    descending: bool = True

    def cycle_status(self) -> CallFilter:
        """None → each status in lifecycle order → None."""
        order = (None, *STATUSES)
        return replace(self, status=order[(order.index(self.status) + 1) % len(order)])

    def cycle_assistant(self, assistant_ids: list[str]) -> CallFilter:
        order = [None, *assistant_ids]
        position = order.index(self.assistant) if self.assistant in order else 0
        return replace(self, assistant=order[(position + 1) % len(order)])

    def cycle_run(self, run_ids: list[str]) -> CallFilter:
        order = [None, *run_ids]
        position = order.index(self.run) if self.run in order else 0
        return replace(self, run=order[(position + 1) % len(order)])

    def cycle_sort(self) -> CallFilter:
        return replace(self, sort=SORT_KEYS[(SORT_KEYS.index(self.sort) + 1) % len(SORT_KEYS)])

    def describe(self, names: dict[str, str], *, runs: bool = False) -> str:
        parts = [f"status={self.status or 'any'}",
                 f"assistant={names.get(self.assistant, self.assistant) if self.assistant else 'any'}"]
        if runs:
            parts.append(f"run={self.run or 'any'}")
        if self.text:
            parts.append(f"text={self.text!r}")
        parts.append(f"sort={self.sort}{'↓' if self.descending else '↑'}")
        return "  ".join(parts)


def _matches(row: CallRow, needle: str) -> bool:
    return any(needle in (value or "").lower()
               for value in (row.id, row.to, row.from_, row.assistant_name, row.assistant_id, row.status, row.run_id))


def _sort_key(name: str):
    if name == "status":
        return lambda r: (STATUSES.index(r.status) if r.status in STATUS_STYLES else 99, r.created_at, r.id)
    if name == "assistant":
        return lambda r: (r.assistant_name.lower(), r.created_at, r.id)
    if name == "duration":
        return lambda r: (r.duration_seconds if r.duration_seconds is not None else -1, r.created_at, r.id)
    if name == "turns":
        return lambda r: (r.turns, r.created_at, r.id)
    return lambda r: (r.created_at, r.id, r.run_id)


def apply_filter(rows: list[CallRow], flt: CallFilter) -> list[CallRow]:
    needle = flt.text.strip().lower()
    kept = [r for r in rows
            if (flt.status is None or r.status == flt.status)
            and (flt.assistant is None or r.assistant_id == flt.assistant)
            and (flt.run is None or r.run_id == flt.run)
            and (not needle or _matches(r, needle))]
    kept.sort(key=_sort_key(flt.sort), reverse=flt.descending)
    return kept


def page_of(rows: list[CallRow], page: int, size: int = PAGE_SIZE) -> tuple[list[CallRow], int, int]:
    """The rows of one page, the page actually shown (clamped) and the number of pages."""
    pages = max(1, -(-len(rows) // size))
    page = min(max(0, page), pages - 1)
    return rows[page * size:(page + 1) * size], page, pages


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLES.get(status, ""))


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"


def short_time(iso: str | None) -> str:
    """`2024-01-15T10:30:05Z` → `01-15 10:30:05`: the date and time, without the year and zone."""
    if not iso:
        return "—"
    return iso[5:10] + " " + iso[11:19]


def columns(with_runs: bool) -> tuple[str, ...]:
    return (*COLUMNS, RUN_COLUMN) if with_runs else COLUMNS


def run_ids(rows: list[CallRow]) -> list[str]:
    """The runs present, in order of first appearance (the list is newest first)."""
    return list(dict.fromkeys(r.run_id for r in rows if r.run_id))


def row_cells(row: CallRow, with_runs: bool = False) -> tuple[Text | str, ...]:
    cells: tuple[Text | str, ...] = (
        status_text(row.status), "in" if row.direction == "inbound" else "out" if row.direction else "?",
        row.assistant_name or row.assistant_id, row.to, short_time(row.created_at),
        duration_text(row.duration_seconds), str(row.turns), row.from_ or "—", row.id)
    return (*cells, row.run_id or "—") if with_runs else cells
