"""`--examples` in a checkout: the bundled library is the repository's scenarios/ seen through the
package, and the CLI's mistakes about it are one clear line with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from aployee_sim import resources
from aployee_sim.cli import main

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


def test_the_bundled_library_is_the_repositorys_scenarios_folder():
    assert resources.examples().resolve() == LIBRARY
    assert (resources.examples() / "shared" / "acme.yaml").is_file()


def test_validate_examples_checks_every_file_of_the_library(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # works from anywhere, not only from the checkout
    assert main(["validate", "--examples"]) == 0
    count = len(list(LIBRARY.glob("*.scenario.yaml")))
    out, err = capsys.readouterr()
    assert out.count(": ok (") == count and f"{count} of {count} scenario files valid" in err


def test_run_examples_with_a_selection(capsys):
    assert main(["run", "--examples", "-k", "busy"]) == 0
    assert "1 passed, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["run", "--examples", "scenarios/"], "--examples runs the bundled example library; give either --examples or PATHs"),
    (["validate", "--examples", "x.scenario.yaml"], "--examples runs the bundled example library; give either --examples or PATHs"),
    (["run"], "no scenarios/ folder here: give scenario PATHs, or --examples for the bundled library"),
])
def test_mistakes_are_one_line_and_exit_2(argv, message, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"aployee-sim: error: {message}\n"
