"""Every bad CLI argument is one line `aployee-sim: error: …` and exit 2, before any work starts.

Runs the installed `aployee-sim` in a subprocess, as a user meets it. "Before any work" is
observable: a run's progress lines (`[1/1] …`) go to stderr, so a single error line shows that
nothing ran, and a refused `serve` leaves no store file behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "aployee-sim")
LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


def aployee_sim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def assert_usage_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("aployee-sim: error: "), lines
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def scenario() -> Path:
    """A passing scenario of the shipped library."""
    return LIBRARY / "busy.scenario.yaml"


@pytest.mark.parametrize("option", ["--json", "--junit", "--db"])
def test_run_output_that_is_a_folder_is_refused_before_running(tmp_path, scenario, option):
    assert_usage_error(aployee_sim("run", str(scenario), option, str(tmp_path)), option, "is a folder")


@pytest.mark.parametrize("target, reason", [
    ("/proc/version", "cannot write"),
    ("/nonexistent-folder/out.json", "does not exist"),
    ("", "empty"),
])
def test_run_json_to_an_unwritable_place(scenario, target, reason):
    assert_usage_error(aployee_sim("run", str(scenario), "--json", target), "--json", reason)


def test_run_export_onto_a_file(tmp_path, scenario):
    assert_usage_error(aployee_sim("run", str(scenario), "--export", str(scenario)), "--export", "not a folder")


def test_a_good_run_still_writes_its_reports(tmp_path, scenario):
    out = tmp_path / "new" / "results.json"
    out.parent.mkdir()
    result = aployee_sim("run", str(scenario), "--json", str(out), "--export", str(tmp_path / "calls"))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())["passed"] == 1
    assert any((tmp_path / "calls").iterdir())


@pytest.mark.parametrize("args, fragment", [
    (["serve", "--port", "99999"], "--port: expected a port number from 0 to 65535, got 99999"),
    (["serve", "--port", "-1"], "--port"),
    (["serve", "--port", "http"], "--port"),
    (["serve", "--seed", str(2**64)], "--seed: expected a seed"),
    (["serve", "--speed", "inf"], "--speed"),
    (["serve", "--db", "/proc/version"], "--db: cannot write"),
    (["run", "--seed", "-3"], "--seed"),
    (["demo", "--seed", "1e3"], "--seed"),
    (["tui", "--poll", "nan"], "--poll"),
    (["tui", "--record", "/"], "--record"),
    (["tui", "--db", "/nonexistent.db"], "no store file at"),
    (["tui", "--export-dir", "/proc/version"], "--export-dir"),
    (["call", "--max-seconds", "0"], "--max-seconds"),
    (["call", "--speed", "-2"], "--speed"),
    (["call", "--input-wav", "/"], "--input-wav"),
    (["serve", "--no-such-option"], "unrecognized arguments"),
    (["serve", "--clock", "fast"], "invalid choice"),
])
def test_bad_numbers_and_paths_are_one_line(args, fragment):
    assert_usage_error(aployee_sim(*args), fragment)


def test_serve_with_a_bad_port_does_not_create_its_store(tmp_path):
    db = tmp_path / "sim.db"
    assert_usage_error(aployee_sim("serve", "--db", str(db), "--port", "70000"), "--port")
    assert not db.exists()


def test_import_of_deeply_nested_json(tmp_path):
    record = tmp_path / "call.json"
    record.write_text("[" * 100_000 + "]" * 100_000)
    assert_usage_error(aployee_sim("import", str(record)), str(record), "nested deeper than")


@pytest.mark.parametrize("content, fragment", [
    ('{"id": "call_1", "duration": NaN}', "NaN"),
    ('{"id": "call_1", "duration": 1e999}', "too large"),
    ("{not json", "not valid JSON"),
])
def test_import_of_non_strict_json(tmp_path, content, fragment):
    record = tmp_path / "call.json"
    record.write_text(content)
    assert_usage_error(aployee_sim("import", str(record)), fragment)


@pytest.mark.parametrize("path, fragment", [("/", "is a folder"), ("/nonexistent.json", "no such file")])
def test_import_of_what_is_not_a_file(path, fragment):
    assert_usage_error(aployee_sim("import", path), "CALL.json", fragment)


def test_import_output_into_a_folder(tmp_path):
    record = tmp_path / "call.json"
    record.write_text("{}")
    assert_usage_error(aployee_sim("import", str(record), "-o", str(tmp_path)), "--output", "is a folder")
