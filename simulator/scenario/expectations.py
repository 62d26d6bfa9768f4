"""Judging a finished run: each `expect:` key of each call against what the platform recorded.

Checks read the same projections the HTTP API serves (call details, webhook exchanges) and,
for simulator-only facts (hold music, reasoning turns, status changes), the call's internal
event log. Every failed check is a `Failure` carrying the expectation's line, expected and
actual values, and the transcript lines that help a reader see why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aployee_sim.contract import events as ev
from aployee_sim.core.mcp_stubs import subset
from aployee_sim.core.phrases import Pattern, PatternTimeout
from aployee_sim.platform.state_changes import StateTurn, diff_lines, last_change, state_turns
from aployee_sim.scenario.invariants import broken
from aployee_sim.scenario.mcp import call_matches, shown
from aployee_sim.scenario.runner import CallRun, ScenarioRun
from aployee_sim.scenario.schema import Bounds, Expect
from aployee_sim.scenario.values import format_duration


@dataclass
class Failure:
    call: str
    key: str
    line: int | None
    expected: str
    actual: str
    context: list[str] = field(default_factory=list)
    context_title: str = "transcript"
    cause: str | None = None  # what made `actual` so, when the call's log says (the turn that dropped a key)

    def as_dict(self) -> dict[str, Any]:
        found = {"call": self.call, "key": self.key, "line": self.line, "expected": self.expected,
                 "actual": self.actual, self.context_title: self.context}
        return found | ({"cause": self.cause} if self.cause is not None else {})


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else value


class _Judge:
    """The facts of one call, read once, and a helper to record failures against expectation lines."""

    def __init__(self, run: ScenarioRun, call: CallRun) -> None:
        self.run, self.call = run, call
        self.sim = run.sim
        assert call.call_id is not None, "only placed calls are judged"
        self.details = self.sim.call_details(call.call_id)
        self.record = self.sim.record(call.call_id)
        self.events = self.sim.events(call.call_id)
        self.lines = [f"{t['role']}: {t['content']}" for t in self.details["transcript"]]
        self.failures: list[Failure] = []

    def fail(self, key: str, expected: Any, actual: Any, context: list[str] | None = None,
             title: str = "transcript", cause: str | None = None) -> None:
        path = ("calls", self.call.index, "expect", *(int(p) if p.isdigit() else p for p in key.split(".")))
        self.failures.append(Failure(self.call.label, "expect." + key, self.run.loaded.line(*path), _show(expected),
                                     _show(actual), self.tail() if context is None else context, title, cause))

    def tail(self, n: int = 6) -> list[str]:
        return self.lines[-n:]

    def transcript(self, most: int = 40) -> list[str]:
        """The whole transcript (its first `most` lines): the same context for every failure that
        shows it, so a report prints it once (aployee_sim.scenario.report)."""
        extra = len(self.lines) - most
        return self.lines[:most] + ([f"... {extra} more lines"] if extra > 0 else [])

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The JSON of every `kind` event (what `timeline:` expectations match against)."""
        return [ev.to_json(e) for e in self.events if e.type == kind]


def evaluate(run: ScenarioRun) -> list[Failure]:
    failures: list[Failure] = []
    for call in run.calls:
        if call.call_id is None:
            failures.append(Failure(call.label, "call", run.loaded.line("calls", call.index), "the call is placed",
                                    call.error or "not placed"))
            continue
        judge = _Judge(run, call)
        # A caller's `expect:` step that failed is the root cause of what follows from it: first.
        for message in call.caller.failures if call.caller else []:
            failures.append(Failure(call.label, "caller", _line_of(message), "the caller's script to play out",
                                    message, judge.transcript()))
        for check in CHECKS:
            check(judge, call.spec.expect)
        failures.extend(judge.failures)
    return failures


def _line_of(message: str) -> int | None:
    found = re.search(r"\(line (\d+)\)", message)
    return int(found.group(1)) if found else None


# --- the checks ---------------------------------------------------------------------------------
def _status(j: _Judge, e: Expect) -> None:
    if e.status is not None and j.details["status"] != e.status:
        j.fail("status", e.status, f"{j.details['status']} (reason: {j.record.end_reason})")
    if e.reason is not None and j.record.end_reason != e.reason:
        j.fail("reason", e.reason, f"{j.record.end_reason} (status: {j.details['status']})")


def _final_state(j: _Judge, e: Expect) -> None:
    """A wrong final state is shown turn by turn: the answer that replaced the call's state names the
    keys it dropped or changed, and the utterance it answered points at where to look."""
    actual = j.details["final_state"]
    turns = state_turns(j.record.initial_state, j.events)
    history = _state_history(j.record.initial_state, turns, actual)
    title = "state turn by turn"
    if e.final_state is not None and actual != e.final_state:
        j.fail("final_state", e.final_state, actual, history, title)
    for key, value in (e.final_state_includes or {}).items():
        turn = last_change(turns, key)
        if not isinstance(actual, dict) or key not in actual:
            cause = _turn_name(turn, "removed") if turn is not None and (not isinstance(turn.after, dict) or key not in turn.after) else None
            j.fail(f"final_state_includes.{key}", value, "absent from the final state", history, title, cause)
        elif not subset(value, actual[key]):
            cause = _turn_name(turn, "set") if turn is not None else "the initial state's value"
            j.fail(f"final_state_includes.{key}", value, actual[key], history, title, cause)


