"""`aployee-sim explore` as a user runs it: a subprocess, its exit codes, its output, the file it writes."""

from __future__ import annotations

import subprocess
import sys

from test_explore_inprocess import BOT, STUBS


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "aployee_sim.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_exit_0_when_nothing_breaks_1_with_a_written_failure_2_for_bad_input(tmp_path):
    (tmp_path / "bot.scenario.yaml").write_text(BOT)
    (tmp_path / "stubs.scenario.yaml").write_text(STUBS)
    ok = _cli("explore", "bot.scenario.yaml", "--examples", "20", "--no-db", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "passed" in ok.stdout and "coverage (20 calls)" in ok.stdout
    assert "examples/s" in ok.stderr

    # Unseeded (a seeded run never touches the database): 50 examples missed the one failing phrase
    # about once in a dozen runs; found and shrunk, it took 74-93 calls in 12 runs: 300 leave no room for chance.
    hunt = ("explore", "stubs.scenario.yaml", "--examples", "300", "--out", "found", "--db", "db")
    found = _cli(*hunt, cwd=tmp_path)
    assert found.returncode == 1, found.stderr
    written = tmp_path / "found" / "stubs.explore.scenario.yaml"
    text = written.read_text()
    again = _cli(*hunt, cwd=tmp_path)
    assert again.returncode == 1 and written.read_text() == text
    calls = [int(out.stdout.split(": ")[1].split()[0]) for out in (found, again)]
    assert calls[1] < calls[0]                               # the database replayed the failure first
    assert "written to found/stubs.explore.scenario.yaml" in found.stdout
    assert "state_valid" in found.stdout and (tmp_path / "db").is_dir()
    replay = _cli("run", str(written), cwd=tmp_path)
    assert replay.returncode == 1 and "state_valid" in replay.stdout

    for args in (["explore", "missing.yaml"], ["explore", "bot.scenario.yaml", "--examples", "0"]):
        bad = _cli(*args, cwd=tmp_path)
        assert bad.returncode == 2
        assert bad.stdout == "" and "Traceback" not in bad.stderr


def test_an_invalid_explore_section_is_reported_at_its_line_by_validate_and_explore(tmp_path):
    text = BOT.replace("  vocabulary: {phrases: [refund please, my balance, hi]}\n",
                       "  vocabulary: {templates: ['refund {order}'], digit: '1'}\n")
    (tmp_path / "bad.scenario.yaml").write_text(text)
    for command in ("validate", "explore"):
        bad = _cli(command, "bad.scenario.yaml", cwd=tmp_path)
        assert bad.returncode == 2
        assert "bad.scenario.yaml:14:" in bad.stderr and "unknown key 'digit'" in bad.stderr
        assert "Traceback" not in bad.stderr
    no_section = tmp_path / "plain.scenario.yaml"
    no_section.write_text(BOT.split("explore:")[0])
    bad = _cli("explore", "plain.scenario.yaml", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "no `explore:` section" in bad.stderr


def test_no_warning_reaches_the_user_even_as_errors(tmp_path):
    """The CLI's GC policy froze the module holding Hypothesis's own Random, so Hypothesis warned
    that it might be collected; under -W error no example ran at all."""
    (tmp_path / "stubs.scenario.yaml").write_text(STUBS)
    for flags in ([], ["-W", "error"]):
        done = subprocess.run([sys.executable, *flags, "-m", "aployee_sim.cli", "explore", "stubs.scenario.yaml",
                               "--examples", "30", "--seed", "1", "--no-db", "--out", "found"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert done.returncode == 1 and "Warning" not in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and "state_valid broke" in done.stdout, done.stdout + done.stderr


def test_a_persona_template_is_refused_in_one_line_at_its_line(tmp_path):
    """Explore generates its callers; a persona on the template would be silently replaced otherwise.
    The same file still runs under `aployee-sim run` (validate accepts it)."""
    for caller, line in (("    caller: {persona: Dana, goal: get a refund}\n", 13),
                         ("    caller:\n      - say: hi\n      - persona: Dana\n        goal: get a refund\n", 15)):
        (tmp_path / "persona.scenario.yaml").write_text(BOT.replace("explore:", caller + "explore:"))
        bad = _cli("explore", "persona.scenario.yaml", cwd=tmp_path)
        assert bad.returncode == 2 and bad.stdout == "", bad.stdout
        assert bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr
        assert bad.stderr.startswith(f"persona.scenario.yaml:{line}:")  # the persona step
        assert "explore cannot use a persona caller as its template" in bad.stderr
        assert _cli("validate", "persona.scenario.yaml", cwd=tmp_path).returncode == 0
