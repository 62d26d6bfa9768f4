"""Each call draws from its own random stream (`SeededRandom.for_call`), keyed by the call's name
or content: adding, removing or reordering one call of a scenario changes no other call's record,
timeline, exchanges or exported scenario (docs/architecture.md, "What calls share")."""

from __future__ import annotations

from pathlib import Path

import pytest

from aployee_sim.contract import strict_json
from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.runner import run_scenario

WORLD = """\
seed: 4
assistants:
  alex:
    name: Alex
    reasoning_mode: webhook
    webhook_url: https://hooks.example.test/reason
    first_message: Hi, this is Alex. How can I help?
webhooks:
  https://hooks.example.test/reason:
    - when: order
      reply: It ships tomorrow.
      update: {asked: order}
    - reply: Anything else?
calls:
"""

CALLS = {
    "unnamed": """\
  - assistant: alex
    to: +15551230001
    caller:
      - say: Where is my order?
      - expect: ships
      - say: Thanks, bye.
""",
    "named": """\
  - name: regular
    assistant: alex
    to: +15551230002
    caller:
      - expect: help
      - say: I have a question about my order.
      - expect: tomorrow
""",
    "later": """\
  - assistant: alex
    to: +15551230003
    at: 30s
    caller:
      - say: Hello?
      - say: My order please.
""",
    "added": """\
  - assistant: alex
    to: +15551230004
    at: 5s
    caller:
      - say: Something else entirely.
""",
}


def records(tmp_path: Path, order: list[str]) -> dict[str, str]:
    """Each call's details, timeline and exchanges (as strict JSON text), by its entry's name."""
    path = tmp_path / f"{'-'.join(order)}.scenario.yaml"
    path.write_text(WORLD + "".join(CALLS[name] for name in order))
    run = run_scenario(load_scenario(path))
    assert [call.error for call in run.calls] == [None] * len(order)
    by_entry = {}
    for call in run.calls:
        name = order[call.index]
        assert call.call_id is not None
        by_entry[name] = strict_json.dumps({"details": run.sim.call_details(call.call_id),
                                            "timeline": run.sim.timeline(call.call_id),
                                            "exchanges": run.sim.exchanges(call.call_id, wall_clock=False)})
    return by_entry


@pytest.mark.parametrize("variant", [["named", "later"], ["unnamed", "added", "named", "later"],
                                     ["later", "named", "unnamed"], ["named", "unnamed", "later", "added"]],
                         ids=["one removed", "one added", "reordered", "added last"])
def test_other_calls_do_not_change_a_calls_record(tmp_path, variant):
    base = records(tmp_path, ["unnamed", "named", "later"])
    changed = records(tmp_path, variant)
    for name in set(base) & set(changed):
        assert changed[name] == base[name], name


def test_the_streams_still_differ_between_calls_and_seeds(tmp_path):
    base = records(tmp_path, ["unnamed", "named", "later"])
    ids = {strict_json.loads(text)["details"]["id"] for text in base.values()}
    assert len(ids) == 3
    (tmp_path / "seed.scenario.yaml").write_text(WORLD.replace("seed: 4", "seed: 5") + CALLS["named"])
    other = run_scenario(load_scenario(tmp_path / "seed.scenario.yaml"))
    assert other.calls[0].call_id != strict_json.loads(base["named"])["details"]["id"]


def test_identical_calls_get_twin_streams_not_one(tmp_path):
    path = tmp_path / "twins.scenario.yaml"
    path.write_text(WORLD + CALLS["unnamed"] + CALLS["unnamed"])
    run = run_scenario(load_scenario(path))
    first, second = (run.sim.call_details(call.call_id or "") for call in run.calls)
    assert first["id"] != second["id"]
