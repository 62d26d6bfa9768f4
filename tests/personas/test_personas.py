"""Persona callers, rubric judges and cassettes against a real fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from aployee_sim.adapters.chat_model import ChatModel, Endpoint
from aployee_sim.contract.events import to_json
from aployee_sim.core.chat import ModelError
from aployee_sim.fakes.callers import MAX_INVALID_ANSWERS, parse_turn
from aployee_sim.scenario.cassette import cassette_path
from aployee_sim.scenario.completions import ENV_MODEL, ENV_URL, default_record_mode
from aployee_sim.scenario.errors import ScenarioInvalid
from aployee_sim.scenario.judge import parse_verdict
from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.report import format_result, result_of
from aployee_sim.scenario.runner import run_scenario
from tests.personas.fake_model import BUNDLED, Brain, FakeModel, completion, record_bundled

pytestmark = pytest.mark.xdist_group("personas")
LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"

ORDER = Brain([
    ("Rubric: the caller got a shipping date", '{"verdict": "pass", "reason": "It ships tomorrow."}'),
    ("Rubric: the assistant sang", '{"verdict": "fail", "reason": "Nobody sang on this call."}'),
    ("order number", '{"say": "It is 12345."}'),
    ("ships tomorrow", '{"hang_up": "goal reached"}'),
], default='{"say": "Where is my order?"}')

SCENARIO = """\
name: {name}
seed: 3
model: {{model: fake-model}}
assistants:
  support:
    name: Sam
    reasoning_mode: webhook
    webhook_url: https://hooks.test/support
    first_message: Acme support, what can I do for you?
webhooks:
  https://hooks.test/support:
    - when: order
      reply: Sure, what's the order number?
    - pattern: "\\\\d{{5}}"
      reply: Order 12345 ships tomorrow.
