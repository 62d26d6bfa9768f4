"""Explore against in-process worlds: the built-in brain's intents, stub rules, a state schema, Hypothesis settings."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aployee_sim.explore import ExploreFailed, explore_scenario
from aployee_sim.scenario.jsonschema_subset import errors, schema_problems, strategy
from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.report import result_of
from aployee_sim.scenario.runner import run_scenario

BOT = """\
name: bot
assistants:
  bot:
    name: Bo
    first_message: Hello, Bo here.
    intents:
      - {keywords: [refund], reply: Refund started., update: {topic: refund}}
      - {keywords: [balance], reply: Ten dollars.}
      - {keywords: [zebra], reply: Never asked.}
calls:
  - assistant: bot
    to: +15551234567
explore:
  vocabulary: {phrases: [refund please, my balance, hi]}
  carrier: [answer]
"""

STUBS = """\
name: stubs
assistants:
  desk: {name: Di, reasoning_mode: webhook, webhook_url: "https://hooks.test/d"}
webhooks:
  https://hooks.test/d:
    - {when: move, update: {plan: moved}}
    - {reply: Sure.}
calls:
  - assistant: desk
    to: +15551234567
explore:
  vocabulary: {phrases: [hello, move my plan]}
  state_schema:
    type: object
    properties:
      plan: {type: string, enum: [basic, pro]}
      seats: {type: integer, minimum: 1, maximum: 9}
    required: [plan]
