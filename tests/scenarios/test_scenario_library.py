"""Every scenario in scenarios/ (what `make demo` runs) validates and passes."""

from pathlib import Path

import pytest

from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.report import format_result, result_of
from aployee_sim.scenario.runner import run_scenario

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"
FILES = sorted(LIBRARY.glob("*.scenario.yaml"))


def test_library_has_at_least_fifteen_tutorials_with_comments():
    assert len(FILES) >= 15
    for path in FILES:
        assert path.read_text(encoding="utf-8").startswith("#"), f"{path.name} should open with a comment"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name.removesuffix(".scenario.yaml"))
def test_library_scenario_passes(path):
    result = result_of(run_scenario(load_scenario(path)))
    assert result.passed, format_result(result)
