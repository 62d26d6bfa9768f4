"""The strict JSON policy: RFC 8259 only, bounded nesting, errors that say where."""
import pytest

from aployee_sim.contract import strict_json as sj


def test_policy():
    assert sj.loads('{"a":[1,2.5,"x",null,true]}') == {"a":[1,2.5,"x",None,True]}
    for bad in ['{"a":NaN}', '[Infinity]', '[-Infinity]', '{"x":1e999}', '['*200+']'*200, '['*5000+']'*5000, '{bad']:
        with pytest.raises(sj.StrictJsonError):
            sj.loads(bad)
    with pytest.raises(sj.StrictJsonError, match=r"\$\.s\.x"):
        sj.check({"s": {"x": float("nan")}})
    with pytest.raises(sj.StrictJsonError):
        sj.dumps({1: 2})
    assert sj.dumps({"a": "é"}) == '{"a":"é"}'



def test_copy_shares_nothing_and_refuses_what_check_refuses():
    original = {"state": {"nested": {"items": [1, {"x": "y"}]}, "t": (1, 2)}, "reply": "ok"}
    copied = sj.copy(original)
    assert copied == {"state": {"nested": {"items": [1, {"x": "y"}]}, "t": [1, 2]}, "reply": "ok"}
    copied["state"]["nested"]["items"][1]["x"] = "changed"
    assert original["state"]["nested"]["items"][1]["x"] == "y"
    cycle: dict = {}
    cycle["self"] = cycle
    for bad in (cycle, {"x": float("nan")}, {1: "key"}):
        with pytest.raises(sj.StrictJsonError):
            sj.copy(bad)


def test_an_in_process_webhook_cannot_reach_the_call_state_through_its_request_or_answer():
    from aployee_sim.core.reasoning import CallableBackend

    kept = {}

    def webhook(request):
        request["state"]["nested"]["n"] = "mutated by the webhook"  # its own copy
        kept["answer"] = {"state": {"nested": {"n": 2}}}
        return kept["answer"]

    state = {"nested": {"n": 1}}
    delivery = CallableBackend(webhook)("https://hooks.test/x", {"utterance": "hi", "state": state}, 1000)
    assert state == {"nested": {"n": 1}}
    kept["answer"]["state"]["nested"]["n"] = "mutated later"
    assert delivery.body == {"state": {"nested": {"n": 2}}}


def _values(max_leaves: int = 30):
    """JSON-like values with the hostile members strict JSON refuses mixed in."""
    from collections import OrderedDict

    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                        st.text(max_size=5), st.sampled_from(["\ud800", "é", "x\udfff", b"bytes"]))
    keys = st.one_of(st.text(max_size=4), st.sampled_from(["\ud800", "ké", 1, None]))

    def containers(children):
        return st.one_of(st.lists(children, max_size=4), st.tuples(children, children),
                         st.dictionaries(keys, children, max_size=4),
                         st.dictionaries(st.text(max_size=3), children, max_size=3).map(OrderedDict))
    return st.recursive(scalars, containers, max_leaves=max_leaves)


def _nested(depth: int, leaf, odd: bool):
    value = leaf
    for level in range(depth - 1):
        value = {"a": value} if (level + odd) % 2 else [value]
    return value


def _containers(value) -> list[int]:
    found, stack = [], [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(id(node))
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            found.append(id(node))
            stack.extend(node)
    return found


def test_the_one_walk_copy_gives_check_s_verdict_and_shares_nothing():
    """`copy` checks and copies in one walk (an optimisation for in-process turns): whatever the
    value, it refuses exactly what `check` refuses, with `check`'s message, and otherwise returns
    an equal value that shares no container with the original."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    depths = st.builds(_nested, st.integers(sj.MAX_DEPTH - 2, sj.MAX_DEPTH + 2),
                       st.sampled_from([1, float("nan"), "\ud800", {1: 2}, "é"]), st.booleans())

    @settings(max_examples=400, deadline=None)
    @given(st.one_of(_values(), depths))
    def agrees(value):
        try:
            sj.check(value)
        except sj.StrictJsonError as refused:
            with pytest.raises(sj.StrictJsonError) as raised:
                sj.copy(value)
            assert str(raised.value) == str(refused)
            return
        copied = sj.copy(value)
        assert sj.dumps(copied) == sj.dumps(sj.loads(sj.dumps(value)))
        assert not set(_containers(copied)) & set(_containers(value))
        assert all(type(node) in (dict, list) for node in _walk(copied))

    agrees()


def _walk(value):
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list | tuple):
            yield node
            stack.extend(node.values() if isinstance(node, dict) else node)
