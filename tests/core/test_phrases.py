"""The one phrase-matching rule (core/phrases.py, docs/scenarios.md "How words and patterns match"):
every matcher that reacts to words uses it, so "order" never matches "border" anywhere, and
`validate` names each keyword of a file whose outcome on the file's own lines changed."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aployee_sim.cli import main
from aployee_sim.contract.models import McpRule
from aployee_sim.core.mcp_rules import compile_rules, first_match
from aployee_sim.core.phrases import Pattern, PatternError, _phrase_set, any_phrase_in, phrase_in
from aployee_sim.core.reasoning import BuiltinBrain, Intent, StubBackend, StubRule


@pytest.mark.parametrize(("phrase", "text", "expected"), [
    ("order", "Where is my ORDER?", True),
    ("order", "the border", False),
    ("order", "orders", False),
    ("speak to a human", "can I speak to\n  a human, please", True),
    ("sales", "sales_team", False),
    ("$5", "it costs$5", True),
    ("café", "un café noir", True),
    ("caf", "un café noir", False),
    ("   ", "anything", False),
])
def test_keywords_match_whole_words_case_insensitively(phrase, text, expected):
    assert phrase_in(phrase, text) is expected


def test_every_keyword_matcher_follows_the_rule():
    request = {"utterance": "which border?", "state": {}}
    assert StubBackend([StubRule(match="order", reply="stub")])("", request, 1000).body == {"state": {}}
    assert "reply" not in BuiltinBrain([Intent(reply="intent", keywords=["order"])])("", request, 1000).body
    rules = compile_rules([McpRule(keywords=["order"], tool="t")])
    assert first_match(rules, "which border?", {}) is None
    assert first_match(rules, "my order", {}) is not None


def test_a_stopped_pattern_is_the_turns_error_not_a_hang():
    request = {"utterance": "a" * 30 + "!", "state": {"k": 1}}
    for backend in (StubBackend([StubRule(pattern="(a|aa)+$", reply="x")]),
                    BuiltinBrain([Intent(reply="x", pattern="(a|aa)+$")])):
        delivery = backend("", request, 1000)
        assert delivery.error is not None and "was stopped after 100 ms" in delivery.error


@pytest.mark.parametrize(("source", "words"), [
    ("(", "not a valid regular expression"), ("(?:a{100}){101}", "unroll to 10,100 items"),
    ("x" * 1001, "1,001 characters long"),
])
def test_unusable_patterns_are_refused_when_compiled(source, words):
    with pytest.raises(PatternError, match=words):
        Pattern(source)


def test_named_groups_are_captures():
    assert Pattern(r"order (?P<id>\d+)").captures("ORDER 42 please") == {"id": "42"}


SCENARIO = """\
name: border
assistants:
  shop:
    name: Shop
    first_message: Goodbyes are hard.
    end_call_phrases: [goodbye]
    intents:
      - keywords: [order, help]
        reply: On its way.
calls:
  - assistant: shop
    to: "+15551234567"
    caller:
      - say: Which border crossing?
      - say: help me
"""


def test_validate_warns_where_a_keyword_now_matches_the_files_own_lines_differently(tmp_path, capsys):
    path = tmp_path / "border.scenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    assert main(["validate", str(path)]) == 0  # still valid: warnings only
    out = capsys.readouterr().out.splitlines()
    warnings = [line for line in out if ": warning: " in line]
    assert [w.split(": warning: ")[0] for w in warnings] == [f"{path}:8:20", f"{path}:6:24"], out
    assert "'order' matched 'Which border crossing?' (line 14) before, as part of a longer word" in warnings[0]
    assert "'goodbye' matched 'Goodbyes are hard.' (line 5)" in warnings[1]


def test_the_bundled_scenarios_match_as_before(capsys):
    assert main(["validate", "--examples"]) == 0
    assert ": warning: " not in capsys.readouterr().out


@settings(max_examples=300, deadline=None)
@given(phrases=st.lists(st.text(alphabet="ab c_$é\n", max_size=6), max_size=4),
       text=st.text(alphabet="ab c_$é\nAB", max_size=20))
def test_the_first_word_shortcut_answers_as_the_pattern_does(phrases, text):
    """The optimisation in `_PhraseSet.found_in` (skip the search when no phrase's first word is
    in the text) never changes an answer: it agrees with the whole-word pattern alone."""
    phrase_set = _phrase_set(tuple(phrases))
    expected = phrase_set is not None and phrase_set.pattern.search(text.lower()) is not None
    assert any_phrase_in(phrases, text) is expected
    assert expected is any(phrase_in(phrase, text) for phrase in phrases)


def test_group_nesting_is_refused_by_count_whatever_the_recursion_limit():
    # Hypothesis raises the recursion limit while a test runs; a refusal that relied on a
    # RecursionError compiled 400 nested groups in one pytest worker and refused them in another.
    saved = sys.getrecursionlimit()
    try:
        for limit in (1000, 20_000):
            sys.setrecursionlimit(limit)
            with pytest.raises(PatternError, match="nested more than 32 deep"):
                Pattern("(" * 400 + "a" + ")" * 400)
    finally:
        sys.setrecursionlimit(saved)
    assert Pattern("(" * 32 + "a" + ")" * 32).search("A") is not None
    assert Pattern(r"\((\[(\()\])[(]").search("([(](") is not None  # escaped and class parentheses
