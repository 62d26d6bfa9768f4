"""Hostile JSON at every boundary (docs/contract.md §7): the corpus through a real server and a real
receiver, plus the in-process, scenario, import and store boundaries.

Before the fix: an answer nested ~1,000 deep made the advance a 500 and left `reasoning_status`
active for good; NaN in an answer or `initial_state` made `GET /_sim/webhooks` a lasting 500 and
was sent on to the integrator as `Infinity`; an `initial_state` ~970 deep was accepted and then
`GET /v1/calls` answered 500.
"""

from __future__ import annotations

import sqlite3

import pytest
from hostile_helpers import StrictApi
from hostile_receiver import HostileReceiver, corpus, corpus_names

from aployee_sim.adapters.store import Store, StoreError, StoreWriter
from aployee_sim.api import Simulator
from aployee_sim.cli import main
from aployee_sim.contract.strict_json import MAX_DEPTH
from aployee_sim.core.reasoning import MAX_REPLY_CHARS
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say
from aployee_sim.server.thread import ServerThread

KEY = "hostile-key"
ACCEPTED_ANSWERS = {"answer_deep_64.json", "answer_odd_keys.json"}  # strict JSON within the limits
ACCEPTED_BODIES = {"initial_state_deep_63.json"}


@pytest.fixture(scope="module")
def receiver():
    with HostileReceiver() as hostile:
        yield hostile


@pytest.fixture(scope="module")
def server():
    with Simulator(seed=1) as sim, ServerThread(sim=sim, api_key=KEY, clock="manual") as srv:
        yield srv


@pytest.fixture
def api(server):
    import httpx

    with httpx.Client(base_url=server.root_url, headers={"Authorization": f"Bearer {KEY}"}, timeout=15) as client:
        yield StrictApi(client)
    server.raise_errors()


@pytest.mark.parametrize("name", corpus_names("answer_"))
def test_a_hostile_webhook_answer_is_a_recorded_failure_and_the_call_goes_on(api, receiver, name):
    assistant = api.webhook_assistant(receiver.url)
    call_id = api.connected_call(assistant)
    receiver.answer(f"hostile {name}", corpus(name))
    api.say(call_id, f"hostile {name}")
    api.check_every_view(call_id)  # nothing answers 500, everything emitted is strict
    [called] = api.webhook_events(call_id)
    if name in ACCEPTED_ANSWERS:
        assert "error" not in called, called
    else:
        assert called.get("error"), called
    assert api.get(f"/v1/calls/{call_id}/live-state")["reasoning_status"]["active"] is False
    api.say(call_id, "and now something ordinary")  # later utterances still reach the webhook
    assert receiver.requests[-1]["utterance"] == "and now something ordinary"
    assert api.hang_up_and_settle(call_id)["status"] == "completed"
    assert receiver.not_strict == []


def test_an_over_long_reply_is_refused_and_a_reply_at_the_cap_is_spoken(api, receiver):
    assistant = api.webhook_assistant(receiver.url)
    call_id = api.connected_call(assistant)
    receiver.answer("long", '{"reply": "' + "a" * (MAX_REPLY_CHARS + 1) + '", "state": {}}')
    receiver.answer("at the cap", '{"reply": "' + "b" * MAX_REPLY_CHARS + '", "state": {}}')
    api.say(call_id, "long")
    assert "spoken-reply limit" in api.webhook_events(call_id)[0]["error"]
    api.say(call_id, "at the cap")
    api.advance(60)
    assert "error" not in api.webhook_events(call_id)[1]
    spoken = [t["content"] for t in api.get(f"/v1/calls/{call_id}/transcript")["transcript"]]
    assert "b" * MAX_REPLY_CHARS in spoken and not any(len(line) > MAX_REPLY_CHARS for line in spoken)
    api.hang_up_and_settle(call_id)


@pytest.mark.parametrize("name", corpus_names("initial_state_"))
def test_a_hostile_request_body_is_a_400_naming_the_problem(api, name):
    assistant = api.webhook_assistant("http://127.0.0.1:9/unused")
    raw = corpus(name)
    body = b'{"assistant_id":"' + assistant.encode() + b'","to":"+15005550002",' + raw[1:]
    response = api.send("POST", "/v1/calls", content=body)
    if name in ACCEPTED_BODIES:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_request" and error["details"]["field"] == "body"
        assert any(word in error["message"] for word in ("nested deeper", "NaN", "Infinity", "infinity"))
    api.get("/v1/calls")  # and the list keeps working for everybody
    api.get("/_sim/webhooks")


def test_the_message_says_where(api):
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    response = api.send("PATCH", f"/v1/assistants/{api.webhook_assistant('http://127.0.0.1:9/x')}",
                        content=('{"name": "x", "voice": {"voice_id": ' + deep + "}}").encode())
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("The request body cannot be accepted: $.voice.voice_id")
    response = api.send("POST", "/v1/assistants", content=b'{"name": "x", "tags": [1, 2, NaN]}')
    assert response.status_code == 400 and "NaN" in response.json()["error"]["message"]


