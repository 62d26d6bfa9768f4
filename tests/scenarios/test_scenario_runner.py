"""The runner and the expectations: each kind of expectation passes when true and fails, with its
line and expected/actual, when false; the world (clock, seed, includes, real webhooks) is built as written."""

import json
import re
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.report import format_result, result_of
from aployee_sim.scenario.runner import run_scenario
from aployee_sim.scenario.selection import KeywordError, matches
from aployee_sim.scenario.values import format_duration, parse_duration

HOOKED = """
assistants:
  alex:
    name: Alex
    reasoning_mode: webhook
    webhook_url: https://hooks.test/r
    first_message: Hello, this is Alex about your renewal.
    end_call_phrases: [talk soon]
webhooks:
  https://hooks.test/r:
    - when: renew
      reply: Renewed. Talk soon!
      update: {outcome: renewed}
    - reply: Shall I renew it?
"""


def line_of(text, needle):
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def scenario(tmp_path, text, name="s.scenario.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_scenario(path, display=name)


def run(tmp_path, text, **kwargs):
    return result_of(run_scenario(scenario(tmp_path, text), **kwargs))


def call_block(expect, caller="[{say: Hi there.}, {say: Yes please renew.}]"):
    return HOOKED + f"""
calls:
  - assistant: alex
    to: "+15551234567"
    initial_state: {{customer: c1}}
    caller: {caller}
    expect:
{textwrap.indent(textwrap.dedent(expect).strip(), "      ")}
"""


TRUE_AND_FALSE = {
    "status": ("status: completed", "status: failed"),
    "reason": ("reason: hangup_assistant", "reason: hangup_user"),
    "final_state": ("final_state: {customer: c1, outcome: renewed}", "final_state: {customer: c1}"),
    "final_state_includes": ("final_state_includes: {outcome: renewed}", "final_state_includes: {outcome: no}"),
    "transcript.contains": ("transcript: {contains: [shall i renew]}", "transcript: {contains: [cancelled]}"),
    "transcript.excludes": ("transcript: {excludes: [cancelled]}", "transcript: {excludes: [renewed]}"),
    "transcript.matches": ("transcript: {matches: ['^user: Yes']}", "transcript: {matches: ['^assistant: Yes']}"),
    "transcript.order": ("transcript: {order: [Hello, Hi there, Renewed]}", "transcript: {order: [Renewed, Hello]}"),
    "summary": ("summary: {contains: [completed after 2 caller turns]}", "summary: {contains: [failed]}"),
    "webhooks.count": ("webhooks: {count: 2}", "webhooks: {count: 1}"),
    "webhooks.failed": ("webhooks: {failed: 0}", "webhooks: {failed: 1}"),
    "webhooks.bodies": ("webhooks: {bodies: [{utterance: Hi there., state: {customer: c1}}]}",
                        "webhooks: {bodies: [{utterance: Yes please renew.}]}"),
    "timeline.contains": ("timeline: {contains: [{type: call_ended, reason: hangup_assistant}]}",
                          "timeline: {contains: [{type: call_ended, reason: busy}]}"),
    "timeline.excludes": ("timeline: {excludes: [barge_in]}", "timeline: {excludes: [webhook_called]}"),
    "timeline.order": ("timeline: {order: [call_started, webhook_called, call_ended]}",
                       "timeline: {order: [webhook_called, call_started]}"),
    "duration": ("duration: {min: 5s, max: 1m}", "duration: {max: 2s}"),
    "reasoning": ("reasoning: {turns: 2, mode: webhook, longest: {max: 1s}}", "reasoning: {turns: 3}"),
    "hold_music": ("hold_music: {during: [ringing], absent: [reasoning]}", "hold_music: {during: [reasoning]}"),
}


@pytest.mark.parametrize("key", TRUE_AND_FALSE)
def test_each_expectation_passes_when_true_and_fails_when_false(tmp_path, key):
    good, bad = TRUE_AND_FALSE[key]
    assert run(tmp_path, call_block(good)).passed
    text = call_block(bad)
    result = run(tmp_path, text)
    assert not result.passed
    failure = result.failures[0]
    assert failure.key.startswith("expect." + key.split(".")[0])
    assert failure.line == line_of(text, "      " + bad.split(":")[0] + ":")  # the line stating it


def test_failure_report_shows_expected_actual_and_transcript(tmp_path):
    text = call_block("status: transferred").replace("[talk soon]", "[talk soon]\n    transfer_target: '+15550001111'")
    result = run(tmp_path, text)
    text = format_result(result)
    assert "expect.status" in text and "expected: transferred" in text
    assert "actual:   completed (reason: hangup_assistant)" in text
    assert "user: Yes please renew." in text
    assert text.splitlines()[1].startswith("s.scenario.yaml:")


def test_caller_expectation_that_never_comes_fails_with_its_line(tmp_path):
    text = call_block("status: completed", caller="[{expect: goodbye forever, timeout: 5s}]")
    result = run(tmp_path, text)
    line = line_of(text, "goodbye forever")
    assert [f.key for f in result.failures] == ["caller"]
    assert f"/goodbye forever/ (line {line}): not heard within 5000 ms" in result.failures[0].actual
    assert result.failures[0].line == line


DROPPING = """
assistants:
  alex:
    name: Alex
    reasoning_mode: webhook
    webhook_url: https://hooks.test/r
    first_message: Hello, this is Alex.
webhooks:
  https://hooks.test/r:
    - when: order
      reply: Which order?
      update: {intent: order_status}
    - when: "12345"
      reply: It ships tomorrow.
      state: {order_id: "12345"}
calls:
  - assistant: alex
    to: "+15551234567"
    initial_state: {customer_id: cust_7}
    caller:
      - say: I need my order.
      - expect: which order
      - say: It is 12345.
      - expect: ships on Monday
      - hangup
    expect:
      final_state_includes: {customer_id: cust_7, intent: order_status, order_id: "99"}
      transcript: {contains: [Monday]}
"""


def test_a_final_state_failure_names_the_answer_that_dropped_each_key_and_shows_the_state_turn_by_turn(tmp_path):
    result = run(tmp_path, DROPPING)
    by_key = {f.key: f for f in result.failures}
    dropped = "removed at {} by the webhook answer from https://hooks.test/r (HTTP 200) after the caller said 'It is 12345.'"
    customer, intent = by_key["expect.final_state_includes.customer_id"], by_key["expect.final_state_includes.intent"]
    assert customer.actual == intent.actual == "absent from the final state"
    assert customer.cause == intent.cause and customer.cause is not None
    assert re.fullmatch(re.escape(dropped).replace(r"\{\}", r"[\d.]+s"), customer.cause), customer.cause
    changed = by_key["expect.final_state_includes.order_id"]
    assert changed.actual == '12345' and changed.cause.startswith("set at ") and "'It is 12345.'" in changed.cause
    history = customer.context
    assert customer.context_title == "state turn by turn"
    assert history[0] == 'initial: {"customer_id": "cust_7"}' and history[-1] == 'final: {"order_id": "12345"}'
    assert [line for line in history if line.startswith("  ")] == [
        '  + intent: "order_status"', '  + order_id: "12345"', '  - customer_id: "cust_7"', '  - intent: "order_status"']
    assert "after the caller said 'I need my order.':" in history[1]
    assert result.as_dict()["failures"][1]["cause"] == customer.cause


def test_a_failed_caller_step_comes_first_and_a_repeated_context_is_printed_once(tmp_path):
    result = run(tmp_path, DROPPING)
    assert [f.key for f in result.failures][0] == "caller"
    text = format_result(result)
    assert text.count("user: It is 12345.") == 1 and text.count("- customer_id:") == 1, text
    assert text.count("    transcript: as above") == 1 and text.count("    state turn by turn: as above") == 2
    assert text.index("calls[0]: caller") < text.index("expect.final_state_includes")


def test_seed_override_changes_ids_but_not_the_outcome(tmp_path):
    loaded = scenario(tmp_path, call_block("status: completed"))
    first, second = run_scenario(loaded), run_scenario(loaded, seed=99)
    assert first.calls[0].call_id != second.calls[0].call_id
    assert result_of(first).passed and result_of(second).passed and result_of(second).seed == 99


def test_clock_start_is_local_time_in_the_time_zone(tmp_path):
    text = call_block("status: completed") + 'clock: {start: "2024-07-01T09:00:00", timezone: Europe/Paris}\n'
    outcome = run_scenario(scenario(tmp_path, text))
    assert outcome.sim.call_details(outcome.calls[0].call_id)["created_at"] == "2024-07-01T07:00:00Z"


def test_calls_at_virtual_times_and_lists_of_numbers(tmp_path):
    text = HOOKED + """
calls:
  - assistant: alex
    to: ["+15551230001", "+15551230002", "+15551230003"]
    at: 1m
    every: 30s
"""
    outcome = run_scenario(scenario(tmp_path, text))
    created = [outcome.sim.call_details(c.call_id)["created_at"] for c in outcome.calls]
    assert created == ["2024-01-15T10:31:00Z", "2024-01-15T10:31:30Z", "2024-01-15T10:32:00Z"]
    assert [c.label for c in outcome.calls] == ["calls[0] #1", "calls[0] #2", "calls[0] #3"]


def test_include_is_merged_and_the_including_file_wins(tmp_path):
    (tmp_path / "shared.yaml").write_text("assistants:\n  alex: {name: Shared Alex}\n  bea: {name: Bea}\n")
    text = """
include: shared.yaml
assistants:
  alex: {name: Local Alex}
calls:
  - {assistant: bea, to: "+15005550002", expect: {status: failed}}
  - {assistant: alex, to: "+15005550002"}
"""
    outcome = run_scenario(scenario(tmp_path, text))
    names = sorted(a["name"] for a in outcome.sim.list_assistants())
    assert names == ["Bea", "Local Alex"]


def test_timings_overrides_accept_durations(tmp_path):
    text = call_block("status: completed") + "timings: {ring_ms: [1s, 1s], dial_ms: 250}\n"
    outcome = run_scenario(scenario(tmp_path, text))
    record = outcome.sim.record(outcome.calls[0].call_id)
    assert record.started_ms == 1250


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        answer = json.dumps({"reply": "From the real webhook. Talk soon!", "state": {**body["state"], "real": True}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args):
        pass


def test_a_real_webhook_url_is_called_over_http(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        text = f"""
assistants:
  alex: {{name: Alex, reasoning_mode: webhook, webhook_url: "{url}", end_call_phrases: [talk soon]}}
calls:
  - assistant: alex
    to: "+15551234567"
    caller: [{{say: Hello.}}]
    expect: {{status: completed, final_state: {{real: true}}, transcript: {{contains: [real webhook]}}}}
"""
        assert run(tmp_path, text).passed
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_durations_parse_and_format_round_trip():
    assert parse_duration("1m30s") == 90000 and parse_duration("500ms") == 500 and parse_duration("1.5s") == 1500
    assert parse_duration("1h2m3s4ms") == 3723004
    for ms in (0, 500, 1000, 1500, 90000, 3723004):
        assert parse_duration(format_duration(ms)) == ms
    for bad in ("", "2", "2 s", "s", "1d", 5):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_keyword_expressions():
    assert matches("renewal", "Renewal walkthrough scenarios/renewal.scenario.yaml")
    assert matches("transfer and not warm", "transfer triggers")
    assert not matches("transfer and not warm", "warm vs cold transfer")
    assert matches("(busy or ivr) and not slow", "IVR menu")
    for bad in ("", "a and", "(a", "a b", "or a"):
        with pytest.raises(KeywordError):
            matches(bad, "anything")


def test_yaml_values_keep_the_type_they_look_like(tmp_path):
    from aployee_sim.scenario.yamlread import read_yaml
    path = tmp_path / "v.yaml"
    path.write_text("a: yes\nb: 09:30\nc: +15551234567\nd: true\ne: 12\nf: 2024-01-22\n1: one\ng: No\n")
    errors = []
    data, marks = read_yaml(path, "v.yaml", errors)
    assert errors == []
    assert data == {"a": "yes", "b": "09:30", "c": "+15551234567", "d": True, "e": 12, "f": "2024-01-22",
                    "1": "one", "g": "No"}
    assert (marks.key(("b",)).line, marks.value(("b",)).col) == (2, 4)


def test_anchors_and_merge_keys_work_and_explicit_keys_override(tmp_path):
    text = """
assistants:
  alex: &base {name: Alex, first_message: Hello from the shared base.}
  bea:
    <<: *base
    name: Bea
calls:
  - &call {assistant: alex, to: "+15551234567", caller: [hangup]}
  - <<: *call
    assistant: bea
"""
    outcome = run_scenario(scenario(tmp_path, text))
    names = [outcome.sim.assistants[outcome.sim.record(c.call_id).assistant_id].name for c in outcome.calls]
    assert names == ["Alex", "Bea"]
    assert outcome.sim.assistants[outcome.sim.record(outcome.calls[1].call_id).assistant_id].first_message == \
        "Hello from the shared base."
