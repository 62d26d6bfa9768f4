"""The extensions of the one strict JSON policy that the boundaries rely on."""

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
