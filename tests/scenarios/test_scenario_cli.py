"""`aployee-sim run`, `validate` and `import`: exit codes, outputs, progress, JUnit/JSON, export, store."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from aployee_sim.cli import main

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"
CORPUS = Path(__file__).parent / "corpus"
PASSING = """# passes
name: passing one
markers: [fast]
assistants:
  a: {name: Ann, end_call_phrases: [bye], intents: [{keywords: [hello], reply: "Hi, bye"}]}
calls:
  - assistant: a
    to: "+15551234567"
    caller: [{say: Hello there.}]
    expect: {status: completed, reason: hangup_assistant}
"""
FAILING = PASSING.replace("passing one", "failing one").replace("markers: [fast]", "markers: [slow]").replace(
    "reason: hangup_assistant", "reason: hangup_user")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "pass.scenario.yaml").write_text(PASSING)
    (tmp_path / "fail.scenario.yaml").write_text(FAILING)
    (tmp_path / "notes.yaml").write_text("not: a scenario\n")  # not matched by the glob
    return tmp_path


def test_run_all_passing_exits_0_with_a_summary_table(folder, capsys):
    assert main(["run", str(folder / "pass.scenario.yaml")]) == 0
    out, err = capsys.readouterr()
    assert "passing one  passed" in out and "1 passed, 0 failed" in out
    assert "[1/1] passing one: passed" in err  # plain progress lines when stderr is not a terminal


def test_run_with_a_failure_exits_1_and_explains_it(folder, capsys):
    assert main(["run", str(folder)]) == 1
    out, _ = capsys.readouterr()
    assert "expect.reason" in out and "expected: hangup_user" in out and "actual:   hangup_assistant" in out
    assert "user: Hello there." in out
    assert "1 passed, 1 failed" in out


def test_run_filters_with_k_on_names_and_markers(folder, capsys):
    assert main(["run", str(folder), "-k", "not failing"]) == 0
    assert main(["run", str(folder), "-k", "slow"]) == 1
    assert main(["run", str(folder), "-k", "nothing-matches"]) == 2
    assert "no scenario matches -k 'nothing-matches'" in capsys.readouterr().err


def test_invalid_scenarios_exit_2_and_nothing_runs(folder, capsys):
    shutil.copy(CORPUS / "39_many_mistakes.yaml", folder / "broken.scenario.yaml")
    assert main(["run", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "broken.scenario.yaml:12:15: calls[0].expect.status: found 'sucess'" in err
    assert "1 invalid scenario file; nothing was run" in err


def test_usage_errors_exit_2_without_traceback(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing")]) == 2
    assert main(["run", str(tmp_path)]) == 2
    assert main(["run", str(tmp_path), "-k", "a and"]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err and "no scenario files (*.scenario.yaml)" in err
    assert "Traceback" not in err


def test_seed_option_overrides_the_seed(folder, tmp_path):
    out = tmp_path / "r.json"
    assert main(["run", str(folder / "pass.scenario.yaml"), "--seed", "42", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["scenarios"][0]["seed"] == 42


def test_json_and_junit_results(folder, tmp_path):
    results, junit = tmp_path / "results.json", tmp_path / "junit.xml"
    assert main(["run", str(folder), "--json", str(results), "--junit", str(junit)]) == 1
    document = json.loads(results.read_text())
    assert (document["passed"], document["failed"]) == (1, 1)
    by_name = {s["name"]: s for s in document["scenarios"]}
    assert by_name["passing one"]["passed"] is True and by_name["passing one"]["failures"] == []
    failure = by_name["failing one"]["failures"][0]
    assert failure["key"] == "expect.reason" and failure["expected"] == "hangup_user" and failure["line"] == 10
    assert by_name["failing one"]["file"].endswith("fail.scenario.yaml")
    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    failed = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert [case.get("name") for case in failed] == ["failing one"]
    assert "expected: hangup_user" in failed[0].find("failure").text


def test_validate_reports_all_files(folder, capsys):
    assert main(["validate", str(folder)]) == 0
    shutil.copy(CORPUS / "10_misspelt_status.yaml", folder / "bad.scenario.yaml")
    assert main(["validate", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert "pass.scenario.yaml: ok (1 call)" in out
    assert "(did you mean 'completed'?)" in err and "2 of 3 scenario files valid" in err


def _run_export(directory, cwd):
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    return subprocess.run([sys.executable, "-m", "aployee_sim.cli", "run", str(LIBRARY), "-k", "campaign or transfer",
                           "--export", str(directory)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_export_is_byte_identical_across_processes(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for directory in (first, second):
        done = _run_export(directory, tmp_path)
        assert done.returncode == 0, done.stderr
    files = sorted(p.relative_to(first) for p in first.rglob("*.json"))
    assert len(files) >= 10 and files == sorted(p.relative_to(second) for p in second.rglob("*.json"))
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    call = json.loads((first / files[0]).read_text())
    assert set(call) == {"call", "transcript", "timeline", "latency", "events", "webhooks"}


def test_run_into_a_store(folder, tmp_path):
    from aployee_sim.adapters.store import Store
    db = tmp_path / "calls.db"
    assert main(["run", str(folder), "--db", str(db)]) == 1
    store = Store(str(db))
    runs = {r["name"]: r for r in store.runs()}
    assert set(runs) == {"passing one", "failing one"}
    assert runs["passing one"]["passed"] and not runs["failing one"]["passed"]
    assert len(store.call_ids()) == 2


def test_import_turns_a_call_record_into_a_scenario_that_replays(tmp_path, capsys):
    from aployee_sim.commands.demo import renewal_walkthrough
    sim, call_id = renewal_walkthrough()
    record = tmp_path / "call.json"
    record.write_text(json.dumps(sim.call_details(call_id)))
    out = tmp_path / "replay.scenario.yaml"
    assert main(["import", str(record), "-o", str(out), "--webhook-url", "https://hooks.test/replay"]) == 0
    text = out.read_text()
    assert "- say: \"Oh hi, I was actually meaning to call you.\"" in text
    assert "# assistant: Happy to help." in text
    assert main(["validate", str(out)]) == 0
    # Replay against a stub standing in for the webhook: unchanged, it passes; answering differently, it fails.
    replay = text.replace("# initial_state: {}", "initial_state: {customer_id: cust_12345, campaign: renewal_outreach}")
    unchanged = """webhooks:
  https://hooks.test/replay:
    - when: renew
      reply: Great, your renewal is confirmed. I'll follow up next week. Talk soon!
      update: {outcome: renewal_confirmed, follow_up_date: "2024-01-22"}
    - reply: Happy to help. Would you like to renew for another year?
