"""What a person reads after a run: one result per scenario, failures as expected vs actual, a summary table.

`ScenarioResult` is also what the JSON and JUnit outputs and the pytest items are built from,
so every front end shows the same words for the same failure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from aployee_sim.scenario.expectations import Failure, evaluate
from aployee_sim.scenario.runner import ScenarioRun
from aployee_sim.scenario.stubs import unused_stubs
from aployee_sim.scenario.values import format_duration
from aployee_sim.terminal_text import printable


@dataclass
class ScenarioResult:
    name: str
    file: str
    passed: bool
    seed: int | None = None
    virtual_ms: int = 0
    calls: int = 0
    failures: list[Failure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the file is invalid: `file:line:col: message` lines
    warnings: list[str] = field(default_factory=list)  # e.g. unused webhook stubs (aployee_sim.scenario.stubs)
    skipped: str | None = None  # why it did not run (e.g. audio lines without the voice extra)

    @property
    def outcome(self) -> str:
        return "invalid" if self.errors else "skipped" if self.skipped else "passed" if self.passed else "FAILED"

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "file": self.file, "passed": self.passed, "seed": self.seed,
                "virtual_duration_ms": self.virtual_ms, "calls": self.calls,
                "failures": [f.as_dict() for f in self.failures], "errors": self.errors,
                "warnings": self.warnings, "skipped": self.skipped}


def result_of(run: ScenarioRun, *, unused_stubs_fail: bool = False) -> ScenarioResult:
    """The run judged; unused webhook stubs are warnings, or failures when the scenario
    (`unused_stubs: error`) or the caller (`unused_stubs_fail`, the pytest option) asks."""
    failures = evaluate(run)
    warnings = []
    strict = unused_stubs_fail or run.loaded.model.unused_stubs == "error"
    for (url, index), message in unused_stubs(run):
        if strict:
            failures.append(Failure("scenario", f"webhooks[{url}][{index}]", run.loaded.line("webhooks", url, index),
                                    "the stub answers at least one request", message))
        else:
            warnings.append(f"{run.loaded.display}:{run.loaded.line('webhooks', url, index)}: warning: {message}")
    return ScenarioResult(run.loaded.name, run.loaded.display, not failures, run.seed, run.virtual_ms,
                          len(run.calls), failures, warnings=warnings)


def _object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def object_diff(expected: str, actual: str) -> list[str]:
    """Key by key, what differs between an expected and an actual JSON object (empty otherwise):
    `- key: expected` for a missing or different value, `+ key: actual` for what is there instead."""
    want, have = _object(expected), _object(actual)
    if want is None or have is None:
        return []
    lines = []
    for key in sorted(set(want) | set(have)):
        if want.get(key, _MISSING) != have.get(key, _MISSING):
            if key in want:
                lines.append(f"- {key}: {json.dumps(want[key], ensure_ascii=False, sort_keys=True)}")
            if key in have:
                lines.append(f"+ {key}: {json.dumps(have[key], ensure_ascii=False, sort_keys=True)}")
    return lines


_MISSING = object()


def format_failure(file: str, failure: Failure, shown_before: bool = False) -> str:
    """One failure; `shown_before`: the same call's same context was printed by an earlier failure,
    so it is named, not repeated."""
    where = f"{file}:{failure.line}" if failure.line else file
    lines = [f"{where}: {failure.call}: {failure.key}",
             f"    expected: {failure.expected}",
             f"    actual:   {failure.actual}"]
    if failure.cause:
        lines.append(f"    cause:    {failure.cause}")
    diff = object_diff(failure.expected, failure.actual)
    if diff:
        lines.append("    diff (- expected, + actual):")
        lines.extend(f"      {line}" for line in diff)
    if failure.context and shown_before:
        lines.append(f"    {failure.context_title}: as above")
    elif failure.context:
        lines.append(f"    {failure.context_title}:")
        lines.extend(f"      {line}" for line in failure.context)
    return "\n".join(lines)


def format_result(result: ScenarioResult) -> str:
    """The full explanation of a scenario that did not pass (empty when it passed)."""
    if result.errors:
        return "\n".join(result.errors)
    if result.passed:
        return ""
    head = f"{result.name} ({result.file}, seed {result.seed}): {len(result.failures)} failed expectation" \
           f"{'s' if len(result.failures) != 1 else ''}"
    return "\n".join([head, *format_failures(result.file, result.failures)])


def format_failures(file: str, failures: list[Failure]) -> list[str]:
    """Each failure in order, a context (a transcript, a state history) printed once per call."""
    shown: set[tuple[str, str, tuple[str, ...]]] = set()
    parts = []
    for failure in failures:
        seen = (failure.call, failure.context_title, tuple(failure.context))
        parts.append(format_failure(file, failure, seen in shown))
        shown.add(seen)
    return parts


def format_table(results: list[ScenarioResult]) -> str:
    rows = [("scenario", "result", "virtual time", "calls")]
    rows += [(printable(r.name, multiline=False), r.outcome, format_duration(r.virtual_ms) if not (r.errors or r.skipped) else "-", str(r.calls))
             for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    text = ["  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row))
            for row in rows]
    skipped = sum(bool(r.skipped) for r in results)
    passed = sum(r.passed and not r.skipped for r in results)
    invalid = sum(bool(r.errors) for r in results)
    failed = len(results) - passed - invalid - skipped
    text.insert(1, "  ".join("-" * w for w in widths))
    totals = (f"{passed} passed, {failed} failed" + (f", {invalid} invalid" if invalid else "")
              + (f", {skipped} skipped" if skipped else ""))
    return "\n".join([*text, "", totals])


_STYLES = ((re.compile(r"^    expected: "), "green"), (re.compile(r"^    actual:   "), "red"),
           (re.compile(r"^      - "), "green"), (re.compile(r"^      \+ "), "red"),
           (re.compile(r"^\S.*: \d+ failed expectations?$"), "bold"), (re.compile(r"^\S+:\d+(:\d+)?: "), "cyan"))


def styled(report: str) -> Text:
    """A plain report with colour for a terminal: expected green, actual red, locations cyan."""
    text = Text()
    for line in report.splitlines(keepends=True):
        style = next((style for pattern, style in _STYLES if pattern.search(line)), "")
        text.append(line, style=style)
    return text

