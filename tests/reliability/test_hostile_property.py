"""Property: generated hostile JSON through every boundary of a real server and a real receiver
never gives a 5xx, never leaves a call stuck, and everything emitted is strict JSON.

The texts are built as text (a Python value could not hold `NaN` literals or 1,000 levels safely):
a leaf (NaN, ±Infinity, 1e999, a 5,000-digit integer, an unpaired surrogate, odd keys, or a fine
value) wrapped in objects and arrays to a depth drawn around the limit (60–70) and far beyond it
(900–1,100). Each one goes in as a request body (`initial_state`, assistant POST and PATCH) and as
a webhook answer (the whole body, and as the `state`).
"""

from __future__ import annotations

import httpx
import pytest
from hostile_helpers import StrictApi
from hostile_receiver import HostileReceiver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aployee_sim.api import Simulator
from aployee_sim.server.thread import ServerThread

KEY = "property-key"
LEAVES = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "9" * 5000, "1" + "0" * 300, '"\\ud800"',
          '"\\udfff tail"', '"ok"', "0", "-0.0", "null", "true", "1.5e300", '"\\u0000"', "[]", "{}"]
KEYS = ['""', '"\\u0000"', '"a.b[0]"', '"state"', '"reply"', '"\\ud800"', '"é"', '"' + "k" * 300 + '"']


@st.composite
def hostile_text(draw) -> str:
    leaf = draw(st.sampled_from(LEAVES))
    depth = draw(st.one_of(st.integers(0, 4), st.integers(60, 70), st.integers(900, 1100)))
    key = draw(st.sampled_from(KEYS))
    kinds = draw(st.lists(st.booleans(), min_size=1, max_size=3))
    opens, closes = [], []
    for level in range(depth):
        if kinds[level % len(kinds)]:
            opens.append("{" + key + ":")
            closes.append("}")
        else:
            opens.append("[")
            closes.append("]")
    return "".join(opens) + leaf + "".join(reversed(closes))


@pytest.fixture(scope="module")
def world():
    with HostileReceiver() as receiver, Simulator(seed=9) as served, ServerThread(sim=served, api_key=KEY, clock="manual") as server:
        with httpx.Client(base_url=server.root_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=15) as client:
            api = StrictApi(client)
            yield api, receiver, api.webhook_assistant(receiver.url)
        server.raise_errors()
        assert receiver.not_strict == []  # the integrator was only ever sent strict JSON


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(text=hostile_text(), key=st.sampled_from(KEYS))
def test_hostile_json_at_every_boundary(world, text, key):
    api, receiver, assistant = world
    # request bodies: a call's initial_state, an assistant's unknown field, a PATCH
    body = f'{{"assistant_id":"{assistant}","to":"+15551234567","initial_state":{{{key}:{text}}}}}'.encode()
    created = api.send("POST", "/v1/calls", content=body)
    assert created.status_code in (201, 400), created.text
    api.send("POST", "/v1/assistants", content=f'{{"name":"H","extra":{text}}}'.encode())
    api.send("PATCH", f"/v1/assistants/{assistant}", content=f"{{{key}:{text}}}".encode())
    # webhook answers: the whole body, and as the state
    call_id = api.connected_call(assistant)
    receiver.answer("whole", text)
    receiver.answer("as state", f'{{"reply":"fine","state":{{{key}:{text}}}}}')
    api.say(call_id, "whole")
    api.say(call_id, "as state")
    api.say(call_id, "ordinary")
    assert receiver.requests[-1]["utterance"] == "ordinary"  # the webhook still hears the caller
    api.check_every_view(call_id)
    for started in ([created.json()["id"]] if created.status_code == 201 else []) + [call_id]:
        api.hang_up_and_settle(started)  # nothing stuck: every call reaches a terminal status
    api.get("/_sim/webhooks")
