"""Explore against a real buggy webhook: it finds the bug, shrinks it, writes a scenario that reproduces it."""

from __future__ import annotations

import random

from aployee_sim.explore import explore_scenario
from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.report import result_of
from aployee_sim.scenario.runner import run_scenario


def _utterances(steps):
    return [s.get("say") or s.get("barge_in") for s in steps if isinstance(s, dict) and ("say" in s or "barge_in" in s)]


def test_finds_shrinks_and_writes_the_third_utterance_refund_bug(refund_desk, webhook, tmp_path):
    result = explore_scenario(refund_desk, examples=300, seed=0, database=None, out=tmp_path / "out")
    assert not result.passed
    failure = result.found.failures[0]
    assert failure.expected.startswith("backend_ok")
    assert "HTTP 500" in failure.actual
    steps = result.found.example.steps
    said = _utterances(steps)
    assert len(steps) <= 4, steps                         # a handful of caller steps
    assert len(said) == 3 and "refund" in said[2].lower(), steps
    assert result.first_failure_at <= 300                 # found within the budget of examples
    assert f"broke at call {result.first_failure_at}" in result.report

    written = result.written
    assert written is not None and written.read_text() == result.scenario_text
    replay = result_of(run_scenario(load_scenario(written)))
    assert not replay.passed
    assert [f.key for f in replay.failures] == ["expect.invariants.0"]
    assert "backend_ok" in result.report and f"{written}:" in result.report
    assert "user: " in result.report                     # the transcript is shown

    webhook[1]["fixed"] = True
    assert result_of(run_scenario(load_scenario(written))).passed


def test_the_same_seed_gives_the_same_report_and_the_same_file(refund_desk, tmp_path):
    first = explore_scenario(refund_desk, examples=150, seed=0, database=None, out=tmp_path / "out")
    text = first.written.read_text()
    second = explore_scenario(refund_desk, examples=150, seed=0, database=None, out=tmp_path / "out")
    assert second.report == first.report
    assert second.written.read_text() == text


def test_a_correct_backend_passes_and_reports_coverage(refund_desk, webhook):
    webhook[1]["fixed"] = True
    result = explore_scenario(refund_desk, examples=60, seed=1, database=None)
    assert result.passed, result.report
    assert result.calls == 60
    sections = {s.title: s for s in result.coverage.sections}
    assert {("hangup_user",), ("hangup_assistant",), ("busy",)} <= sections["end reasons"].reached
    assert ("topic",) in sections["state keys"].reached
    assert "coverage (60 calls):" in result.report
    assert "never: " in result.report                     # e.g. no transfer was ever triggered
    result.check()                                        # no exception when it passed


def test_concurrent_calls_give_the_report_and_file_of_one_at_a_time_whatever_the_wall_timing(refund_desk, webhook,
                                                                                               tmp_path):
    one = explore_scenario(refund_desk, examples=150, seed=0, database=None, out=tmp_path / "one", concurrency=1)
    assert webhook[1]["max_active"] == 1
    rng = random.Random(4)
    webhook[1]["delay"] = lambda: rng.uniform(0, 0.03)  # answers come back in shuffled order
    many = explore_scenario(refund_desk, examples=150, seed=0, database=None, out=tmp_path / "many", concurrency=16)
    assert webhook[1]["max_active"] > 1  # generated calls really were in flight together
    assert not one.passed and many.calls == one.calls and many.first_failure_at == one.first_failure_at
    assert many.report.replace("/many/", "/one/") == one.report
    assert many.written.read_text() == one.written.read_text()
    assert len(many.found.example.steps) == len(one.found.example.steps) <= 4  # shrunk as small


def test_without_a_failure_concurrent_calls_cover_the_same(refund_desk, webhook):
    webhook[1]["fixed"] = True
    one = explore_scenario(refund_desk, examples=40, seed=2, database=None, concurrency=1)
    many = explore_scenario(refund_desk, examples=40, seed=2, database=None, concurrency=8)
    assert one.passed and many.passed and many.report == one.report and many.calls == 40


def test_by_default_most_generated_calls_reach_the_backend(refund_desk, webhook):
    """The default carrier draws answer, busy, no_answer and error: at equal odds 3 calls in 4 never
    reached the webhook (25 requests in 100 calls); answered calls are drawn 4 times in 5."""
    webhook[1]["fixed"] = True
    before = webhook[1]["requests"]
    result = explore_scenario(refund_desk, examples=100, seed=3, database=None)
    assert result.passed and result.calls == 100, result.report
    assert webhook[1]["requests"] - before > 100, webhook[1]["requests"] - before  # 40 at equal odds
