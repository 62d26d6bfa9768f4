"""Webhook stubs that no call used, like pytest-httpserver's check: a stub nobody reaches usually
means the scenario does not test what its author thinks (a typo in `when`, a rule shadowed by
an earlier one, a URL no call reaches).

A rule is used when it answered at least one recorded request (the first matching rule answers,
as in `StubBackend`). By default unused stubs are reported as warnings; the scenario key
`unused_stubs: error` or the pytest ini option `aployee_unused_stubs = error` makes them failures.
"""

from __future__ import annotations

from aployee_sim.core.phrases import PatternTimeout
from aployee_sim.core.reasoning import StubRule
from aployee_sim.scenario.runner import ScenarioRun


def unused_stubs(run: ScenarioRun) -> list[tuple[tuple[str, int], str]]:
    """((url, rule index), message) for every stub rule that answered no request of the run."""
    heard: dict[str, list[str]] = {}
    for exchange in run.sim.exchanges(kind="webhook"):
        heard.setdefault(exchange["url"], []).append(exchange["request"]["utterance"])
    found = []
    for url, rules in run.loaded.model.webhooks.items():
        stubs = [StubRule(match=r.when, pattern=r.pattern) for r in rules]
        answered = {_answering(stubs, u) for u in heard.get(url, [])}
        for index, rule in enumerate(rules):
            if index not in answered:
                what = f"when: {rule.when!r}" if rule.when else f"pattern: {rule.pattern!r}" if rule.pattern \
                    else "the catch-all rule"
                why = "no request reached this URL" if url not in heard else "no request matched it first"
                found.append(((url, index), f"webhook stub {url} rule {index + 1} ({what}) answered nothing: {why}"))
    return found


def _answering(stubs: list[StubRule], utterance: str) -> int | None:
    """The index of the rule that answered `utterance` (none when a pattern was stopped on it)."""
    try:
        return next((i for i, stub in enumerate(stubs) if stub.matches(utterance)), None)
    except PatternTimeout:
        return None
