"""Hostile regular expressions (issue 22 item 1, docs/contract.md §7): the `pattern_*` corpus through
a real `serve` process (an MCP rule created over the API) and through `aployee-sim run` (a caller's
`expect`, an MCP rule, `transcript.matches`), each in a subprocess with a timeout so no test can hang.

Before the fix: the MCP rule `(a+)+$` and a caller saying 'a'*30+'!' held the server at 97 % CPU;
every request timed out and SIGTERM was ignored. The same pattern in an `expect:` or an MCP rule made
`aployee-sim run` hang forever. Each corpus file names its pattern, the utterance it is tried on and
the outcome: `refused` when compiled (a 400 naming the field, `file:line`), `stopped` at the search
bound (an error on the call or the expectation), `no_match` (answered at once).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest
from hostile_helpers import StrictApi
from hostile_receiver import corpus, corpus_names
from serve_process import Served

from aployee_sim.core.phrases import Pattern, PatternError, PatternTimeout
from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.runner import run_scenario

PATTERNS = corpus_names("pattern_")
RUN_TIMEOUT = 120  # seconds: the run takes a few; without the bound it never ends


def attack(name: str) -> dict[str, str]:
    return json.loads(corpus(name))


def test_the_corpus_has_every_outcome():
    assert {attack(name)["outcome"] for name in PATTERNS} == {"refused", "stopped", "no_match"}


@pytest.mark.parametrize("name", PATTERNS)
def test_every_hostile_pattern_is_refused_stopped_or_answered_at_once(name):
    case = attack(name)
    if case["outcome"] == "refused":
        with pytest.raises(PatternError):
            Pattern(case["pattern"])
        return
    pattern = Pattern(case["pattern"])
    if case["outcome"] == "stopped":
        with pytest.raises(PatternTimeout, match=r"was stopped after 100 ms"):
            pattern.search(case["utterance"])
    else:
        assert pattern.search(case["utterance"]) is None


@pytest.fixture(scope="module")
def served():
    with Served(["--clock", "manual"]) as server:
        yield server
        assert server.stop() == 0  # SIGTERM ends it: the engine is not stuck in a match


@pytest.mark.parametrize("name", PATTERNS)
def test_an_mcp_rule_over_the_api_never_freezes_the_server(served, name):
    case = attack(name)
    with served.client(timeout=15) as client:
        api = StrictApi(client)
        response = api.send("POST", "/v1/assistants", json={
            "name": "Hostile", "reasoning_mode": "mcp", "first_message": "Hello.",
            "mcp_config": {"server_url": "http://127.0.0.1:9/mcp", "tools": ["lookup"],
                           "rules": [{"pattern": case["pattern"], "tool": "lookup", "reply": "found"}]}})
        if case["outcome"] == "refused":
            assert response.status_code == 400, response.text
            assert response.json()["error"]["details"]["field"] == "mcp_config.rules.0.pattern", response.text
            return
        assert response.status_code == 201, response.text
        call_id = api.connected_call(response.json()["id"])
        api.say(call_id, case["utterance"])  # before the fix: this advance never answered
        started = time.monotonic()
        api.get(f"/v1/calls/{call_id}")
        assert time.monotonic() - started < 5  # generous: the server answers while the call goes on
        failed = [e for e in api.get(f"/_sim/calls/{call_id}/events")["events"] if e["type"] == "reasoning_failed"]
        if case["outcome"] == "stopped":
            assert [e["error"] for e in failed] == [f"the pattern {case['pattern']!r} was stopped after 100 ms on "
                                                    f"this text (it backtracks catastrophically; see "
                                                    f"docs/contract.md §7)"]
        else:
            assert failed == []
        api.say(call_id, "are you still there?")  # the call goes on: the next turn is answered
        assert api.hang_up_and_settle(call_id)["status"] == "completed"


def _run(tmp_path, scenario: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "hostile.scenario.yaml"
    path.write_text(textwrap.dedent(scenario), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "aployee_sim.cli", "run", str(path)], capture_output=True,
                          text=True, timeout=RUN_TIMEOUT)


ANSWERED_WITH_AS = """\
    name: hostile expect
    assistants:
      alex: {{name: Alex, first_message: "{said}"}}
    calls:
      - assistant: alex
        to: "+15551234567"
        caller:
          - expect: "{pattern}"
            timeout: 5s
          - hangup
        expect:
          transcript:
            matches: ["{pattern}"]
