"""Hypothesis strategies for integrators' property tests: webhook requests, call records, status orders.

Importing this module requires `hypothesis` (install `aployee-sim[test]` or add hypothesis to
your own test dependencies); the simulator itself never imports it, so it stays a test-time
dependency.

    from hypothesis import given
    from aployee_sim.strategies import webhook_requests, call_details, status_paths

    @given(webhook_requests())
    def test_my_webhook_never_crashes(request):
        response = my_app.post("/reason", json=request)
        assert response.status_code == 200

Every value is what the simulator could really send or serve: call records are built through
`aployee_sim.core.record.CallRecord` (which enforces `aployee_sim.contract.lifecycle.TRANSITIONS`) and projected with
`aployee_sim.platform.projections`, so a generated call details resource has `started_at` exactly when the
call connected, `ended_at`, `duration_seconds`, `summary` and `final_state` exactly when it is
terminal, and a transcript only when it was in progress.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from hypothesis import strategies as st

from aployee_sim.contract import events as ev
from aployee_sim.contract.lifecycle import (
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    INITIATED,
    RINGING,
    TERMINAL,
    TRANSITIONS,
)
from aployee_sim.core.clock import VirtualClock
from aployee_sim.core.randomness import ID_LENGTH
from aployee_sim.core.record import INBOUND, OUTBOUND, CallRecord
from aployee_sim.platform import projections

__all__ = ["ids", "phone_numbers", "json_values", "states", "status_paths", "status_changes", "call_records",
           "call_details", "webhook_requests", "END_REASONS"]

_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

# Which `call_ended` reasons can end a call entering each terminal status from each status.
END_REASONS: dict[tuple[str, str], tuple[str, ...]] = {
    (INITIATED, FAILED): (ev.BUSY, ev.ERROR, ev.HANGUP_USER),
    (RINGING, FAILED): (ev.NO_ANSWER, ev.ERROR, ev.HANGUP_USER),
    (IN_PROGRESS, FAILED): (ev.ERROR,),
    (IN_PROGRESS, COMPLETED): (ev.HANGUP_USER, ev.HANGUP_ASSISTANT, ev.SILENCE_TIMEOUT, ev.MAX_DURATION),
    (IN_PROGRESS, "transferred"): (ev.TRANSFERRED,),
}


def ids(prefix: str) -> st.SearchStrategy[str]:
    """`call_…`/`asst_…` identifiers in the simulator's format."""
    return st.text(_ID_ALPHABET, min_size=ID_LENGTH, max_size=ID_LENGTH).map(lambda s: f"{prefix}_{s}")


def phone_numbers() -> st.SearchStrategy[str]:
    """Valid E.164 numbers: `+`, a non-zero digit, up to 14 more ASCII digits."""
    return st.from_regex(r"\A\+[1-9][0-9]{6,14}\Z")


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    scalars = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
               | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=max_leaves)


def states() -> st.SearchStrategy[dict[str, Any]]:
    """A call's JSON state (what `initial_state` seeds and webhooks replace)."""
    return st.dictionaries(st.text(min_size=1, max_size=16), json_values(), max_size=5)


@st.composite
def status_paths(draw: st.DrawFn, *, finished: bool | None = None) -> list[str]:
    """Statuses a call passes through, from `initiated`, each change allowed by `TRANSITIONS`.

    `finished=True`: the path ends in a terminal status; `False`: it stops while live; `None`: either.
    """
    path = [INITIATED]
    while TRANSITIONS[path[-1]]:
        options: list[str | None] = sorted(TRANSITIONS[path[-1]])
        if finished is False:
            options = [s for s in options if s not in TERMINAL]
        if finished is not True:
            options.append(None)  # stop here
        if not options:
            break
        step = draw(st.sampled_from(options))
        if step is None:
            break
        path.append(step)
    return path


def status_changes(*, finished: bool | None = None) -> st.SearchStrategy[list[dict[str, str]]]:
    """The `{"from", "to"}` status changes of one call, in order (an allowed event order)."""
    return status_paths(finished=finished).map(lambda path: [{"from": a, "to": b} for a, b in pairwise(path)])


@st.composite
def call_records(draw: st.DrawFn, *, finished: bool | None = None) -> CallRecord:
    """A `CallRecord` built through its own methods along an allowed path, with speech and state changes."""
    path = draw(status_paths(finished=finished))
    initial = draw(st.none() | states())
    record = CallRecord(draw(ids("call")), draw(ids("asst")), draw(phone_numbers()),
                        draw(st.none() | phone_numbers()), draw(st.integers(0, 3_600_000)), initial,
                        draw(st.sampled_from([OUTBOUND, INBOUND])))
    now = record.created_ms
    gaps = st.integers(0, 120_000)
    for previous, status in pairwise(path):
        now += draw(gaps)
        if status in TERMINAL:
            record.end(now, status, draw(st.sampled_from(END_REASONS[(previous, status)])))
            break
        record.change_status(now, status)
        if status == IN_PROGRESS:
            for role, text in draw(st.lists(st.tuples(st.sampled_from(["assistant", "user"]),
                                                      st.text(min_size=1, max_size=40)), max_size=6)):
                now += draw(gaps)
                speech = ev.user_speech if role == "user" else ev.assistant_speech
                record.add(speech(now, content=text, duration_ms=draw(st.integers(200, 20_000))))
                if role == "user" and draw(st.booleans()):
                    record.replace_state(now, draw(states()))
    return record


def call_details(*, finished: bool | None = None, clock: VirtualClock | None = None) -> st.SearchStrategy[dict]:
    """`GET /v1/calls/{id}` resources consistent with the lifecycle (see the module docstring)."""
    on = clock or VirtualClock()
    return call_records(finished=finished).map(lambda record: projections.call_details(record, on))


@st.composite
def webhook_requests(draw: st.DrawFn) -> dict[str, Any]:
    """Bodies the simulator POSTs to a reasoning webhook: `context` ends with the utterance itself."""
    utterance = draw(st.text(min_size=1, max_size=80))
    earlier = draw(st.lists(st.fixed_dictionaries({"role": st.sampled_from(["assistant", "user"]),
                                                   "content": st.text(min_size=1, max_size=60)}), max_size=9))
    clock = VirtualClock()
    return {
        "call_id": draw(ids("call")),
        "assistant_id": draw(ids("asst")),
        "utterance": utterance,
        "state": draw(states()),
        "context": [*earlier, {"role": "user", "content": utterance}],
        "timestamp": clock.iso_seconds(draw(st.integers(0, 86_400_000 * 365))),
    }