def _turn_name(turn: StateTurn, verb: str) -> str:
    """`removed at 17.31s by the webhook answer from URL (HTTP 200) after the caller said "It's 12345."`"""
    return f"{verb} at {format_duration(turn.t_ms)} by {turn.answer} {turn.heard}"


def _state_history(initial: dict[str, Any], turns: list[StateTurn], final: Any, last: int = 20) -> list[str]:
    """The initial state, then each turn that changed it with what moved (the last `last` turns)."""
    lines = ["initial: " + _show(initial)]
    if len(turns) > last:
        lines.append(f"... {len(turns) - last} earlier turns")
    for turn in turns[-last:]:
        lines.append(_turn_name(turn, "Changed") + ":")
        lines += [f"  {line}" for line in diff_lines(turn.before, turn.after)] or ["  (unchanged)"]
    return [*lines, "final: " + _show(final)]


def _transcript(j: _Judge, e: Expect) -> None:
    t = e.transcript
    if t is None:
        return
    lowered = [line.lower() for line in j.lines]
    full = j.transcript()
    for index, text in enumerate(t.contains):
        if not any(text.lower() in line for line in lowered):
            j.fail(f"transcript.contains.{index}", f"a line containing {text!r}", "no such line", full)
    for index, text in enumerate(t.excludes):
        hits = [line for line, low in zip(j.lines, lowered, strict=True) if text.lower() in low]
        if hits:
            j.fail(f"transcript.excludes.{index}", f"no line containing {text!r}", hits[0], full)
    for index, pattern in enumerate(t.matches):
        try:
            heard = any(Pattern(pattern).search(line) for line in j.lines)
        except PatternTimeout as exc:
            j.fail(f"transcript.matches.{index}", f"a line matching /{pattern}/", str(exc), full)
            continue
        if not heard:
            j.fail(f"transcript.matches.{index}", f"a line matching /{pattern}/", "no such line", full)
    joined, position = "\n".join(lowered), 0
    for index, text in enumerate(t.order):
        found = joined.find(text.lower(), position)
        if found < 0:
            j.fail(f"transcript.order.{index}", f"{text!r} after {t.order[index - 1]!r}" if index else repr(text),
                   "not found in that order", full)
            break
        position = found + len(text)


def _summary(j: _Judge, e: Expect) -> None:
    if e.summary is None:
        return
    summary = j.details["summary"] or ""
    if e.summary.equals is not None and summary != e.summary.equals:
        j.fail("summary.equals", e.summary.equals, summary, [])
    for index, text in enumerate(e.summary.contains):
        if text.lower() not in summary.lower():
            j.fail(f"summary.contains.{index}", f"the summary to contain {text!r}", summary, [])


def _tally(j: _Judge, key: str, count: int | None, failed: int | None, exchanges: list[dict[str, Any]],
           listing: list[str], title: str | None = None) -> None:
    """`count` and `failed` of a list of exchanges (webhook requests or MCP tool calls)."""
    if count is not None and len(exchanges) != count:
        j.fail(f"{key}.count", count, len(exchanges), listing, title or key)
    errors = sum(1 for x in exchanges if x["error"])
    if failed is not None and errors != failed:
        j.fail(f"{key}.failed", failed, errors, listing, title or key)


def _webhooks(j: _Judge, e: Expect) -> None:
    w = e.webhooks
    if w is None:
        return
    exchanges = j.sim.exchanges(j.call.call_id, kind="webhook")
    listing = [f"{x['sent_at']} {x['request']['utterance']!r} -> "
               + (f"error: {x['error']}" if x["error"] else f"{x['status_code']} {_show(x['response'])}")
               for x in exchanges]
    _tally(j, "webhooks", w.count, w.failed, exchanges, listing)
    for index, body in enumerate(w.bodies or []):
        if index >= len(exchanges):
            j.fail(f"webhooks.bodies.{index}", body, f"only {len(exchanges)} webhook requests were sent", listing,
                   "webhooks")
        elif not subset(body, exchanges[index]["request"]):
            j.fail(f"webhooks.bodies.{index}", body, exchanges[index]["request"], [])