"""


def _write(tmp_path, text, name="s.scenario.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_coverage_names_the_intent_no_caller_reached_at_its_line(tmp_path):
    result = explore_scenario(_write(tmp_path, BOT), examples=40, seed=0, database=None)
    assert result.passed, result.report
    assert result.coverage.intents.never == ["assistants.bot.intents[2] (line 9)"]
    assert "never: assistants.bot.intents[2] (line 9)" in result.report
    assert ("topic",) in result.coverage.state_keys.reached


def test_a_state_breaking_its_schema_is_found_and_written(tmp_path):
    result = explore_scenario(_write(tmp_path, STUBS), examples=100, seed=0, database=None, out=tmp_path / "out")
    assert not result.passed
    assert result.found.failures[0].expected.startswith("state_valid")
    assert "'moved' is not one of" in result.found.failures[0].actual
    assert result.found.example.steps == [{"say": "move my plan"}]
    assert result.found.example.initial_state["plan"] in ("basic", "pro")   # drawn from the schema
    replay = result_of(run_scenario(load_scenario(result.written)))
    assert [f.expected.split(":")[0] for f in replay.failures] == ["state_valid"]
    with pytest.raises(ExploreFailed, match="state_valid broke"):
        result.check()


def test_a_state_valid_failure_names_the_turn_and_keeps_the_templates_valid_initial_state(tmp_path):
    kept = STUBS.replace("    to: +15551234567\n", "    to: +15551234567\n    initial_state: {plan: pro, seats: 2}\n")
    result = explore_scenario(_write(tmp_path, kept), examples=100, seed=0, database=None, out=tmp_path / "out")
    actual = result.found.failures[0].actual
    assert ", from the webhook answer from https://hooks.test/d (HTTP 200) after the caller said 'move my plan': " \
        in actual and actual.startswith("the state at "), actual
    assert result.found.example.initial_state == {"plan": "pro", "seats": 2}   # the template's, shrunk to
    assert load_scenario(result.written).model.calls[0].initial_state == {"plan": "pro", "seats": 2}
    invalid = STUBS.replace("    to: +15551234567\n", "    to: +15551234567\n    initial_state: {plan: gold}\n")
    drawn = explore_scenario(_write(tmp_path, invalid), examples=100, seed=0, database=None)
    assert drawn.found.example.initial_state["plan"] in ("basic", "pro")       # gold breaks the schema


def test_most_generated_outbound_calls_are_answered():
    from aployee_sim.explore.vocabulary import carrier_outcomes

    def draws(outcomes: list[str]) -> list[str]:
        drawn: list[str] = []

        @settings(max_examples=300, database=None, derandomize=True)
        @given(carrier_outcomes(outcomes))
        def draw(outcome):
            drawn.append(outcome)

        draw()
        return drawn

    drawn = draws(["answer", "busy", "no_answer", "error"])
    assert drawn.count("answer") / len(drawn) > 0.7, {o: drawn.count(o) for o in set(drawn)}
    assert {"busy", "no_answer", "error"} <= set(drawn)
    assert set(draws(["busy", "error"])) == {"busy", "error"}


def test_hypothesis_settings_are_honoured(tmp_path):
    result = explore_scenario(_write(tmp_path, BOT), settings=settings(max_examples=7, database=None), seed=None)
    assert result.calls == 7


def test_always_expectations_fail_at_their_line(tmp_path):
    text = BOT.replace("  carrier: [answer]\n", "  carrier: [answer]\n  always:\n    transcript: {excludes: [Ten dollars]}\n")
    result = explore_scenario(_write(tmp_path, text), examples=50, seed=0, database=None)
    assert result.found.failures[0].key == "expect.transcript.excludes.0"
    assert result.found.failures[0].line == 17                      # the `always:` entry in the source file
    assert result.found.example.steps == [{"say": "my balance"}]


SCHEMA = {"type": "object", "required": ["id"], "additionalProperties": False,
          "properties": {"id": {"type": "string", "pattern": "^c[0-9]{2}$"},
                         "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "maxItems": 2},
                         "vip": {"type": "boolean"}, "score": {"type": "number", "minimum": 0, "maximum": 1}}}


@settings(max_examples=50, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.data())
def test_the_schema_subset_draws_only_valid_values(data):
    value = data.draw(strategy(SCHEMA))
    assert errors(SCHEMA, value) == []


def test_the_schema_subset_reports_what_breaks_it():
    assert errors(SCHEMA, {"id": "x1", "extra": 1, "score": 2}) == [
        "state.id: 'x1' does not match /^c[0-9]{2}$/",
        "state: key 'extra' is not allowed (additionalProperties is false)",
        "state.score: 2 is above the maximum 1"]
    assert errors(SCHEMA, {}) == ["state: missing required key 'id'"]
    assert errors({"type": "integer"}, True) == ["state: expected integer, found bool"]
    assert schema_problems({"type": "object", "oneOf": []}) == [
        "state_schema: unsupported keyword 'oneOf'; supported: type, properties, required, additionalProperties, "
        "items, enum, const, minimum, maximum, pattern, minItems, maxItems, minLength, maxLength"]


def test_an_inbound_ivr_world_from_an_include_is_explored_and_covered(tmp_path):
    library = __import__("pathlib").Path(__file__).parents[2] / "scenarios" / "shared" / "frontdesk.yaml"
    (tmp_path / "frontdesk.yaml").write_text(library.read_text(encoding="utf-8"), encoding="utf-8")
    text = """\
name: ivr
include: frontdesk.yaml
clock: {start: "2024-01-16T10:00:00", timezone: America/New_York}
calls:
  - {inbound: true, from: +15559870003, to: +15550100}
explore:
  vocabulary: {phrases: [hello, sales please], digits: "129"}
  always:
    transcript: {excludes: [Sales here]}
"""
    result = explore_scenario(_write(tmp_path, text), examples=60, seed=0, database=None, out=tmp_path / "out")
    assert not result.passed
    assert result.found.example.steps in ([{"say": "sales please"}], [{"digits": "1"}])
    assert result.coverage.options.reached == {("main", 0)}
    written = load_scenario(result.written)
    assert "menus" in written.model.model_fields_set and written.model.calls[0].inbound   # the include came along
    assert not result_of(run_scenario(written)).passed


def test_a_world_the_platform_refuses_is_bad_input_before_any_exploring(tmp_path):
    from aployee_sim.scenario.errors import ScenarioInvalid
    text = BOT.replace("    first_message: Hello, Bo here.\n", "    first_message: Hello, Bo here.\n    transfer_allowlist: [bad]\n")
    with pytest.raises(ScenarioInvalid, match=r"s.scenario.yaml:6:26: assistants.bot.transfer_allowlist"):
        explore_scenario(_write(tmp_path, text), examples=5, seed=0, database=None)
