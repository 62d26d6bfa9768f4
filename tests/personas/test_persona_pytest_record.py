"""`pytest --aployee-record`: the cassette record mode of collected scenario files, in a child pytest
on a tmp project whose persona scenario talks to the fake model server in this process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aployee_sim.scenario.cassette import cassette_path
from aployee_sim.scenario.completions import ENV_URL, RECORD_MODES
from aployee_sim.scenario.pytest_collect import RECORD_MODES as PLUGIN_MODES
from tests.personas.fake_model import FakeModel
from tests.personas.test_personas import ORDER, write
from tests.scenarios.test_scenario_pytest import LEAN

pytestmark = pytest.mark.xdist_group("personas")


@pytest.fixture
def model():
    with FakeModel(ORDER) as fake:
        yield fake


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pytest.ini").write_text(f"[pytest]\naddopts = {LEAN}\n")
    return tmp_path, write(tmp_path)


def pytest_in(folder, model, *args: str, ci: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {ENV_URL: model.base_url}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_plugin_offers_the_runner_s_modes():
    assert PLUGIN_MODES == RECORD_MODES


def test_none_only_replays_and_a_missing_answer_fails_the_item(project, model):
    folder, path = project
    done = pytest_in(folder, model, "--aployee-record", "none")
    assert done.returncode == 1, done.stdout
    assert "not in the cassette (--record none)" in done.stdout and "Traceback" not in done.stdout
    assert model.requests == [] and not cassette_path(path).exists()


def test_the_default_records_outside_ci_and_replays_in_ci(project, model):
    folder, path = project
    done = pytest_in(folder, model)  # no $CI: new
    assert done.returncode == 0, done.stdout
    asked = len(model.requests)
    assert asked > 0 and cassette_path(path).is_file()
    recorded = cassette_path(path).read_bytes()
    done = pytest_in(folder, model, ci="true")  # $CI: none, answered from the cassette
    assert done.returncode == 0, done.stdout
    assert len(model.requests) == asked and cassette_path(path).read_bytes() == recorded
    cassette_path(path).unlink()
    done = pytest_in(folder, model, ci="true")
    assert done.returncode == 1 and "not in the cassette (--record none)" in done.stdout
    assert len(model.requests) == asked


def test_new_overrides_ci_and_all_asks_again(project, model):
    folder, path = project
    done = pytest_in(folder, model, "--aployee-record", "new", ci="true")
    assert done.returncode == 0, done.stdout
    asked = len(model.requests)
    assert asked > 0 and cassette_path(path).is_file()
    done = pytest_in(folder, model, "--aployee-record", "all", ci="true")
    assert done.returncode == 0, done.stdout
    assert len(model.requests) == 2 * asked


def test_a_bad_mode_is_a_usage_error(project, model):
    folder, _ = project
    done = pytest_in(folder, model, "--aployee-record", "sometimes")
    assert done.returncode == 4
    assert "--aployee-record: invalid choice: 'sometimes'" in done.stderr