"""


@pytest.mark.parametrize("name", ["pattern_nested_plus.json", "pattern_alternation.json"])
def test_a_hostile_expect_pattern_ends_the_run_with_a_clear_failure(tmp_path, name):
    case = attack(name)
    done = _run(tmp_path, ANSWERED_WITH_AS.format(said=case["utterance"], pattern=case["pattern"]))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    if case["outcome"] == "stopped":
        stopped = f"the pattern {case['pattern']!r} was stopped after 100 ms"
        assert stopped in done.stdout  # the caller's expect and transcript.matches both name it
        assert done.stdout.count(stopped) >= 2, done.stdout
    else:
        assert f"expected the assistant to say /{case['pattern']}/" in done.stdout, done.stdout


MCP_RULE = """\
    name: hostile mcp rule
    assistants:
      shop:
        name: Shop
        first_message: Hello.
        reasoning_mode: mcp
        mcp_config:
          server_url: https://mcp.example.test
          tools: [lookup]
          rules:
            - pattern: "{pattern}"
              tool: lookup
              reply: found it
    mcp_tools:
      https://mcp.example.test:
        - tool: lookup
          text: ok
    calls:
      - assistant: shop
        to: "+15551234567"
        caller:
          - say: "{said}"
          - say: anyone there?
          - hangup
        expect:
          status: completed{more}
"""


@pytest.mark.parametrize("name", ["pattern_nested_plus.json", "pattern_alternation.json"])
def test_a_hostile_mcp_rule_in_a_scenario_never_hangs_the_run(tmp_path, name):
    case = attack(name)
    more = "\n          timeline: {excludes: [reasoning_failed]}" if case["outcome"] == "stopped" else ""
    done = _run(tmp_path, MCP_RULE.format(said=case["utterance"], pattern=case["pattern"], more=more))
    assert "Traceback" not in done.stderr
    if case["outcome"] == "stopped":
        assert done.returncode == 1, done.stdout + done.stderr
        assert "timeline.excludes" in done.stdout and "was stopped after 100 ms" in done.stdout, done.stdout
    else:
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("name", [n for n in PATTERNS if attack(n)["outcome"] == "refused"])
def test_a_refused_pattern_in_a_scenario_is_a_file_line_error(tmp_path, name):
    case = attack(name)
    done = _run(tmp_path, ANSWERED_WITH_AS.format(said="hello", pattern=case["pattern"]))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "hostile.scenario.yaml:8:" in done.stderr and "Traceback" not in done.stderr, done.stderr



STUB_AND_INTENT = """\
    name: hostile stub and intent patterns
    assistants:
      hook:
        name: Hook
        first_message: Hello.
        reasoning_mode: webhook
        webhook_url: https://hooks.example.test/r
      brain:
        name: Brain
        first_message: Hello.
        intents:
          - pattern: "{pattern}"
            reply: matched
    webhooks:
      https://hooks.example.test/r:
        - pattern: "{pattern}"
          reply: matched
    calls:
      - assistant: {who}
        to: "+15551234567"
        caller:
          - say: "{said}"
          - say: anyone there?
          - hangup
"""


@pytest.mark.parametrize("who", ["hook", "brain"])
def test_a_hostile_stub_or_intent_pattern_is_stopped_and_named_on_the_call(tmp_path, who):
    # A webhook stub stands in for the webhook: its stopped pattern is that answer's error. The
    # built-in brain's intent is the call's own reasoning: `reasoning_failed`. Either way the call goes on.
    case = attack("pattern_overlap.json")
    assert case["outcome"] == "stopped"
    path = tmp_path / "hostile.scenario.yaml"
    path.write_text(textwrap.dedent(STUB_AND_INTENT.format(said=case["utterance"], pattern=case["pattern"], who=who)))
    run = run_scenario(load_scenario(path))
    call_id = run.calls[0].call_id or ""
    errors = [getattr(e, "error", None) for e in run.sim.events(call_id) if e.type in ("webhook_called", "reasoning_failed")]
    assert f"the pattern {case['pattern']!r} was stopped after 100 ms" in (errors[0] or ""), errors
    assert run.sim.call_details(call_id)["status"] == "completed"
