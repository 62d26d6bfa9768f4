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
           "call_details", "webhook_requests", "caller_steps", "mcp_tool_results", "mcp_assistants",
           "END_REASONS"]

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
        options: list[str | None] = [*sorted(TRANSITIONS[path[-1]])]
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
                speech = ev.UserSpeech if role == "user" else ev.AssistantSpeech
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


# The waits a generated caller uses, written as the scenario format writes durations. Few, round
# values on purpose: shrinking moves towards the first, and a failing script stays readable.
PAUSES = ("0s", "300ms", "1s", "2s")
WAITS = ("500ms", "2s", "5s")
SILENCES = ("3s", "7s", "16s")  # under, over the silence prompt (6 s), over the silence timeout (15 s)
BARGE_AFTER = ("200ms", "800ms", "1500ms")


def caller_steps(utterances: st.SearchStrategy[str] | list[str], *, digits: str = "0123456789*#",
                 max_steps: int = 8) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Caller scripts in the scenario format: `caller:` steps as plain mappings (`{"say": ...}`).

    What the caller says (drawn from `utterances`, a strategy or a list of texts) and when (an
    optional pause), barge-ins over the assistant, waits, silences, keys pressed (from `digits`;
    empty: none), up to `max_steps` steps, then a hang-up or not. Validate a step with
    `aployee_sim.scenario.schema.Step.model_validate` or write the list under `caller:` in a file.
    """
    words = utterances if isinstance(utterances, st.SearchStrategy) else st.sampled_from(list(utterances))
    say = st.builds(lambda text, pause: {"say": text, **({"pause": pause} if pause else {})},
                    words, st.none() | st.sampled_from(PAUSES))
    kinds = [say,
             st.builds(lambda text, after: {"barge_in": text, "after": after}, words, st.sampled_from(BARGE_AFTER)),
             st.builds(lambda ms: {"wait": ms}, st.sampled_from(WAITS)),
             st.builds(lambda ms: {"silence": ms}, st.sampled_from(SILENCES))]
    if digits:
        kinds.append(st.builds(lambda keys: {"digits": keys}, st.text(alphabet=digits, min_size=1, max_size=3)))
    script = st.lists(st.one_of(kinds), max_size=max_steps)
    return st.tuples(script, st.booleans()).map(lambda drawn: drawn[0] + ([{"hangup": True}] if drawn[1] else []))


# --- MCP (docs/mcp.md) -------------------------------------------------------------------------
_WORDS = ("order", "refund", "ticket", "callback", "account", "help")


def mcp_tool_results(tool: str | st.SearchStrategy[str] = "lookup") -> st.SearchStrategy[dict[str, Any]]:
    """Declarative tool stubs (`sim.route_mcp(url, [...])`, `mcp_tools` in scenarios): structured or
    text results, tool errors, transport failures, unspeakable content and delays, as real servers give."""
    tools = st.just(tool) if isinstance(tool, str) else tool
    answer = st.one_of(
        st.fixed_dictionaries({"result": st.dictionaries(st.sampled_from(["status", "name", "id"]),
                                                         st.text(max_size=12) | st.integers(0, 99), min_size=1)}),
        st.fixed_dictionaries({"text": st.text(min_size=1, max_size=40)}),
        st.fixed_dictionaries({"text": st.text(max_size=20), "is_error": st.just(True)}),
        st.fixed_dictionaries({"fail": st.sampled_from(["timeout", "connection_error", "protocol_error"])}),
        st.fixed_dictionaries({"content": st.just([{"type": "image", "data": "iVBORw0KGgo=", "mimeType": "image/png"}])}),
    )
    return st.tuples(tools, answer, st.none() | st.integers(0, 8_000)).map(
        lambda parts: {"tool": parts[0], **parts[1], **({"delay_ms": parts[2]} if parts[2] is not None else {})})


@st.composite
def mcp_assistants(draw: st.DrawFn, *, server_url: str = "https://mcp.test/mcp",
                   tools: tuple[str, ...] = ("lookup", "book")) -> dict[str, Any]:
    """`POST /v1/assistants` bodies of valid MCP assistants: rules on keywords (or a regex capturing
    `{ref}`) calling allow-listed tools, replies and state updates woven from `{result}`."""
    rules = []
    for _ in range(draw(st.integers(0, 3))):
        tool = draw(st.sampled_from(tools))
        rule: dict[str, Any] = {"tool": tool}
        if draw(st.booleans()):
            rule["pattern"] = draw(st.sampled_from(_WORDS)) + r" (?P<ref>\w+)"
            rule["arguments"] = {"ref": "{ref}"}
        else:
            rule["keywords"] = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=2, unique=True))
        rule["reply"] = draw(st.sampled_from(["{result}", "Done: {" + tool + "}.", "All set."]))
        if draw(st.booleans()):
            rule["update"] = {"last": "{result}"}
        if draw(st.booleans()):
            rule["fallback"] = "Sorry, that did not work."
        rules.append(rule)
    return {"name": draw(st.sampled_from(["CustomerServiceBot", "Shop"])), "reasoning_mode": "mcp",
            "mcp_config": {"server_url": server_url, "tools": list(tools), "rules": rules}}
