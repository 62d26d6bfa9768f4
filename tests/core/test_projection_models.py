"""Projections build plain dicts for speed; the pydantic models stay the schema. These tests pin the two
together: every projection of a varied set of calls round-trips through its model unchanged, keys in
the model's order and leaf types included, and no projection aliases the live call."""

import collections
import datetime
import decimal
import enum
import json
import math
import uuid
from typing import Any

import pytest
from pydantic_core import PydanticSerializationError

from aployee_sim.contract import models as m
from aployee_sim.fakes.callers import ScriptedCaller, expect, hang_up, say
from aployee_sim.fakes.carrier import ANSWERS_AT_ONCE, BUSY, NO_ANSWER
from aployee_sim.platform import projections

from .conftest import HOOK

NUMBER = "+15551234567"
PROJECTIONS = {
    "call_created": (m.CallCreated, lambda sim, record: projections.call_created(record, sim.clock)),
    "call_details": (m.CallDetails, lambda sim, record: projections.call_details(record, sim.clock)),
    "live_state": (m.LiveState, lambda sim, record: projections.live_state(record, sim.clock, sim.now_ms)),
    "transcript": (m.CallTranscript, lambda sim, record: projections.transcript(record, sim.clock)),
    "timeline": (m.Timeline, lambda sim, record: projections.timeline(record, sim.clock)),
    "latency": (m.Latency, lambda sim, record: projections.latency(record)),
}