def _mcp(j: _Judge, e: Expect) -> None:
    m = e.mcp
    if m is None:
        return
    made = j.sim.exchanges(j.call.call_id, kind="mcp")
    listing = [shown(x) for x in made]
    _tally(j, "mcp", m.count, m.failed, made, listing, "tool calls")
    for index, match in enumerate(m.calls or []):
        if index >= len(made) or not call_matches(match, made[index]):
            actual = shown(made[index]) if index < len(made) else f"only {len(made)} tool calls were made"
            j.fail(f"mcp.calls.{index}", match.model_dump(exclude_none=True), actual, listing, "tool calls")
            break
    if m.calls is not None and len(made) > len(m.calls):
        j.fail("mcp.calls", f"{len(m.calls)} tool calls", f"{len(made)}: {listing[len(m.calls)]} and after", listing,
               "tool calls")
    for index, match in enumerate(m.includes):
        if not any(call_matches(match, x) for x in made):
            j.fail(f"mcp.includes.{index}", match.model_dump(exclude_none=True), "no such tool call", listing,
                   "tool calls")
    for index, tool in enumerate(m.excludes):
        hits = [x for x in made if x["tool"] == tool]
        if hits:
            j.fail(f"mcp.excludes.{index}", f"no {tool} call", shown(hits[0]), listing, "tool calls")


def _timeline(j: _Judge, e: Expect) -> None:
    t = e.timeline
    if t is None:
        return
    kinds = [e.type for e in j.events]
    for index, match in enumerate(t.contains):
        wanted = match.model_extra or {}
        candidates = j.of(match.type)
        if not any(subset(wanted, data) for data in candidates):
            actual = "; ".join(_show(d) for d in candidates) if candidates else f"no {match.type} event"
            j.fail(f"timeline.contains.{index}", {"type": match.type, **wanted}, actual, [])
    for index, kind in enumerate(t.excludes):
        if kind in kinds:
            j.fail(f"timeline.excludes.{index}", f"no {kind} event", _show(j.of(kind)[0]))
    firsts = [kinds.index(k) if k in kinds else None for k in t.order]
    for index, at in enumerate(firsts):
        previous = firsts[index - 1] if index else 0
        if at is None or previous is None or at < previous:
            seen = [k for k in dict.fromkeys(kinds) if k in t.order]
            j.fail(f"timeline.order.{index}", " then ".join(t.order), " then ".join(seen) or "none of them", [])
            break


def _within(j: _Judge, key: str, bounds: Bounds | None, actual_ms: int | None) -> None:
    if bounds is None or actual_ms is None:
        return
    shown = format_duration(actual_ms)
    if bounds.min is not None and actual_ms < bounds.min:
        j.fail(f"{key}.min", f"at least {format_duration(bounds.min)}", shown)
    if bounds.max is not None and actual_ms > bounds.max:
        j.fail(f"{key}.max", f"at most {format_duration(bounds.max)}", shown)


def _duration(j: _Judge, e: Expect) -> None:
    record = j.record
    connected = (record.ended_ms or 0) - record.started_ms if record.started_ms is not None else 0
    _within(j, "duration", e.duration, connected)


def _reasoning(j: _Judge, e: Expect) -> None:
    r = e.reasoning
    if r is None:
        return
    started = j.record.of_type(ev.ReasoningStarted)
    if r.turns is not None and len(started) != r.turns:
        j.fail("reasoning.turns", r.turns, len(started))
    modes = sorted({e.mode for e in started})
    if r.mode is not None and modes != [r.mode]:
        j.fail("reasoning.mode", r.mode, ", ".join(modes) or "no reasoning turn")
    longest = max((e.duration_ms for e in j.record.of_type(ev.ReasoningCompleted)), default=None)
    _within(j, "reasoning.longest", r.longest, longest)


def _hold_music(j: _Judge, e: Expect) -> None:
    h = e.hold_music
    if h is None:
        return
    played: list[str] = [e.during for e in j.record.of_type(ev.HoldMusic)]
    shown = ", ".join(dict.fromkeys(played)) or "no hold music"
    for index, place in enumerate(h.during):
        if place not in played:
            j.fail(f"hold_music.during.{index}", f"hold music during {place}", shown)
    for index, place in enumerate(h.absent):
        if place in played:
            j.fail(f"hold_music.absent.{index}", f"no hold music during {place}", shown)


def _invariants(j: _Judge, e: Expect) -> None:
    """`invariants:` the built-in invariants of `aployee-sim explore` (aployee_sim.scenario.invariants)."""
    if not e.invariants or j.call.call_id is None:
        return
    for failure in broken(j.sim, j.call.call_id, j.run.loaded.model, list(e.invariants)):
        j.fail(f"invariants.{e.invariants.index(failure.invariant)}", f"{failure.invariant}: {failure.expected}",
               failure.actual, j.transcript())


def _rubrics(j: _Judge, e: Expect) -> None:
    """`judge:` the verdicts the runner's judges gave (aployee_sim.scenario.judge), at each rubric's line."""
    for verdict in j.call.verdicts:
        if verdict.verdict != "pass":
            j.fail(f"judge.{verdict.index}.rubric", e.judge[verdict.index].rubric,
                   f"{verdict.verdict}: {verdict.reason}", j.transcript())


CHECKS: tuple[Callable[[_Judge, Expect], None], ...] = (
    _status, _final_state, _transcript, _summary, _webhooks, _mcp, _timeline, _duration, _reasoning, _hold_music,
    _invariants, _rubrics,
)
