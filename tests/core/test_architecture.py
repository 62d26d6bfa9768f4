"""The core imports nothing from fakes/ or tui/ (DESIGN: only composition modules wire fakes in)."""

import ast
import pathlib

import simulator

# Composition and test-support modules may wire fakes in and wait on the wall clock (bounded polls of a real server).
COMPOSITION = {"api", "cli", "runner", "server", "commands", "pytest_plugin", "testing", "scenario", "strategies", "speech"}
ROOT = pathlib.Path(simulator.__file__).parent


def imported_modules(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_do_not_import_fakes_or_tui():
    offenders = []
    for path in ROOT.rglob("*.py"):
        top = path.relative_to(ROOT).parts[0].removesuffix(".py")
        if top in COMPOSITION:
            continue
        bad = {name for name in imported_modules(path) if name.split(".")[0] in ("fakes", "tui")}
        if bad:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(bad)}")
    assert offenders == []


def test_only_the_clock_reads_wall_time():
    readers = []
    for path in ROOT.rglob("*.py"):
        top = path.relative_to(ROOT).parts[0].removesuffix(".py")
        if top in COMPOSITION or path.name == "clock.py":
            continue
        source = path.read_text()
        if any(token in source for token in ("time.time(", "time.monotonic(", "datetime.now(", "perf_counter(")):
            readers.append(str(path.relative_to(ROOT)))
    assert readers == []
