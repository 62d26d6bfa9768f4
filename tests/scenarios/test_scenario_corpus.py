"""Every broken scenario in corpus/ must produce exactly the messages in its `.expected` sidecar."""

from pathlib import Path

import pytest

from aployee_sim.scenario.errors import ScenarioInvalid
from aployee_sim.scenario.loader import load_scenario

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(CORPUS.glob("*.yaml"))


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert all((CORPUS / f"{case.stem}.expected").is_file() for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_broken_scenario_reports_exact_messages(case):
    with pytest.raises(ScenarioInvalid) as info:
        load_scenario(case, display=case.name)
    expected = (CORPUS / f"{case.stem}.expected").read_text(encoding="utf-8")
    assert str(info.value) + "\n" == expected


def test_every_error_has_a_position_inside_the_file():
    for case in CASES:
        with pytest.raises(ScenarioInvalid) as info:
            load_scenario(case, display=case.name)
        for error in info.value.errors:
            assert error.mark.line >= 1 and error.mark.col >= 1, (case.name, error)