def shape(value: Any) -> Any:
    """Keys in order and leaf types, recursively: what `==` ignores (1 == 1.0, {a, b} == {b, a})."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def assert_as_the_model_dumps(resource: dict[str, Any], model: type[m.Resource]) -> None:
    dumped = model.model_validate(resource).dump()
    assert resource == dumped
    assert list(resource) == list(dumped)
    assert shape(resource) == shape(dumped)


def varied_calls(sim) -> dict[str, str]:
    """Call ids by kind: every ending, both brains, a transfer, and one left mid-reasoning."""
    def hook(request):
        turns = request["state"].get("turns", 0) + 1
        return {"reply": f"Reply {turns}.", "state": {**request["state"], "turns": turns, "pair": (turns, "x"),
                                                      "ratio": turns / 3, "tags": ["a", None, True]}}

    sim.route_webhook(HOOK, hook)
    webhook = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=HOOK,
                                   first_message="Hello, this is Alex.")["id"]
    builtin = sim.create_assistant(name="Sam", intents=[
        {"keywords": ["hours"], "reply": "We're open nine to five.", "update": {"intent": "hours"}}])["id"]
    transfer_hook = "https://hooks.test/transfer"
    sim.route_webhook(transfer_hook, [{"reply": "Connecting you.", "update": {"intent": "human"},
                                       "action": "transfer", "target": "+15557654321"}])
    transferring = sim.create_assistant(name="Tess", reasoning_mode="webhook", webhook_url=transfer_hook,
                                        transfer_target="+15550001111")["id"]
    calls = {
        "webhook": sim.start_call(webhook, NUMBER, from_="+15550009999", initial_state={"customer": {"id": 7}},
                                  caller=ScriptedCaller([say("I need my order", confidence=1), expect("Reply 1"),
                                                         say("thanks", confidence=0.42), expect("Reply 2"),
                                                         hang_up()]))["id"],
        "builtin": sim.start_call(builtin, NUMBER, caller=ScriptedCaller([say("What are your hours?"), expect("nine"),
                                                                                hang_up()]))["id"],
        "busy": sim.start_call(webhook, BUSY)["id"],
        "no_answer": sim.start_call(webhook, NO_ANSWER)["id"],
        "transferred": sim.start_call(transferring, NUMBER, initial_state={"account": 1},
                                      caller=ScriptedCaller([say("a human please")]))["id"],
    }
    sim.run(seconds=600)
    slow_hook = "https://hooks.test/slow"
    sim.route_webhook(slow_hook, [{"reply": "Found it.", "delay_ms": 5000}])
    slow = sim.create_assistant(name="Slow", reasoning_mode="webhook", webhook_url=slow_hook)["id"]
    calls["live"] = live = sim.start_call(slow, ANSWERS_AT_ONCE, caller=ScriptedCaller([say("find it")]))["id"]
    while not any(e.type == "reasoning_started" for e in sim.events(live)):
        assert sim.engine.step()
    sim.run(until_ms=sim.now_ms + 1000)
    return calls


@pytest.fixture
def calls(sim):
    return varied_calls(sim)


def test_the_varied_calls_cover_what_they_claim(sim, calls):
    status = {kind: sim.call_details(call_id)["status"] for kind, call_id in calls.items()}
    assert status == {"webhook": "completed", "builtin": "completed", "busy": "failed", "no_answer": "failed",
                      "transferred": "transferred", "live": "in_progress"}
    assert sim.live_state(calls["live"])["reasoning_status"]["active"] is True
    assert sim.call_details(calls["webhook"])["final_state"]["pair"] == [2, "x"]
    assert sim.call_details(calls["builtin"])["final_state"] == {"intent": "hours"}


@pytest.mark.parametrize("name", PROJECTIONS)
def test_every_projection_is_exactly_what_its_model_dumps(sim, calls, name):
    model, project = PROJECTIONS[name]
    for call_id in calls.values():
        assert_as_the_model_dumps(project(sim, sim.record(call_id)), model)


def test_a_call_list_page_is_what_its_model_dumps(sim, calls):
    assert_as_the_model_dumps(sim.list_calls(limit=100), m.CallList)


def test_returned_resources_do_not_alias_the_call(sim, calls):
    def snapshot():
        return {(kind, name): json.dumps(project(sim, sim.record(call_id)))
                for kind, call_id in calls.items() for name, (_, project) in PROJECTIONS.items()}

    before = snapshot()
    for call_id in calls.values():
        for _, project in PROJECTIONS.values():
            scribble(project(sim, sim.record(call_id)))
    assert snapshot() == before
    assert sim.record(calls["webhook"]).state["customer"] == {"id": 7}


def scribble(value: Any) -> None:
    """Mutate every dict and list inside `value`."""
    if isinstance(value, dict):
        for item in list(value.values()):
            scribble(item)
        value["scribbled"] = True
    elif isinstance(value, list):
        for item in value:
            scribble(item)
        value.append("scribbled")


# --- json_copy: pydantic's JSON rendering of an `Any` field, as a fresh copy ---------------------
class Holder(m.Resource):
    value: Any


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Tone(enum.StrEnum):
    WARM = "warm"


VALUES = {
    "plain": {"s": "x", "i": 1, "f": 1.5, "b": False, "n": None, "l": [1, [2]], "d": {"k": {"j": []}}},
    "tuple": (1, ("a", (None,))),
    "non_finite": [math.inf, -math.inf, math.nan, {"f": math.inf}],
    "big_int": 10**30,
    "set": {3, 1, 2},
    "frozenset": frozenset({"x"}),
    "set_of_inf": {math.inf},
    "datetime": datetime.datetime(2024, 1, 15, 10, 30, tzinfo=datetime.UTC),
    "naive_datetime": datetime.datetime(2024, 1, 15, 10, 30, 0, 123456),
    "date": datetime.date(2024, 1, 15),
    "timedelta": datetime.timedelta(seconds=90),
    "decimal": decimal.Decimal("1.50"),
    "enums": [Colour.RED, Level.HIGH, Tone.WARM],
    "uuid": uuid.UUID(int=5),
    "bytes": b"ab",
    "non_str_keys": {1: "a", (1, 2): "b", None: "c", "s": ("t",)},
    "dict_subclasses": [collections.OrderedDict(b=1, a=2), collections.defaultdict(list, x=[1])],
    "model": m.CallCreated(id="c", assistant_id="a", status="initiated", to="+1", from_="+2", created_at="t"),
}


@pytest.mark.parametrize("name", VALUES)
def test_json_copy_renders_as_the_models_do(name):
    value = VALUES[name]
    copied = projections.json_copy(value)
    expected = Holder(value=value).dump()["value"]
    assert copied == expected
    assert shape(copied) == shape(expected)


def test_json_copy_is_a_fresh_copy():
    value = {"a": [1, {"b": (2, [3])}], "c": {"d": {}}}
    copied = projections.json_copy(value)
    scribble(copied)
    assert value == {"a": [1, {"b": (2, [3])}], "c": {"d": {}}}


def test_json_copy_refuses_what_the_models_refuse():
    value = {"ok": 1, "bad": object()}
    with pytest.raises(PydanticSerializationError):
        Holder(value=value).dump()
    with pytest.raises(PydanticSerializationError):
        projections.json_copy(value)
