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
