"""The five layers of docs/architecture.md, checked on the source: each module imports only its own
layer and those below it, core and platform stay free of I/O libraries, the package has no import
cycle, only the clock reads wall time, and nothing imports the repository's folder names."""

from __future__ import annotations

import ast
import pathlib
import sys

import aployee_sim

ROOT = pathlib.Path(aployee_sim.__file__).parent
LAYERS = {"contract": 1, "core": 2, "platform": 3, "adapters": 4}
FRONT_ENDS = 5  # every other module of the package: api, cli, server, scenario, fakes, tui, ...
IO_LIBRARIES = {"httpx", "starlette", "uvicorn", "sqlite3", "yaml", "socket", "subprocess", "asyncio", "mcp"}
# Front ends that may wait on the wall clock: bounded polls of a real server, progress, the TUI.
WALL_CLOCK_ALLOWED = {"core.clock"}


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["aployee_sim", *parts])


def package_modules() -> dict[str, pathlib.Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], FRONT_ENDS) if len(parts) > 1 else FRONT_ENDS


def imports(path: pathlib.Path, module: str) -> set[str]:
    """Absolute names of what `path` imports at module level or inside functions (TYPE_CHECKING
    imports count too: a type from a higher layer is a dependency on it)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


MODULES = package_modules()


def first_party(name: str) -> str | None:
    """The package module `name` refers to (a `from x import y` of a name that is not a module
    refers to x)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def test_every_module_imports_only_its_layer_and_below():
    offenders = []
    for module, path in MODULES.items():
        for name in imports(path, module):
            target = first_party(name) if name.startswith("aployee_sim") else None
            if target and target != module and layer_of(target) > layer_of(module):
                offenders.append(f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})")
    assert sorted(set(offenders)) == []


def test_core_and_platform_do_no_io():
    offenders = []
    for module, path in MODULES.items():
        if layer_of(module) not in (2, 3):
            continue
        for name in imports(path, module):
            top = name.split(".")[0]
            if top in IO_LIBRARIES or name.startswith(("aployee_sim.fakes", "aployee_sim.tui")):
                offenders.append(f"{module} imports {name}")
    assert sorted(set(offenders)) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return cycles


def test_no_import_cycles():
    # Importing a package runs its __init__, and a submodule import names its package first; a
    # package importing its own submodule (re-exports) is not a cycle.
    graph = {module: {target for name in imports(path, module) if name.startswith("aployee_sim")
                      if (target := first_party(name)) and target != module and not target.startswith(module + ".")}
             for module, path in MODULES.items()}
    assert _cycles(graph) == []


def test_a_higher_layer_import_is_reported(tmp_path):
    """The checker itself: a core module importing the server is caught."""
    path = tmp_path / "fake.py"
    path.write_text("from aployee_sim.server import app\n")
    names = imports(path, "aployee_sim.core.fake")
    assert any(layer_of(first_party(name) or "aployee_sim") > 2 for name in names if name.startswith("aployee_sim."))


def test_only_the_clock_reads_wall_time():
    readers = []
    for module, path in MODULES.items():
        if layer_of(module) == FRONT_ENDS or layer_of(module) == 4 or module.removeprefix("aployee_sim.") in WALL_CLOCK_ALLOWED:
            continue
        source = path.read_text(encoding="utf-8")
        if any(token in source for token in ("time.time(", "time.monotonic(", "datetime.now(", "perf_counter(")):
            readers.append(module)
    assert readers == []


def test_nothing_imports_the_repository_folder_names():
    """`simulator`, `fakes` and `tui` are folders of the repository, not importable names: the
    installed package is `aployee_sim` only."""
    offenders = []
    repo = ROOT.parent
    for path in [*sorted(repo.joinpath("tests").rglob("*.py")), *sorted(repo.joinpath("bench").rglob("*.py")),
                 *MODULES.values()]:
        for name in imports(path, "tests.x"):
            if name.split(".")[0] in ("simulator", "fakes", "tui"):
                offenders.append(f"{path.relative_to(repo)}: {name}")
    assert offenders == []
    assert "simulator" not in sys.modules


