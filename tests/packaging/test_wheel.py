"""The wheel, as a new user meets it: built from this checkout, installed into fresh virtual
environments outside the repository, then used from there.

Checks that the only top-level package is `aployee_sim`; that the schemas, goldens and example library
ship and load through the documented API; that the CLI runs the bundled examples; that regenerating
schemas refuses to write into site-packages; and that the README's integrator example passes with
the plugin's fixtures in a scratch project that has its own `fakes` package (the name collision
a wheel with generic top-level packages caused).

The integrator's CI, as it is: in three environments (`[test]` and `[test,mcp]` at the newest versions
the package index offers, and `[test]` with pytest and Hypothesis pinned to the lower bounds of
pyproject.toml) a plain project with `filterwarnings = error`, the `init` starter, the example
scenarios as pytest items and the plugin's fixtures all pass with `-W error`: a deprecation in
pytest, Hypothesis, pydantic, Textual, aiohttp, uvicorn or the MCP SDK that reaches a user's run
fails here first (pytest 9 deprecated `config.inicfg`, which once broke every run of such a project).

Each environment is built once per run and its tests share an `xdist_group` (`make test` runs with
`--dist loadgroup`), so the three builds spread over the workers. All are marked `wheel`: a CI
matrix runs them in one job (`-m wheel`) and leaves them out of the others (`-m "not wheel"`). Building needs `build` and
`setuptools` (the dev extra), `venv` and pip; only when those are missing is the test skipped.
Installing uses the package index with pip's cache (a few seconds per environment once cached).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [pytest.mark.wheel, pytest.mark.xdist_group("wheel")]

REPOSITORY = Path(__file__).resolve().parents[2]
# What the wheel is built from: the package's folders (links kept as links) and the project files.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "aployee_sim", "simulator", "fakes", "tui", "fixtures", "scenarios")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
VOICE = "voice_caller.scenario.yaml"  # needs the voice extra and a speech model, not in [test]
TIMEOUT = 300  # seconds for one pip or build step: a hung index must fail the test, not freeze it


# The scratch project's own test: its `fakes` package and aployee_sim's side by side.
OWN_FAKES_TEST = """\
from pathlib import Path

import fakes
from fakes.callers import polite_caller

from aployee_sim.fakes.callers import ScriptedCaller, say


def test_both_fakes_packages_are_importable(aployee_sim):
    assert polite_caller() == "Hello there" and Path(fakes.__file__).parent == Path.cwd() / "fakes"
    assistant = aployee_sim.create_assistant(name="Alex")
    call = aployee_sim.start_call(assistant["id"], "+15551234567", caller=ScriptedCaller([say("Hi")]))
    aployee_sim.run()
    assert aployee_sim.call_details(call["id"])["status"] == "completed"
"""


@dataclass
class Installed:
    wheel: Path
    venv: Path
    scratch: Path  # a folder outside the repository to run things in
    extras: tuple[str, ...]

    @property
    def python(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin") / "python"

    @property
    def script(self) -> Path:
        return self.python.with_name("aployee-sim")

    def run(self, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        return subprocess.run([str(a) for a in args], cwd=cwd or self.scratch, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT)

    def python_code(self, code: str) -> subprocess.CompletedProcess[str]:
        return self.run(self.python, "-c", code)


def _why_building_is_impossible() -> str | None:
    for module in ("build", "setuptools", "venv", "pip"):
        if importlib.util.find_spec(module) is None:
            return f"cannot build and install a wheel here: no `{module}` module (install the dev extra)"
    return None


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of this checkout, in a folder outside the repository."""
    reason = _why_building_is_impossible()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("wheel")
    assert not root.resolve().is_relative_to(REPOSITORY), "the environment must live outside the repository"
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPOSITORY / name
        if path.is_dir() and not path.is_symlink():
            shutil.copytree(path, source / name, symlinks=True, ignore=JUNK)
        else:
            shutil.copy2(path, source / name, follow_symlinks=False)
    # No build isolation: the dev extra's setuptools builds it, so this step needs no network.
    _ok(subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(root / "dist"),
                        str(source)], capture_output=True, text=True, timeout=TIMEOUT))
    return next((root / "dist").glob("aployee_sim-*.whl"))


