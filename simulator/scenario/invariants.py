"""The built-in invariants: what must hold for every call, whatever the caller does (docs/explore.md).

`aployee-sim explore` checks them on every generated call. Any scenario can ask for them too,
with `expect: {invariants: [...]}` (aployee_sim.scenario.expectations): that is how a shrunk
failure written out as a scenario fails the same way under `aployee-sim run`, and passes once
the backend is fixed. Each check reads only the call's record, event log and webhook exchanges.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from aployee_sim.contract import events as ev
from aployee_sim.contract.lifecycle import COMPLETED, FAILED, TERMINAL, TRANSFERRED
from aployee_sim.platform.platform import Platform
from aployee_sim.platform.state_changes import state_turns
from aployee_sim.scenario import jsonschema_subset
from aployee_sim.scenario.schema import Scenario

# Which `call_ended` reasons each terminal status may carry (docs/contract.md §6, "End reasons").
STATUS_REASONS: dict[str, frozenset[str]] = {
    COMPLETED: frozenset({ev.HANGUP_USER, ev.HANGUP_ASSISTANT, ev.SILENCE_TIMEOUT, ev.MAX_DURATION, ev.IVR_FAILED}),
    FAILED: frozenset({ev.BUSY, ev.NO_ANSWER, ev.ERROR, ev.HANGUP_USER, ev.INTERRUPTED}),
    TRANSFERRED: frozenset({ev.TRANSFERRED}),
}


@dataclass(frozen=True, slots=True)
class Broken:
    """One way an invariant failed: what it requires and what the call did instead."""

    invariant: str
    expected: str
    actual: str


@dataclass(frozen=True, slots=True)
class CallFacts:
    sim: Platform
    call_id: str
    scenario: Scenario

    @property
    def events(self) -> list[ev.Event]:
        return self.sim.events(self.call_id)


def broken(sim: Platform, call_id: str, scenario: Scenario, names: list[str]) -> list[Broken]:
    """Every failure of the invariants `names` on one finished call, in the order of `names`."""
    facts = CallFacts(sim, call_id, scenario)
    return [failure for name in names for failure in CHECKS[name](facts)]


def _backend_ok(f: CallFacts) -> Iterator[Broken]:
    for x in f.sim.exchanges(f.call_id, kind="webhook"):  # (a tool call's error is on its event, below)
        if x["error"]:
            yield Broken("backend_ok", "every webhook exchange to succeed",
                         f"{x['sent_at']} {x['request']['utterance']!r} -> error: {x['error']}")
    for event in f.events:
        if isinstance(event, ev.McpToolCalled) and event.error:
            yield Broken("backend_ok", "every tool call to succeed",
                         f"{event.type} at {event.t_ms} ms: error: {event.error}")


def _reasoning_settled(f: CallFacts) -> Iterator[Broken]:
    """A reasoning turn ends within the webhook timeout, or the call ends first: none is left hanging."""
    limit = f.sim.timings.webhook_timeout_ms
    open_since: list[int] = []
    for event in f.events:
        if isinstance(event, ev.ReasoningStarted):
            open_since.append(event.t_ms)
        elif isinstance(event, ev.ReasoningCompleted | ev.CallEnded) and open_since:
            started = open_since.pop(0) if isinstance(event, ev.ReasoningCompleted) else open_since[0]
            if event.t_ms - started > limit:
                yield Broken("reasoning_settled", f"every reasoning turn to end within the webhook timeout "
                                                  f"({limit} ms)", f"the turn begun at {started} ms was still "
                                                  f"active at {event.t_ms} ms ({event.type})")
                return


def _terminal_end(f: CallFacts) -> Iterator[Broken]:
    record = f.sim.record(f.call_id)
    if record.status not in TERMINAL:
        yield Broken("terminal_end", "the call to end in a terminal status",
                     f"still {record.status} when nothing was left to happen")
    elif record.end_reason not in STATUS_REASONS[record.status]:
        allowed = ", ".join(sorted(STATUS_REASONS[record.status]))
        yield Broken("terminal_end", f"a {record.status} call to end with one of: {allowed}",
                     f"reason {record.end_reason!r}")


def allowed_targets(scenario: Scenario) -> list[str]:
    """`explore.transfer_targets`, else every target the world names: transfer targets, escalation
    targets, intents' `transfer_to`, stub rules' targets, routing forwards, allow-list entries."""
    if scenario.explore is not None and scenario.explore.transfer_targets is not None:
        return list(scenario.explore.transfer_targets)
    found: list[str | None] = []
    for assistant in scenario.assistants.values():
        found += [assistant.transfer_target, *(rule.target for rule in assistant.escalation),
                  *(intent.transfer_to for intent in assistant.intents), *(assistant.transfer_allowlist or [])]
    found += [rule.target for rules in scenario.webhooks.values() for rule in rules]
    return sorted({target for target in [*found, *routing_forwards(scenario)] if target})


def routing_forwards(scenario: Scenario) -> list[str]:
    """The numbers routing rules and IVR menu options forward calls to."""
    places = [place for rule_set in scenario.routing.values() for place in [*rule_set.rules, rule_set.default]]
    places += [place for menu in scenario.menus.values() for place in [*menu.options, menu.on_failure]]
    return [place.forward for place in places if place is not None and place.forward]


def target_allowed(target: str, allowed: list[str]) -> bool:
    return any(target == entry or (entry.endswith("*") and target.startswith(entry[:-1])) for entry in allowed)


def _allowed_transfers(f: CallFacts) -> Iterator[Broken]:
    allowed = allowed_targets(f.scenario)
    for event in f.events:
        if isinstance(event, ev.TransferInitiated) and not target_allowed(event.target, allowed):
            yield Broken("allowed_transfers", f"transfers only to {', '.join(allowed) or 'nowhere'}",
                         f"transfer to {event.target} at {event.t_ms} ms (trigger {event.trigger})")


def _states(f: CallFacts) -> Iterator[tuple[str, Any]]:
    """Each state the call held, named by the turn that made it (its time, answer and utterance)."""
    initial = f.sim.record(f.call_id).initial_state
    yield "the initial state", initial
    for turn in state_turns(initial, f.events):
        yield f"the state at {turn.t_ms} ms, from {turn.answer} {turn.heard}", turn.after


def _state_valid(f: CallFacts) -> Iterator[Broken]:
    schema = f.scenario.explore.state_schema if f.scenario.explore is not None else None
    for when, state in _states(f):
        if not isinstance(state, dict):
            yield Broken("state_valid", "the state to stay a JSON object", f"{when}: {type(state).__name__}")
            return
        problems = jsonschema_subset.errors(schema, state) if schema is not None else []
        if problems:
            yield Broken("state_valid", "the state to satisfy explore.state_schema", f"{when}: {problems[0]}")
            return


CHECKS: dict[str, Callable[[CallFacts], Iterator[Broken]]] = {
    "backend_ok": _backend_ok, "reasoning_settled": _reasoning_settled, "terminal_end": _terminal_end,
    "allowed_transfers": _allowed_transfers, "state_valid": _state_valid,
}