# The only modules that change process-wide interpreter settings (docs/architecture.md, "Rules"):
# the GC policy itself and what the CLI applies to the process it owns.
PROCESS_SETTINGS_ALLOWED = {"core.gc_policy", "process_policy"}


def package_of(module: str) -> str | None:
    """`aployee_sim.scenario.runner` -> `aployee_sim.scenario`; None for a top-level module."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or MODULES[module].name == "__init__.py" else None


def test_no_cycles_between_packages():
    """A subpackage may depend on another, never both ways (scenario <-> explore was one: the
    scenario format now holds what it needs of exploration): the module graph can be acyclic while
    two packages still lean on each other."""
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        if (package := package_of(module)) is None:
            continue
        edges = graph.setdefault(package, set())
        for name in imports(path, module):
            target = first_party(name) if name.startswith("aployee_sim") else None
            other = package_of(target) if target else None
            if other is not None and other != package:
                edges.add(other)
    assert _cycles(graph) == []


def test_only_the_process_owner_changes_process_wide_settings():
    """`gc.*` calls and `sys.set*` calls (switch interval, recursion limit, ...) change the host's
    process: a library call never makes them (issue 20 item 8)."""
    offenders = []
    for module, path in MODULES.items():
        if module.removeprefix("aployee_sim.") in PROCESS_SETTINGS_ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                    node.value.id == "gc" or (node.value.id == "sys" and node.attr.startswith("set"))):
                offenders.append(f"{module}: {node.value.id}.{node.attr}")
    assert offenders == []


def test_routes_reach_the_platform_only_through_read_and_change():
    """One way for a route (docs/architecture.md, "A route"): `driver.read(fn)` and `await
    driver.change(fn)`; the lock, `kick`, `submit` and `act` are the driver's own business."""
    offenders = []
    for module in ("aployee_sim.server.routes_v1", "aployee_sim.server.routes_sim"):
        for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in ("lock", "kick", "submit", "act", "unlocked")
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "driver"):
                offenders.append(f"{module}: driver.{node.attr}")
    assert offenders == []


# Modules whose every signature is typed without `Any`: the event types (and what reads them back).
TYPED_MODULES = ("aployee_sim.contract.events",)


def untyped_annotations(source: str) -> list[str]:
    """`line: annotation` for every annotation (field, parameter, return, alias) that names `Any`."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.AnnAssign):
            annotations = [node.annotation, node.value if "TypeAlias" in ast.unparse(node.annotation) else None]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            annotations = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg,
                                                    args.kwarg] if a is not None] + [node.returns]
        for annotation in annotations:
            if annotation is None:
                continue
            text = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation)
            if isinstance(text, str) and any(word in ("Any", "typing.Any") for word in
                                             text.replace("[", " ").replace("]", " ").replace(",", " ").split()):
                found.append((annotation.lineno, f"{annotation.lineno}: {text}"))
    return [shown for _, shown in sorted(found)]


def test_event_signatures_name_no_any():
    """Events are typed end to end: no field, constructor or reader of them is `dict[str, Any]`
    (or any other `Any`), so strict mypy checks every use of an event's fields."""
    offenders = {module: untyped_annotations(MODULES[module].read_text(encoding="utf-8")) for module in TYPED_MODULES}
    assert offenders == {module: [] for module in TYPED_MODULES}
    from aployee_sim.contract import events as ev
    fields = {f"{cls.__name__}.{name}": text for cls in ev.BY_TYPE.values()
              for klass in cls.__mro__ for name, text in vars(klass).get("__annotations__", {}).items()}
    assert fields and not [name for name, text in fields.items() if "Any" in str(text)]


def test_an_any_in_a_signature_is_reported():
    """The checker itself: each place an `Any` can hide in a signature is caught."""
    source = ("from typing import Any, TypeAlias\n"
              "class E:\n    data: dict[str, Any]\n"
              "def f(x: int, *rest: Any) -> None: ...\n"
              "def g(x: 'list[Any]') -> int: ...\n"
              "def h() -> typing.Any: ...\n"
              "Alias: TypeAlias = 'dict[str, Any]'\n"
              "def ok(x: Anything, y: dict[str, int]) -> None: ...\n")
    assert [line.split(":")[0] for line in untyped_annotations(source)] == ["3", "4", "5", "6", "7"]