"""
    out.write_text(replay + unchanged)
    assert main(["run", str(out)]) == 0, capsys.readouterr().out
    out.write_text(replay + unchanged.replace("Great, your renewal is confirmed.", "Renewed."))
    assert main(["run", str(out)]) == 1
    assert "expect.transcript.order" in capsys.readouterr().out
    assert main(["import", str(record), "-o", str(out)]) == 2  # exists: --force needed
    assert "pass --force" in capsys.readouterr().err


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[]", "expected a call record"),
    ('{"id": "call_1", "assistant_id": "a", "status": "failed", "to": "+15551234567", "transcript": []}',
     "has no caller speech to replay"),
    ('{"id": "call_1", "assistant_id": "a", "status": "completed", "to": "5551234", "transcript": []}',
     "field 'to' is not an E.164 number"),
])
def test_import_rejects_what_it_cannot_replay(tmp_path, capsys, content, message):
    record = tmp_path / "call.json"
    record.write_text(content)
    assert main(["import", str(record)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


class _Terminal:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_is_a_live_bar_of_finished_scenarios_on_a_terminal():
    from aployee_sim.commands.run import Progress
    terminal = _Terminal()
    progress = Progress(2, terminal)
    progress.update(0, 2)
    assert terminal.text == "\r\x1b[K[--------------------] 0/2 finished, 2 running"
    progress.update(1, 1)  # the second finished first: the bar counts it at once
    assert terminal.text.endswith("\r\x1b[K[##########----------] 1/2 finished, 1 running") and "\n" not in terminal.text
    progress.update(2, 0)
    progress.finish("first", "passed")
    progress.finish("second", "passed")
    assert terminal.text.endswith("\r\x1b[K")  # the counter is cleared before the table is printed


def test_what_the_platform_refuses_in_the_world_is_invalid_input(tmp_path, capsys):
    path = tmp_path / "allow.scenario.yaml"
    path.write_text('assistants:\n  alex:\n    name: Alex\n    transfer_allowlist: ["+44*", "abc"]\n'
                    'calls:\n  - {assistant: alex, to: "+15551234567"}\n')
    assert main(["run", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "allow.scenario.yaml:4:34: assistants.alex.transfer_allowlist[1]: The transfer_allowlist.1 field" in err
    assert "1 invalid" in out and "Traceback" not in err
