"""Voice costs only the scenarios that use it: no model is loaded for a run that deselects the voice
scenario, and without the voice extra voice scenarios are skipped with the reason while the rest run.
Each check is a real CLI run in a child interpreter (the second one hides vosk, as on a machine
without the extra)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
{hide}
from aployee_sim.cli import main
code = main({argv!r})
print("VOSK-LOADED" if getattr(sys.modules.get("vosk"), "Model", None) else "VOSK-NOT-LOADED")
from aployee_sim.scenario import audio
print("MODELS", len(audio._RECOGNIZERS))
sys.exit(code)
"""


def cli(argv: list[str], *, hide_vosk: bool = False) -> subprocess.CompletedProcess[str]:
    code = PROBE.format(hide="sys.modules['vosk'] = None" if hide_vosk else "", argv=argv)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_deselecting_the_voice_scenario_loads_no_model():
    done = cli(["run", "scenarios/", "-k", "not voice"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MODELS 0" in done.stdout and "VOSK-NOT-LOADED" in done.stdout
    validated = cli(["validate", "scenarios/"])
    assert validated.returncode == 0 and "MODELS 0" in validated.stdout


def test_the_voice_scenario_loads_its_model_when_it_runs():
    done = cli(["run", "scenarios/voice_caller.scenario.yaml"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MODELS 1" in done.stdout


def test_without_the_voice_extra_voice_scenarios_are_skipped_and_the_rest_run(tmp_path):
    junit = tmp_path / "results.xml"
    done = cli(["run", "scenarios/", "--junit", str(junit)], hide_vosk=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("scenarios/voice_caller.scenario.yaml: skipped: it has say_audio lines and the voice extra is not "
            "installed (install the voice extra: pip install 'aployee-sim[voice]')") in done.stderr
    library = len(list((ROOT / "scenarios").glob("*.scenario.yaml")))
    assert f"{library - 1} passed, 0 failed, 1 skipped" in done.stdout
    assert re.search(r"^voice caller +skipped +- +0$", done.stdout, re.M), done.stdout
    assert 'skipped="1"' in junit.read_text()
