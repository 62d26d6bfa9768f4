"""The extensions of the one strict JSON policy that the boundaries rely on."""

import sys

import pytest

from aployee_sim.contract import strict_json as sj


def test_unpaired_surrogates_are_refused_in_values_and_keys():
    for bad in ['"\\ud800"', '{"\\udfff": 1}', '["ok", "x\\ud83d"]']:
        with pytest.raises(sj.StrictJsonError, match="surrogate"):
            sj.loads(bad)
    assert sj.loads('"\\ud83d\\ude00"') == "\U0001f600"  # a proper pair is fine


def test_malformed_text_says_line_and_column():
    with pytest.raises(sj.StrictJsonError) as raised:
        sj.loads('{\n  "a": 1,\n  oops\n}')
    assert (raised.value.line, raised.value.column) == (3, 3)
    with pytest.raises(sj.StrictJsonError) as raised:
        sj.loads(b"\xff\xfe\xfa")
    assert raised.value.line is None and "not UTF-8" in str(raised.value)


def test_integers_past_the_interpreters_limit_are_refused_not_crashing():
    with pytest.raises(sj.StrictJsonError):
        sj.loads("9" * 5000)


def test_what_is_emitted_may_wrap_an_accepted_value_but_not_without_bound():
    state = {}
    for _ in range(sj.MAX_STATE_DEPTH - 1):
        state = {"a": state}
    sj.check({"state": state})  # accepted at the boundary
    sj.dumps({"data": [{"request": {"state": state}}]})  # and can be emitted inside envelopes
    with pytest.raises(sj.StrictJsonError, match="nested deeper"):
        sj.dumps([[[[[[[[[[state]]]]]]]]]])


def test_a_cycle_is_refused_not_followed():
    cyclic: dict = {}
    cyclic["self"] = cyclic
    with pytest.raises(sj.StrictJsonError, match="nested deeper"):
        sj.check(cyclic)


def test_deep_text_gets_the_same_message_whatever_the_recursion_limit():
    # 1,000 levels overflow the parser at the default recursion limit but not at Hypothesis's raised
    # one: the two routes once gave different messages for one webhook answer (the text names the place).
    deep = '{"a":' * 1000 + "1" + "}" * 1000
    saved = sys.getrecursionlimit()
    messages = set()
    try:
        for limit in (1000, 20_000):
            sys.setrecursionlimit(limit)
            with pytest.raises(sj.StrictJsonError) as raised:
                sj.loads(deep)
            messages.add(str(raised.value))
    finally:
        sys.setrecursionlimit(saved)
    assert messages == {("$" + ".a" * 64)[:80] + "...: nested deeper than 64 levels"}  # the path, cut at 80


def test_the_depth_message_names_the_first_deep_place_in_text_order():
    text = '{"ok": [1, "x\\"]{"], "b\\u0021": [{}, [{"c": [2]}]], "late": [[[[1]]]]}'
    with pytest.raises(sj.StrictJsonError, match=r"^\$\.b!\[1\]\[0\]\.c: nested deeper than 4 levels$"):
        sj.loads(text, max_depth=4)
