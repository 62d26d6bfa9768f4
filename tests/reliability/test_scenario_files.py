"""Hostile scenario files: each is exit 2 with `file:line:col: message`, quickly and in bounded memory.

Real files in a temporary folder, checked by the installed `aployee-sim` in a subprocess whose
address space is capped (`RLIMIT_AS`), so an unbounded expansion fails the test instead of
swapping the machine (the alias bomb below took 5.1 GB before the caps).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from aployee_sim.scenario.limits import ALLOW_OUTSIDE_ENV, MAX_FILE_BYTES, MAX_INCLUDES

CLI = str(Path(sys.executable).parent / "aployee-sim")
MEMORY_CAP = 2 << 30
WORLD = """\
assistants:
  alex: {name: Alex, first_message: Hello}
calls:
  - assistant: alex
    to: "+15551234567"
"""
POSITIONED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def aployee_sim(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60, preexec_fn=_cap_memory,
                          env={**os.environ, **(env or {})})


def invalid(path: Path, *, command: str = "validate", env: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The positioned errors `aployee-sim validate FILE` prints (it must exit 2, no traceback)."""
    result = aployee_sim(command, str(path), env=env)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr, result.stderr
    errors = [m.groupdict() for line in result.stderr.splitlines() if (m := POSITIONED.match(line))]
    assert errors, result.stderr
    assert all(Path(e["file"]).is_relative_to(path.parent) for e in errors), errors
    return errors


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n" + WORLD


def test_alias_bomb(tmp_path):
    path = write(tmp_path, "bomb.scenario.yaml", billion_laughs())
    assert path.stat().st_size < 600
    (error,) = invalid(path)
    assert "more than 100000 values once its aliases are expanded" in error["message"]


@pytest.mark.parametrize("nested", [
    "[" * 600 + "]" * 600,
    "{a: " * 600 + "1" + "}" * 600,
    "\n" + "".join("  " * (i + 3) + f"k{i}:\n" for i in range(600)) + "  " * 603 + "leaf",
], ids=["flow-lists", "flow-mappings", "block-mappings"])
def test_nesting_far_beyond_the_cap(tmp_path, nested):
    path = write(tmp_path, "deep.scenario.yaml", WORLD + f"    initial_state: {nested}\n")
    (error,) = invalid(path)
    assert "nested more than 100 levels deep" in error["message"]
    assert int(error["line"]) >= 6


def test_aliases_cannot_nest_past_the_cap(tmp_path):
    chain = "\n".join(f"l{i}: &l{i} [*l{i - 1}]" for i in range(1, 300))
    (error,) = invalid(write(tmp_path, "chain.scenario.yaml", "l0: &l0 [1]\n" + chain + "\n" + WORLD))
    assert "nested more than 100 levels deep" in error["message"]


@pytest.mark.parametrize("character, shown", [("\0", "a NUL byte"), ("\x07", "the character U+0007")],
                         ids=["nul", "bell"])
def test_control_characters(tmp_path, character, shown):
    path = write(tmp_path, "nul.scenario.yaml", WORLD.replace("Alex,", f"Al{character}ex,"))
    (error,) = invalid(path)
    assert (error["line"], error["col"]) == ("2", "18") and shown in error["message"]


def test_a_file_over_the_size_cap(tmp_path):
    path = write(tmp_path, "big.scenario.yaml", WORLD + "# " + "x" * MAX_FILE_BYTES + "\n")
    (error,) = invalid(path)
    assert "larger than 1048576 bytes" in error["message"]


@pytest.mark.parametrize("command", ["validate", "run"])
def test_times_beyond_the_calendar_are_refused_by_validate_and_run_alike(tmp_path, command):
    path = write(tmp_path, "late.scenario.yaml", WORLD + "    at: 999999999999h\n")
    (error,) = invalid(path, command=command)
    assert error["message"] == "calls[0].at: expected a duration of at most 8784h (366 days), found 999999999999h"


def test_the_longest_allowed_wait_still_runs(tmp_path):
    path = write(tmp_path, "longest.scenario.yaml", WORLD + "    at: 8784h\n    expect: {status: completed}\n")
    result = aployee_sim("run", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_include_of_a_system_file_is_neither_read_nor_echoed(tmp_path):
    path = write(tmp_path / "suite", "escape.scenario.yaml",
                 "include: ../../../../../../../../../../etc/passwd\n" + WORLD)
    result = aployee_sim("validate", str(path))
    assert result.returncode == 2
    assert "is outside the scenario's folder" in result.stderr
    assert "root:" not in result.stderr and "/bin/" not in result.stderr
    assert invalid(path)[0]["line"] == "1"


def test_include_through_a_symbolic_link_out_of_the_tree(tmp_path):
    outside = write(tmp_path, "private/world.yaml", "assistants:\n  sam: {name: Sam}\n")
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "shared").symlink_to(outside.parent)
    path = write(suite, "link.scenario.yaml", "include: shared/world.yaml\n" + WORLD)
    (error,) = invalid(path)
    assert "include: 'shared/world.yaml' is outside the scenario's folder" in error["message"]
    # The documented way to widen it: the private tree becomes allowed.
    allowed = aployee_sim("validate", str(path), env={ALLOW_OUTSIDE_ENV: str(outside.parent)})
    assert allowed.returncode == 0, allowed.stderr


def test_includes_inside_the_tree_still_work(tmp_path):
    write(tmp_path, "shared/world.yaml", "assistants:\n  sam: {name: Sam}\n")
    path = write(tmp_path, "ok.scenario.yaml", "include: shared/world.yaml\n" + WORLD)
    assert aployee_sim("validate", str(path)).returncode == 0


def test_includes_are_counted_across_levels(tmp_path):
    # Each level includes the next one twice: without a total cap this is 2^30 file reads.
    for level in range(30):
        write(tmp_path, f"lib/l{level}.yaml", f"include: [l{level + 1}.yaml, l{level + 1}.yaml]\n"
              if level < 29 else "assistants:\n  sam: {name: Sam}\n")
    path = write(tmp_path, "many.scenario.yaml", "include: lib/l0.yaml\n" + WORLD)
    errors = invalid(path)
    assert any(f"more than {MAX_INCLUDES} included files" in e["message"] for e in errors)


def test_say_audio_outside_the_tree_is_not_opened(tmp_path):
    path = write(tmp_path / "suite", "audio.scenario.yaml",
                 WORLD + "    caller:\n      - say_audio: /dev/zero\n      - say_audio: ../../x.wav\n")
    errors = invalid(path)
    assert [e["line"] for e in errors] == ["7", "8"]
    assert all("is outside the scenario's folder" in e["message"] for e in errors), errors