@pytest.mark.parametrize("answer", [
    {"reply": "ok", "state": {"x": float("nan")}},
    {"reply": "ok", "state": {"x": float("inf")}},
    {"state": {1: "not a string key"}},
    {"reply": "\ud800"},
    "cycle",
])
def test_an_in_process_callable_returning_non_json_is_a_recorded_failure(answer):
    if answer == "cycle":
        answer = {"state": {}}
        answer["state"]["self"] = answer
    sim = Simulator(seed=3)
    hook = "https://hooks.test/hostile"
    assistant = sim.create_assistant(name="A", reasoning_mode="webhook", webhook_url=hook)["id"]
    sim.route_webhook(hook, lambda request: answer)
    call_id = sim.start_call(assistant, "+15551234567", caller=ScriptedCaller([say("one"), say("two"), hang_up()]))["id"]
    sim.run()
    errors = [e.error for e in sim.events(call_id) if e.type == "webhook_called"]
    assert len(errors) == 2 and all("not strict JSON" in e for e in errors), errors
    assert sim.call_details(call_id)["status"] == "completed"
    assert all(x["response"] is None for x in sim.exchanges())  # the hostile body is not kept
    with Store() as store:  # and everything recorded can be stored
        StoreWriter(store).attach(sim)
        assert store.get_call(call_id).details() == sim.call_details(call_id)


def test_initial_state_through_the_python_api_is_strict():
    sim = Simulator(seed=3)
    assistant = sim.create_assistant(name="A")["id"]
    from aployee_sim.contract.errors import ApiError
    for state in ({"x": float("nan")}, {"a": {"b": [[[]]]} | {"deep": _nest(MAX_DEPTH)}}):
        with pytest.raises(ApiError) as raised:
            sim.start_call(assistant, "+15551234567", initial_state=state)
        assert raised.value.status == 400 and raised.value.envelope()["error"]["details"]["field"] == "initial_state"


def _nest(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("value, problem", [(".nan", "NaN"), (".inf", "inf"), ("-.inf", "inf")])
def test_scenario_values_must_be_strict_json(tmp_path, capsys, value, problem):
    scenario = tmp_path / "bad.scenario.yaml"
    scenario.write_text(f"""name: bad
assistants:
  a: {{name: A}}
calls:
  - assistant: a
    to: "+15005550002"
    initial_state:
      x: {value}
""")
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr()
    text = err.out + err.err
    assert f"{scenario}:8" in text and "not JSON" in text and "Traceback" not in text


@pytest.mark.parametrize("content", [
    '{"id": "call_1", "assistant_id": "a", "status": "completed", "to": "+15551234567", "x": NaN}',
    '{"id": "call_1", "x": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"id": "call_1", "x": 1e999}',
])
def test_import_refuses_hostile_json_in_one_line(tmp_path, capsys, content):
    record = tmp_path / "call.json"
    record.write_text(content)
    assert main(["import", str(record)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(record) in err and "Traceback" not in err


def test_stored_rows_are_strict_both_ways(tmp_path):
    db = tmp_path / "calls.db"
    sim = Simulator(seed=2)
    with Store(db) as store:
        StoreWriter(store).attach(sim)
        call_id = sim.start_call(sim.create_assistant(name="A")["id"], "+15005550002", initial_state={"ok": 1})["id"]
        assert store.get_call(call_id).details()["id"] == call_id
    with sqlite3.connect(db) as conn:  # a file edited by hand (or by an older writer)
        conn.execute("UPDATE calls SET initial_state = ? WHERE id = ?", ('{"ok": NaN}', call_id))
    with Store(db) as store, pytest.raises(StoreError, match="not strict JSON"):
        StoreWriter(store).attach(Simulator(seed=2), resume=True)


def test_an_in_process_callable_cannot_smuggle_nan_into_the_state_in_place():
    def sneaky(request: dict) -> dict:
        request["state"]["inner"]["x"] = float("nan")  # mutates what it was handed, returns nothing new
        return {"reply": "done"}

    sim = Simulator(seed=3)
    hook = "https://hooks.test/sneaky"
    assistant = sim.create_assistant(name="A", reasoning_mode="webhook", webhook_url=hook)["id"]
    sim.route_webhook(hook, sneaky)
    call_id = sim.start_call(assistant, "+15551234567", None, {"inner": {"x": 1}},
                             caller=ScriptedCaller([say("one"), hang_up()]))["id"]
    sim.run()
    assert sim.call_details(call_id)["final_state"] == {"inner": {"x": 1}}
    with Store() as store:
        StoreWriter(store).attach(sim)
        assert store.get_call(call_id).details()["final_state"] == {"inner": {"x": 1}}
