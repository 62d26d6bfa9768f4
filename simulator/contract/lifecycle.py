"""The call status lifecycle (docs/contract.md §2): the one table every part of the code reads."""

from __future__ import annotations

INITIATED = "initiated"
RINGING = "ringing"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"
TRANSFERRED = "transferred"

STATUSES: tuple[str, ...] = (INITIATED, RINGING, IN_PROGRESS, COMPLETED, FAILED, TRANSFERRED)

TRANSITIONS: dict[str, frozenset[str]] = {
    INITIATED: frozenset({RINGING, FAILED}),
    RINGING: frozenset({IN_PROGRESS, FAILED}),
    IN_PROGRESS: frozenset({COMPLETED, FAILED, TRANSFERRED}),
    COMPLETED: frozenset(),
    FAILED: frozenset(),
    TRANSFERRED: frozenset(),
}

TERMINAL: frozenset[str] = frozenset(status for status, targets in TRANSITIONS.items() if not targets)


class IllegalTransition(Exception):
    """A status change the lifecycle table does not allow: a bug in the engine, never user input."""

    def __init__(self, current: str, target: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (terminal)"
        super().__init__(f"illegal status change {current} -> {target}; allowed from {current}: {allowed}")
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)


def can_reach(current: str, target: str) -> bool:
    """True when `target` is reachable from `current` by zero or more allowed changes."""
    seen, frontier = {current}, [current]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return target in seen