def lower_bounds(extra: str) -> list[str]:
    """`name==X` for every `name>=X` requirement of one extra of pyproject.toml: the oldest versions
    we claim to support, read from the one place that claims it."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [f"{found[1]}=={found[2]}" for requirement in project["optional-dependencies"][extra]
            if (found := re.fullmatch(r"([A-Za-z0-9_.-]+)\s*>=\s*([\w.]+)", requirement))]
    assert pins, f"the {extra} extra has no lower bound to pin"
    return pins


def make_environment(wheel: Path, name: str, extras: str, requirements: list[str]) -> Installed:
    """A fresh virtual environment with the wheel (with `extras`) and `requirements` installed at the
    newest versions they allow (`--upgrade`, no constraints), and a scratch folder beside it."""
    venv = wheel.parents[1] / f"venv-{name}"
    # Without pip of its own (seeding pip is the slowest part of making one): this interpreter's
    # pip installs into it with `--python`.
    _ok(subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], capture_output=True, text=True,
                       timeout=TIMEOUT))
    env = Installed(wheel, venv, wheel.parents[1] / f"scratch-{name}", tuple(extras.split(",")))
    env.scratch.mkdir()
    _ok(env.run(sys.executable, "-m", "pip", "--python", env.python, "install", "-q", "--upgrade",
                "--disable-pip-version-check", "--no-compile", f"{wheel}[{extras}]", *requirements))
    return env


@pytest.fixture(scope="module")
def installed(wheel: Path) -> Installed:
    """`[test]` at the newest versions; jsonschema only for the docs' JSON Schema snippet, which the
    integrator installs themselves."""
    return make_environment(wheel, "test", "test", ["jsonschema"])


# The integrator's environments: (id, extras, pinned to the lower bounds). The newest `[test]` one is
# `installed` (above), so its tests share that worker and that environment; each other one is its own
# xdist group (xdist joins the module's group and a param's: `wheel_mcp`, `wheel_oldest`).
ENVIRONMENTS = [("newest-test", "test", False), ("newest-test-mcp", "test,mcp", False), ("oldest-test", "test", True)]


@pytest.fixture(scope="module", params=[
    pytest.param(env, id=env[0], marks=[pytest.mark.xdist_group(env[0].split("-")[-1])] if env[0] != "newest-test"
                 else []) for env in ENVIRONMENTS])
def integrator(request: pytest.FixtureRequest, wheel: Path) -> Installed:
    name, extras, pinned = request.param
    if name == "newest-test":
        return request.getfixturevalue("installed")
    return make_environment(wheel, name, extras, lower_bounds("test") if pinned else [])


def test_the_only_top_level_package_is_aployee_sim(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/RECORD"))
        top_level = archive.read(f"{info}/top_level.txt").decode().split()
        record = [line.split(",")[0] for line in archive.read(f"{info}/RECORD").decode().splitlines() if line]
    assert top_level == ["aployee_sim"]
    assert {n.split("/")[0] for n in names} == {"aployee_sim", info}
    assert {r.split("/")[0] for r in record} == {"aployee_sim", info}
    for shipped in ("aployee_sim/fakes/callers.py", "aployee_sim/tui/app.py", "aployee_sim/py.typed",
                    "aployee_sim/fixtures/scenario.schema.json", "aployee_sim/fixtures/golden/README.md",
                    "aployee_sim/examples/shared/acme.yaml", "aployee_sim/examples/clips/hello.ko.wav",
                    "aployee_sim/examples/persona_reschedule.cassette.json"):
        assert shipped in names, f"{shipped} is missing from the wheel"


def test_the_wheel_carries_the_mit_license_pyproject_names(wheel: Path) -> None:
    license_text = (REPOSITORY / "LICENSE").read_text(encoding="utf-8")
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and license_text.startswith("MIT License\n")
    with zipfile.ZipFile(wheel) as archive:
        info = next(n.split("/")[0] for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        metadata = archive.read(f"{info}/METADATA").decode()
        shipped = archive.read(f"{info}/licenses/LICENSE").decode()
    assert "License-Expression: MIT" in metadata.splitlines() and shipped == license_text


def test_schemas_goldens_and_examples_load_from_the_installed_package(installed: Installed) -> None:
    checked = _ok(installed.python_code(
        "import json, jsonschema, aployee_sim\n"
        "schemas, goldens, resources = aployee_sim.schemas, aployee_sim.goldens, aployee_sim.resources\n"
        "for name in schemas.SCHEMAS:\n"
        "    jsonschema.Draft202012Validator.check_schema(schemas.load(name))\n"
        "for name, schema in goldens.SCHEMA_OF.items():\n"
        "    jsonschema.Draft202012Validator(schemas.load(schema)).validate(goldens.load(name))\n"
        "examples = resources.examples()\n"
        "print(json.dumps({'site': str(resources.bundled()), 'goldens': goldens.names(),\n"
        "                  'examples': sorted(p.name for p in examples.glob('*.scenario.yaml')),\n"
        "                  'checkout': resources.source_root() is not None}))\n"))
    facts = json.loads(checked.stdout)
    assert "site-packages" in facts["site"] and not Path(facts["site"]).is_relative_to(REPOSITORY)
    assert facts["goldens"] == sorted(p.stem for p in (REPOSITORY / "fixtures" / "golden").glob("*.json"))
    assert facts["examples"] == sorted(p.name for p in (REPOSITORY / "scenarios").glob("*.scenario.yaml"))
    assert facts["checkout"] is False


def test_the_integrators_guide_json_schema_snippet_works(installed: Installed) -> None:
    guide = (REPOSITORY / "docs" / "integrators.md").read_text(encoding="utf-8")
    section = guide.split("## JSON Schemas and golden payloads", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    _ok(installed.python_code(snippet))


def test_the_cli_runs_the_bundled_examples(installed: Installed) -> None:
    """Without the voice extra the voice scenario cannot recognise its clips, so it is left out here
    (`-k 'not voice_caller'`); every other example must validate and pass."""
    assert "usage: aployee-sim" in _ok(installed.run(installed.python, "-m", "aployee_sim", "--help")).stdout
    files = sorted((REPOSITORY / "scenarios").glob("*.scenario.yaml"))
    validated = installed.run(installed.script, "validate", "--examples")
    valid = [line for line in validated.stdout.splitlines() if line.endswith(")") and ": ok (" in line]
    assert {Path(line.split(": ok (")[0]).name for line in valid} >= {p.name for p in files} - {VOICE}, validated
    problems = validated.stderr.splitlines()[:-1]
    assert all(f"{VOICE}:" in line and "vosk" in line for line in problems), validated.stderr
    ran = _ok(installed.run(installed.script, "run", "--examples", "-k", "not voice_caller"))
    assert f"{len(files) - 1} passed, 0 failed" in ran.stdout, ran.stdout


def test_regenerating_schemas_refuses_an_installed_package(installed: Installed) -> None:
    site = Path(_ok(installed.python_code("import aployee_sim, os; print(os.path.dirname(aployee_sim.__file__))"))
                .stdout.strip()).parent
    before = sorted(p.name for p in site.iterdir())
    for module in ("aployee_sim.schemas", "aployee_sim.scenario.schema_file"):
        refused = installed.run(installed.python, "-m", module)
        assert refused.returncode == 2, refused
        assert refused.stdout == "" and len(refused.stderr.splitlines()) == 1, refused.stderr
        assert "is an installed package, not a source checkout" in refused.stderr
    assert sorted(p.name for p in site.iterdir()) == before, "something was written into site-packages"
    checked = _ok(installed.run(installed.python, "-m", "aployee_sim.schemas", "--check"))
    assert "are up to date" in checked.stdout


def pytest_in(env: Installed, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m pytest -q -W error ARGS` in `project`, passing: the integrator's strict CI run."""
    return _ok(env.run(env.python, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", *args, cwd=project))


def assert_quiet(result: subprocess.CompletedProcess[str]) -> None:
    """No warning of any kind reached the run's summary (with `-W error` one would have failed it)."""
    assert not re.search(r"\bwarnings?\b", result.stdout, re.IGNORECASE), result.stdout
    assert "failed" not in result.stdout and "error" not in result.stdout.lower(), result.stdout


def test_a_project_with_warnings_as_errors_runs_its_own_tests(integrator: Installed) -> None:
    """The plugin loads in every pytest run of a project that installed us, simulator or not."""
    project = integrator.scratch / "plain"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.pytest.ini_options]\nfilterwarnings = ["error"]\n')
    (project / "test_plain.py").write_text("def test_x():\n    assert 1\n")
    result = _ok(integrator.run(integrator.python, "-m", "pytest", "-q", cwd=project))
    assert "1 passed" in result.stdout, result.stdout
    assert_quiet(result)


def test_the_init_starter_passes_with_warnings_as_errors(integrator: Installed) -> None:
    starter = integrator.scratch / "starter"
    _ok(integrator.run(integrator.script, "init", starter))
    ran = _ok(integrator.run(integrator.script, "run", cwd=starter))
    assert "3 passed, 0 failed" in ran.stdout, ran.stdout
    result = pytest_in(integrator, starter)
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
    assert_quiet(result)


def test_the_example_scenarios_pass_as_pytest_items_with_warnings_as_errors(integrator: Installed) -> None:
    """The bundled library collected by the plugin (with `scenario_glob` written down, so the
    unmatched-pattern check runs too); the voice scenario needs the voice extra."""
    suite = integrator.scratch / "scenarios"
    shutil.copytree(REPOSITORY / "scenarios", suite, ignore=JUNK)
    (suite / "pytest.ini").write_text("[pytest]\nscenario_glob = *.scenario.yaml\n")
    result = pytest_in(integrator, suite, "-k", "not voice_caller")
    files = sorted((REPOSITORY / "scenarios").glob("*.scenario.yaml"))
    assert f"{len(files) - 1} passed, 1 deselected" in result.stdout, result.stdout
    assert_quiet(result)


def test_the_readme_example_passes_in_a_project_with_its_own_fakes(integrator: Installed) -> None:
    """The plugin's fixtures (`aployee_sim`, `aployee_server`, and with the mcp extra
    `aployee_mcp_server`) in the README's and docs/mcp.md's integrator tests, warnings as errors."""
    project = integrator.scratch / "project"
    (project / "fakes").mkdir(parents=True)
    (project / "fakes" / "__init__.py").write_text('"""This project\'s own test helpers."""\n')
    (project / "fakes" / "callers.py").write_text("def polite_caller() -> str:\n    return 'Hello there'\n")
    tests = project / "tests" / "integrators"  # the layout the example expects: README.md two levels up
    tests.mkdir(parents=True)
    for name in ("example_client.py", "example_webhook.py", "test_integrator_example.py"):
        shutil.copy2(REPOSITORY / "tests" / "integrators" / name, tests / name)
    shutil.copy2(REPOSITORY / "README.md", project / "README.md")  # the example checks it shows this code
    (tests / "test_own_fakes.py").write_text(OWN_FAKES_TEST)
    examples = [tests / "test_integrator_example.py"]
    if "mcp" in integrator.extras:
        (project / "tests" / "mcp").mkdir()
        examples.append(project / "tests" / "mcp" / "test_mcp_integrator.py")
        shutil.copy2(REPOSITORY / "tests" / "mcp" / "test_mcp_integrator.py", examples[-1])
    result = pytest_in(integrator, project, "tests")
    assert "skipped" not in result.stdout
    expected = sum(1 for path in examples for line in path.read_text().splitlines() if line.startswith("def test_")) + 1
    assert f"{expected} passed" in result.stdout, result.stdout
    assert_quiet(result)