calls:
  - assistant: support
    to: +15551230001
    caller:
{caller}
    expect:
      judge:
{judges}
"""
PERSONA = """\
      - persona: Dana, in a hurry
        goal: find out when order 12345 ships
        max_turns: {max_turns}"""


def write(folder: Path, *, name: str = "order", caller: str | None = None, max_turns: int = 8,
          judges: tuple[str, ...] = ("the caller got a shipping date",)) -> Path:
    path = folder / f"{name}.scenario.yaml"
    listed = "\n".join(f"        - rubric: {r}" for r in judges) or "        []"
    path.write_text(SCENARIO.format(name=name, caller=caller or PERSONA.format(max_turns=max_turns),
                                    judges=listed), encoding="utf-8")
    return path


@pytest.fixture
def model(monkeypatch):
    """A fake model serving ORDER, configured through the environment."""
    with FakeModel(ORDER) as fake:
        monkeypatch.setenv(ENV_URL, fake.base_url)
        yield fake


def run(path: Path, record: str):
    outcome = run_scenario(load_scenario(path), record=record)
    return outcome, result_of(outcome)


def transcript(outcome) -> list[str]:
    details = outcome.sim.call_details(outcome.calls[0].call_id)
    return [f"{t['role']}: {t['content']}" for t in details["transcript"]]


# --- the client ---------------------------------------------------------------------------------
def test_client_reads_the_content_and_sends_the_key():
    with FakeModel(Brain(default="hello")) as fake:
        client = ChatModel(deadline_s=5)
        try:
            text = client.complete(Endpoint(fake.base_url, "sk-test"), {"model": "m", "messages": []})
        finally:
            client.close()
    assert text == "hello"
    assert fake.requests == [{"model": "m", "messages": []}]
    assert fake.headers[0]["Authorization"] == "Bearer sk-test"


@pytest.mark.parametrize(("raw", "message"), [
    ((500, b"model overloaded", 0.0), "answered HTTP 500: model overloaded"),
    ((200, b'{"choices": [', 0.0), "is not JSON"),
    ((200, b'{"choices": [{"message": {"content": NaN}}]}', 0.0), "is not JSON"),
    ((200, b'{"choices": []}', 0.0), "has no choices[0].message.content text"),
    ((200, completion("x" * (1 << 20)), 0.0), "is over 1048576 bytes"),
    ((200, completion("late"), 3.0), "no answer from"),
])
def test_client_failures_are_one_line_errors(raw, message):
    with FakeModel(raw=lambda request: raw) as fake:
        client = ChatModel(deadline_s=0.5)
        try:
            with pytest.raises(ModelError) as caught:
                client.complete(Endpoint(fake.base_url), {"model": "m", "messages": []})
        finally:
            client.close()
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_client_unreachable_server():
    client = ChatModel(deadline_s=2)
    try:
        with pytest.raises(ModelError, match="cannot reach http://127.0.0.1:9/chat/completions"):
            client.complete(Endpoint("http://127.0.0.1:9"), {"model": "m", "messages": []})
    finally:
        client.close()


# --- answers ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("answer", "problem"), [
    ("Thursday", "not a JSON object"),
    ('```json\n{"say": "hi"}\n```', "not a JSON object"),
    ('{"say": "hi", "digits": "1"}', "exactly one key"),
    ('{"shout": "hi"}', "unknown key"),
    ('{"say": ""}', "non-empty string"),
    ('{"digits": "12a"}', "of 0-9"),
    ('{"say": NaN}', "not a JSON object"),
])
def test_invalid_turns_say_what_is_wrong(answer, problem):
    with pytest.raises(ValueError, match=problem):
        parse_turn(answer)


def test_valid_turns_and_verdicts():
    assert (parse_turn('{"digits": "1#"}').kind, parse_turn(' {"say": " Hi "} ').text) == ("digits", "Hi")
    assert parse_verdict('{"verdict": "fail", "reason": "No."}') == ("fail", "No.")
    for bad in ('{"verdict": "maybe", "reason": "x"}', '{"verdict": "pass", "reason": "a\\nb"}', '{"verdict": "pass"}'):
        with pytest.raises(ValueError):
            parse_verdict(bad)


# --- persona callers and cassettes --------------------------------------------------------------
def test_record_then_replay_byte_for_byte_without_a_model(tmp_path, monkeypatch):
    path = write(tmp_path)
    with FakeModel(ORDER) as fake:
        monkeypatch.setenv(ENV_URL, fake.base_url)
        recorded, result = run(path, "new")
    assert result.passed, format_result(result)
    assert transcript(recorded) == [
        "assistant: Acme support, what can I do for you?", "user: Where is my order?",
        "assistant: Sure, what's the order number?", "user: It is 12345.", "assistant: Order 12345 ships tomorrow."]
    assert recorded.calls[0].caller.ended_reason == "hangup_user"
    assert len(fake.requests) == 4  # three persona turns and one judge
    cassette = cassette_path(path).read_bytes()
    monkeypatch.delenv(ENV_URL)  # the server is gone: the replay needs no model
    replayed, again = run(path, "none")
    assert again.passed, format_result(again)
    assert json.dumps(replayed.sim.call_details(replayed.calls[0].call_id)) == \
        json.dumps(recorded.sim.call_details(recorded.calls[0].call_id))
    assert replayed.sim.events(replayed.calls[0].call_id) == recorded.sim.events(recorded.calls[0].call_id)
    assert cassette_path(path).read_bytes() == cassette


def test_the_request_is_what_the_cassette_records(tmp_path, model):
    path = write(tmp_path)
    run(path, "new")
    saved = json.loads(cassette_path(path).read_text())
    assert saved["scenario"] == "order"
    assert [i["request"] for i in saved["interactions"]] == model.requests
    assert model.requests[0]["model"] == "fake-model" and model.requests[0]["temperature"] == 0.0
    assert [m["role"] for m in model.requests[1]["messages"]] == ["system", "user", "assistant", "user"]


def test_scripted_opening_then_persona(tmp_path, model):
    caller = "      - say: Hi, I'm calling about my order.\n" + PERSONA.format(max_turns=8)
    outcome, result = run(write(tmp_path, caller=caller), "new")
    assert result.passed, format_result(result)
    assert transcript(outcome)[1:4] == ["user: Hi, I'm calling about my order.",
                                        "assistant: Sure, what's the order number?", "user: It is 12345."]
    first = model.requests[0]["messages"]
    assert first[2] == {"role": "assistant", "content": '{"say": "Hi, I\'m calling about my order."}'}


def test_a_model_that_never_hangs_up_is_ended_by_max_turns(tmp_path, monkeypatch):
    with FakeModel(Brain(default='{"say": "Tell me more."}')) as fake:
        monkeypatch.setenv(ENV_URL, fake.base_url)
        outcome, _ = run(write(tmp_path, max_turns=3, judges=()), "new")
    caller = outcome.calls[0].caller
    assert caller.turns == 3 and caller.stopped_by_max_turns
    assert caller.ended_reason == "hangup_user" and not caller.failures
    assert sum(1 for line in transcript(outcome) if line == "user: Tell me more.") == 3


def test_invalid_answers_are_retried_then_the_caller_hangs_up(tmp_path, monkeypatch):
    with FakeModel(Brain(default="I'd like to know about my order")) as fake:
        monkeypatch.setenv(ENV_URL, fake.base_url)
        outcome, result = run(write(tmp_path, judges=()), "new")
    assert len(fake.requests) == MAX_INVALID_ANSWERS + 1
    assert fake.requests[-1]["messages"][-1]["content"].startswith("That is not a valid turn: it is not a JSON")
    [failure] = result.failures
    assert failure.key == "caller" and failure.line == 20
    assert "persona turn 1 (line 20): the model gave no valid turn in 3 answers" in failure.actual
    assert outcome.calls[0].caller.ended_reason == "hangup_user"
    assert len(json.loads(cassette_path(tmp_path / "order.scenario.yaml").read_text())["interactions"]) == 3


def test_a_model_error_is_named_and_the_caller_hangs_up(tmp_path, monkeypatch):
    with FakeModel(raw=lambda request: (503, b"loading model", 0.0)) as fake:
        monkeypatch.setenv(ENV_URL, fake.base_url)
        _, result = run(write(tmp_path, judges=()), "new")
    [failure] = result.failures
    assert "persona turn 1 (line 20):" in failure.actual and "answered HTTP 503: loading model" in failure.actual


def test_no_model_configured_names_what_is_missing(tmp_path, monkeypatch):
    path = write(tmp_path, judges=())
    path.write_text(path.read_text().replace("model: {model: fake-model}\n", ""))
    monkeypatch.delenv(ENV_MODEL, raising=False)
    _, result = run(path, "new")
    assert "no model configured for calls[0] persona: give `model: {model: NAME, base_url: URL}`" in \
        result.failures[0].actual
    path.write_text(path.read_text().replace("seed: 3\n", "seed: 3\nmodel: {model: m}\n"))
    monkeypatch.delenv(ENV_URL, raising=False)
    _, result = run(path, "new")
    assert "no model URL is configured" in result.failures[0].actual


def test_a_changed_dialogue_under_none_names_where_it_first_differed(tmp_path, model):
    path = write(tmp_path)
    run(path, "new")
    path.write_text(path.read_text().replace("reply: Order 12345 ships tomorrow.", "reply: Order 12345 is lost."))
    asked = len(model.requests)
    _, result = run(path, "none")
    assert len(model.requests) == asked  # none never asks the model
    [failure] = result.failures  # the judge is not asked once the dialogue has left the cassette
    assert failure.key == "caller"
    assert ("persona turn 3 (line 20): not in the cassette (--record none): the dialogue first differed from "
            "order.cassette.json at message 6: recorded user: 'Order 12345 ships tomorrow.', now user: "
            "'Order 12345 is lost.'") in failure.actual
    _, result = run(path, "new")  # new asks the model for what changed and records it
    assert len(model.requests) > asked
    assert "Order 12345 is lost." in cassette_path(path).read_text()


def test_all_records_every_answer_again(tmp_path, model):
    path = write(tmp_path)
    run(path, "new")
    asked = len(model.requests)
    run(path, "new")
    assert len(model.requests) == asked
    run(path, "all")
    assert len(model.requests) == 2 * asked


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace("It is 12345.", "It is 54321."), "interaction 2 (calls[0] persona) was changed after it"),
    (lambda t: t[: len(t) // 2], "invalid JSON at line"),
    (lambda t: t.replace('"scenario": "order"', '"scenario": "billing"'),
     "recorded for scenario 'billing', not 'order'"),
    (lambda t: t.replace('"cassette": 1', '"cassette": 9'), "cassette format 9"),
])
def test_a_hand_edited_truncated_or_foreign_cassette_is_an_error(tmp_path, model, edit, message):
    path = write(tmp_path)
    run(path, "new")
    cassette = cassette_path(path)
    cassette.write_text(edit(cassette.read_text()))
    with pytest.raises(ScenarioInvalid) as caught:
        run(path, "none")
    assert message in str(caught.value) and str(cassette) in str(caught.value)


def test_a_missing_cassette_under_none(tmp_path, model):
    _, result = run(write(tmp_path), "none")
    assert "there is no cassette order.cassette.json beside the scenario; record one with --record new" in \
        result.failures[0].actual
    assert not model.requests and not cassette_path(tmp_path / "order.scenario.yaml").exists()


# --- judges -------------------------------------------------------------------------------------
def test_a_failed_rubric_shows_verdict_and_reason_at_its_line(tmp_path, model):
    path = write(tmp_path, judges=("the caller got a shipping date", "the assistant sang"))
    _, result = run(path, "new")
    [failure] = result.failures
    assert (failure.key, failure.line) == ("expect.judge.1.rubric", 26)
    assert failure.expected == "the assistant sang"
    assert failure.actual == "fail: Nobody sang on this call."
    judged = model.requests[-1]["messages"][1]["content"]
    assert judged.startswith("Rubric: the assistant sang\n\nStatus: completed")
    assert "user: It is 12345." in judged and '"utterance":"It is 12345."' in judged


def test_a_judge_that_gives_no_valid_verdict_fails_the_rubric(tmp_path, model):
    model.answer = Brain(ORDER.rules[2:], default=ORDER.default)  # no verdict rules: the judge hangs up
    _, result = run(write(tmp_path), "new")
    [failure] = result.failures
    assert failure.actual.startswith("error: the judge gave no valid verdict in 3 answers")


# --- record modes, the CLI, the bundled library -------------------------------------------------
def test_default_record_mode():
    assert default_record_mode({"CI": "true"}) == "none"
    assert default_record_mode({}) == "new"


def test_cli_record_option(tmp_path, model, capsys, monkeypatch):
    from aployee_sim.cli import main
    path = write(tmp_path)
    with pytest.raises(SystemExit) as bad:
        main(["run", "--record", "sometimes", str(path)])
    assert bad.value.code == 2
    assert main(["run", "--record", "none", str(path)]) == 1
    assert "there is no cassette" in capsys.readouterr().out
    assert main(["run", "--record", "new", str(path)]) == 0
    monkeypatch.setenv("CI", "true")
    assert main(["run", str(path)]) == 0


def test_bundled_persona_scenarios_replay_without_a_model(monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    for name in BUNDLED:
        result = result_of(run_scenario(load_scenario(LIBRARY / f"{name}.scenario.yaml"), record="none"))
        assert result.passed, format_result(result)


def test_bundled_cassettes_are_what_their_fake_model_records(tmp_path):
    """The committed cassettes are recorded deterministically (python -m tests.personas.fake_model)."""
    shutil.copytree(LIBRARY, tmp_path / "scenarios")
    for name in BUNDLED:
        (tmp_path / "scenarios" / f"{name}.cassette.json").unlink()
    record_bundled(tmp_path / "scenarios")
    for name in BUNDLED:
        assert (tmp_path / "scenarios" / f"{name}.cassette.json").read_bytes() == \
            (LIBRARY / f"{name}.cassette.json").read_bytes(), name


def test_the_models_wall_latency_never_enters_virtual_time(tmp_path, monkeypatch):
    timelines = []
    for delay in (0.0, 0.25):
        folder = tmp_path / str(delay)
        folder.mkdir()
        with FakeModel(ORDER, delay_s=delay) as fake:
            monkeypatch.setenv(ENV_URL, fake.base_url)
            outcome, _ = run(write(folder, judges=()), "all")
        timelines.append(outcome.sim.events(outcome.calls[0].call_id))
    assert timelines[0] == timelines[1]


def test_a_persona_presses_keys(tmp_path, monkeypatch):
    brain = Brain([("order number", '{"digits": "12345#"}'), ("ships tomorrow", '{"hang_up": "done"}')],
                  default='{"say": "Where is my order?"}')
    path = write(tmp_path, judges=())
    path.write_text(path.read_text().replace('pattern: "\\\\d{5}"', "when: order number"))
    with FakeModel(brain) as fake:
        monkeypatch.setenv(ENV_URL, fake.base_url)
        outcome, _ = run(path, "new")
    digits = [to_json(e) for e in outcome.sim.events(outcome.calls[0].call_id) if e.type == "digits"]
    assert [d["digits"] for d in digits] == ["12345#"]
    assert ("caller", '{"digits": "12345#"}') in outcome.calls[0].caller.dialogue


def test_model_settings_come_from_the_step_the_scenario_the_environment_then_the_config_file(
        tmp_path, monkeypatch):
    path = write(tmp_path, judges=())
    path.write_text(path.read_text().replace("model: {model: fake-model}\n", "model: {temperature: 0.5}\n")
                    .replace("max_turns: 8", "max_turns: 8\n        model: {seed: 9}"))
    with FakeModel(ORDER) as fake:
        (tmp_path / "aployee-sim.yaml").write_text(f"model:\n  base_url: {fake.base_url}\n  model: from-file\n"
                                                   "  api_key_env: FAKE_MODEL_KEY\n")
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv(ENV_URL, raising=False)
        monkeypatch.setenv(ENV_MODEL, "from-env")
        monkeypatch.setenv("FAKE_MODEL_KEY", "sk-file")
        run(path, "new")
    assert {k: v for k, v in fake.requests[0].items() if k != "messages"} == \
        {"model": "from-env", "temperature": 0.5, "seed": 9}
    assert fake.headers[0]["Authorization"] == "Bearer sk-file"


def test_a_bad_config_file_or_missing_key_variable_is_named(tmp_path, monkeypatch, model):
    path = write(tmp_path, judges=())
    (tmp_path / "aployee-sim.yaml").write_text("model:\n  temperature: hot\n")
    monkeypatch.chdir(tmp_path)
    _, result = run(path, "new")
    assert "aployee-sim.yaml: model.temperature: Input should be a valid number" in result.failures[0].actual
    (tmp_path / "aployee-sim.yaml").write_text("model:\n  api_key_env: NOT_SET_ANYWHERE\n")
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    _, result = run(path, "new")
    assert "the API key variable $NOT_SET_ANYWHERE (api_key_env) is not set" in result.failures[0].actual


def test_persona_step_format_errors(tmp_path):
    from aployee_sim.scenario.errors import ScenarioInvalid as Invalid
    cases = {
        "        goal: x\n        max_turns: 8": None,  # as written: valid
        "        max_turns: 8": "a persona step needs a `goal`",
    }
    for tail, message in cases.items():
        path = write(tmp_path, caller="      - persona: Dana\n" + tail, judges=())
        if message is None:
            load_scenario(path)
            continue
        with pytest.raises(Invalid, match=message):
            load_scenario(path)
    path = write(tmp_path, caller=PERSONA.format(max_turns=8) + "\n      - say: hi", judges=())
    with pytest.raises(Invalid, match="must be the last step"):
        load_scenario(path)
    path = write(tmp_path, caller="      - say: hi\n        goal: x", judges=())
    with pytest.raises(Invalid, match="`goal` only goes with persona"):
        load_scenario(path)


def test_python_api_persona_caller_with_a_function():
    from aployee_sim.api import Simulator
    from aployee_sim.fakes.callers import PersonaCaller

    asked = []

    def complete(messages):
        asked.append(messages)
        return '{"say": "Is my order shipped?"}' if len(asked) == 1 else '{"hang_up": "done"}'

    with Simulator(seed=1) as sim:
        asst = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url="https://hooks.test/r",
                                    first_message="Hello, this is Alex.")
        sim.route_webhook("https://hooks.test/r", lambda req: {"reply": "Yes, yesterday.", "state": req["state"]})
        caller = PersonaCaller("Kim", "learn if the order shipped", complete)
        call = sim.start_call(asst["id"], "+15551234567", caller=caller)
        sim.run()
        lines = [t["content"] for t in sim.call_details(call["id"])["transcript"]]
    assert lines == ["Hello, this is Alex.", "Is my order shipped?", "Yes, yesterday."]
    assert asked[0][1] == {"role": "user", "content": "Hello, this is Alex."}
    assert caller.ended_reason == "hangup_user" and caller.turns == 2


def test_a_bad_model_url_in_the_environment_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_URL, "localhost:11434")
    _, result = run(write(tmp_path, judges=()), "new")
    assert "$APLOYEE_SIM_MODEL_URL: String should match pattern '^https?://'" in result.failures[0].actual


def test_new_keeps_every_recording_and_all_drops_what_is_no_longer_asked(tmp_path, model, monkeypatch):
    path = write(tmp_path)
    run(path, "new")
    cassette = cassette_path(path)
    recorded = cassette.read_bytes()
    changed = path.read_text().replace("reply: Order 12345 ships tomorrow.", "reply: Order 12345 is lost.")
    path.write_text(changed)
    monkeypatch.setenv(ENV_URL, "http://127.0.0.1:9/v1")  # no model there: nothing new, nothing written
    _, result = run(path, "new")
    assert "cannot reach" in result.failures[0].actual
    assert cassette.read_bytes() == recorded
    monkeypatch.setenv(ENV_URL, model.base_url)
    run(path, "new")  # the model answers the changed dialogue: appended after the old recording
    appended = json.loads(cassette.read_text())["interactions"]
    assert len(appended) > 4 and appended[:4] == json.loads(recorded)["interactions"]
    again, _ = run(path, "all")
    assert "Order 12345 ships tomorrow." not in cassette.read_text()
    assert len(json.loads(cassette.read_text())["interactions"]) == len(again.completions.used)


def test_explore_refuses_judges_in_always(tmp_path):
    path = write(tmp_path, judges=())
    path.write_text(path.read_text() + "explore:\n  vocabulary: {phrases: [hi]}\n  always:\n    judge:\n"
                    "      - rubric: polite\n")
    with pytest.raises(ScenarioInvalid, match="`judge` rubrics are not checked by explore"):
        load_scenario(path)
