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

