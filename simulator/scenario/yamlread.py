"""Reading scenario YAML safely while keeping the position of every key and value.

PyYAML's `SafeLoader` composes the node tree (nodes carry their marks) and constructs only
plain scalars; mappings and lists are built here, so each value's path can be recorded with
its position and nothing but plain data (str, int, float, bool, None, list, dict) is ever
made. A few deliberate departures from PyYAML's YAML 1.1, all documented in docs/scenarios.md,
each to stop a value from silently changing type: mapping keys are always strings; a plain
`+15551234567` stays a string (1.1 reads the integer 15551234567, dropping the `+` of an E.164
number); `yes`/`no`/`on`/`off` stay words (only `true`/`false` are booleans, as in YAML 1.2,
so `say: yes` says "yes"); and `09:30` stays a time, not the base-60 integer 570.

`include:` pulls shared world sections (assistants, webhooks, ...) from files relative to the
including file; cycles are reported with the chain of files. Reading is bounded by the caps of
`aployee_sim.scenario.limits` (file size, values after alias expansion, nesting, includes, the
scenario's folder tree): a hostile file is one more `file:line:col` mistake, found quickly.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml

from aployee_sim.scenario.errors import Mark, Marks, Path, ScenarioError, describe, did_you_mean, path_text
from aployee_sim.scenario.limits import MAX_FILE_BYTES, MAX_INCLUDES, MAX_NESTING, MAX_VALUES, outside_message

INCLUDABLE = ("assistants", "webhooks", "carrier", "transfer_party", "timings", "numbers", "routing", "menus")
_PHONE_LIKE = re.compile(r"\+[0-9]+")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = tuple(f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null",
                                                               "timestamp"))


def _mark(file: str, node: yaml.Node) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class Budget:
    """What one scenario document may still use, all its files together."""

    values: int = MAX_VALUES
    includes: int = MAX_INCLUDES


class _LimitExceeded(Exception):
    """A cap was reached: reading this file stops at `mark` (a PyYAML mark) with `message`."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark, self.message = mark, message


_TOO_MANY_VALUES = (f"the document has more than {MAX_VALUES} values once its aliases are expanded; "
                    "is it an alias bomb?")
_TOO_DEEP = f"the document is nested more than {MAX_NESTING} levels deep (aliases included)"


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader with a nesting cap: its composer recurses once per level. (Expanding
    aliases is `_Builder`'s job, and is capped there.)"""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _LimitExceeded(self.peek_event().start_mark, _TOO_DEEP)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Builder:
    """Turns a composed node tree into plain data, recording marks and collecting errors."""

    def __init__(self, loader: yaml.SafeLoader, file: str, errors: list[ScenarioError], budget: Budget) -> None:
        self.loader = loader
        self.file = file
        self.errors = errors
        self.budget = budget
        self.marks = Marks()
        self._open: set[int] = set()
        self._explicit: dict[int, set[int]] = {}

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.budget.values -= 1
        if self.budget.values < 0:
            raise _LimitExceeded(node.start_mark, _TOO_MANY_VALUES)
        if len(path) > MAX_NESTING:
            raise _LimitExceeded(node.start_mark, _TOO_DEEP)
        self.marks.values[path] = _mark(self.file, node)
        if id(node) in self._open:
            self.errors.append(ScenarioError(_mark(self.file, node), f"{path_text(path)}: a recursive alias is not allowed"))
            return None
        if node.tag not in _PLAIN_TAGS:
            self.errors.append(ScenarioError(_mark(self.file, node), f"{path_text(path)}: the YAML tag {node.tag!r} "
                                                                     "is not allowed; write plain values"))
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, path + (index,)) for index, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)  # the third and last kind of YAML node
            return self._mapping(node, path)
        finally:
            self._open.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.style is None and _PHONE_LIKE.fullmatch(node.value):
            return node.value
        if node.tag == _TIMESTAMP_TAG:
            return node.value
        value = self.loader.construct_object(node)
        if isinstance(value, bool) and node.value.lower() not in ("true", "false"):
            return node.value
        if isinstance(value, int | float) and not isinstance(value, bool) and ":" in node.value:
            return node.value
        return value

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        # Keys written here, as opposed to pulled in by a `<<: *anchor` merge (which they override);
        # remembered per node, since flattening rewrites the node and an alias may visit it again.
        explicit = self._explicit.setdefault(id(node), {id(k) for k, _ in node.value if k.tag != _MERGE_TAG})
        self.loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[Mark, bool]] = {}
        for key_node, value_node in node.value:
            key_mark = _mark(self.file, key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(ScenarioError(key_mark, f"{path_text(path)}: a key must be a plain name, found "
                                                           f"{'a list' if isinstance(key_node, yaml.SequenceNode) else 'a mapping'}"))
                continue
            key, written = key_node.value, id(key_node) in explicit
            if key in first_seen and written and first_seen[key][1]:
                self.errors.append(ScenarioError(key_mark, f"{path_text(path)}: duplicate key {key!r} "
                                                           f"(first defined at line {first_seen[key][0].line})"))
                continue
            first_seen[key] = (key_mark, written)
            self.marks.keys[path + (key,)] = key_mark
            result[key] = self.build(value_node, path + (key,))
        return result


def _read_text(path: FsPath, start: Mark, errors: list[ScenarioError]) -> str | None:
    """The file as text, at most `MAX_FILE_BYTES` of UTF-8 (read no further than that)."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        errors.append(ScenarioError(start, f"cannot read the file: {exc.strerror or exc}"))
        return None
    if len(data) > MAX_FILE_BYTES:
        errors.append(ScenarioError(start, f"the file is larger than {MAX_FILE_BYTES} bytes (1 MiB), the limit for "
                                           "a scenario or configuration file"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(ScenarioError(start, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None


def _position(text: str, index: int, display: str) -> Mark:
    line_start = text.rfind("\n", 0, index) + 1
    return Mark(display, text.count("\n", 0, index) + 1, index - line_start + 1)


# PyYAML's words for a line indented deeper or shallower than its block allows (a block that ends
# early, a key or `-` where none fits, a `key: value` nested under a scalar).
_INDENTATION_PROBLEMS = ("expected <block end>", "did not find expected key", "did not find expected '-'",
                         "mapping values are not allowed here")


def _indentation_hint(exc: yaml.MarkedYAMLError, line: int) -> str:
    """"; check the indentation of line N" beside PyYAML's text when its words mean that, since
    "expected <block end>, but found '<block mapping start>'" does not say it to a new user."""
    problem = exc.problem or ""
    if not problem.startswith(_INDENTATION_PROBLEMS):
        return ""
    quoting = " (or quote a value that contains ': ')" if problem.startswith("mapping values") else ""
    return f"; check the indentation of line {line}{quoting}"


def read_yaml(path: FsPath, display: str, errors: list[ScenarioError],
              budget: Budget | None = None) -> tuple[Any, Marks]:
    """One YAML document as plain data plus marks; syntax errors are appended to `errors`."""
    start = Mark(display, 1, 1)
    text = _read_text(path, start, errors)
    if text is None:
        return None, Marks()
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as exc:  # the whole text is checked up front
        what = "a NUL byte; is it a text file?" if exc.character == 0 else f"the character U+{exc.character:04X}"
        errors.append(ScenarioError(_position(text, exc.position, display),
                                    f"the file contains {what} (YAML allows no control characters)"))
        return None, Marks()
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Marks({(): start})
        builder = _Builder(loader, display, errors, budget or Budget())
        return builder.build(node, ()), builder.marks
    except _LimitExceeded as exc:
        errors.append(ScenarioError(Mark(display, exc.mark.line + 1, exc.mark.column + 1), exc.message))
    except RecursionError:  # a cap above should come first; never a traceback all the same
        errors.append(ScenarioError(start, _TOO_DEEP))
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        mark = Mark(display, where.line + 1, where.column + 1) if where else start
        problem = exc.problem or "invalid YAML"
        context = exc.context_mark
        if exc.context and context is not None and where is not None and \
                (context.line, context.column) != (where.line, where.column):
            problem += f" ({exc.context} started at line {context.line + 1}, column {context.column + 1})"
        errors.append(ScenarioError(mark, f"YAML syntax error: {problem}{_indentation_hint(exc, mark.line)}"))
    except yaml.YAMLError as exc:
        errors.append(ScenarioError(start, f"YAML error: {exc}"))
    finally:
        loader.dispose()
    return None, Marks()


def read_scenario_document(path: FsPath, display: str | None = None) -> tuple[Any, Marks, list[ScenarioError]]:
    """A scenario file with its includes merged in: (data, marks, errors)."""
    path = FsPath(path)
    reading = _Reading(path.parent, [], Budget())
    data, marks = _read(path, display or str(path), (path.resolve(),), reading)
    return data, marks, reading.errors


@dataclass
class _Reading:
    """One scenario document being read: its folder tree, its mistakes so far, what it may still use."""

    root: FsPath
    errors: list[ScenarioError]
    budget: Budget


def _read(path: FsPath, display: str, chain: tuple[FsPath, ...], reading: _Reading) -> tuple[Any, Marks]:
    errors = reading.errors
    data, marks = read_yaml(path, display, errors, reading.budget)
    if not isinstance(data, dict) or "include" not in data:
        return data, marks
    includes = data.pop("include")
    items: list[tuple[Path, Any]]
    if isinstance(includes, str):
        items = [(("include",), includes)]
    elif isinstance(includes, list):
        items = [(("include", index), item) for index, item in enumerate(includes)]
    else:
        errors.append(ScenarioError(marks.value(("include",)), f"include: expected a file name or a list of file "
                                                               f"names, found {describe(includes)}"))
        return data, marks
    merged: dict[str, Any] = {}
    merged_marks = Marks()
    for where, item in items:
        if not isinstance(item, str) or not item:
            errors.append(ScenarioError(marks.value(where), f"include: expected a file name, found {describe(item)}"))
            continue
        target = (path.parent / item).resolve()
        target_display = os.path.normpath(os.path.join(os.path.dirname(display), item))
        outside = outside_message(target, reading.root)
        if outside is not None:  # not opened, so nothing of it can show up in a message
            errors.append(ScenarioError(marks.value(where), f"include: {item!r} {outside}"))
            continue
        if target in chain:
            names = " -> ".join([*(p.name for p in chain[chain.index(target):]), target.name])
            errors.append(ScenarioError(marks.value(where), f"include: cycle {names}"))
            continue
        reading.budget.includes -= 1
        if reading.budget.includes < 0:
            errors.append(ScenarioError(marks.value(where), f"include: more than {MAX_INCLUDES} included files "
                                                            "in one scenario, all levels together"))
            break
        if not target.is_file():
            looked = f" (looked for {target_display})" if target_display != item else ""
            errors.append(ScenarioError(marks.value(where), f"include: file {item!r} not found{looked}"))
            continue
        sub, sub_marks = _read(target, target_display, chain + (target,), reading)
        if sub is None:
            continue
        if not isinstance(sub, dict):
            errors.append(ScenarioError(sub_marks.value(()), f"an included file must be a mapping of sections "
                                                             f"({', '.join(INCLUDABLE)}), found {describe(sub)}"))
            continue
        _merge_include(sub, sub_marks, merged, merged_marks, errors)
    for key, value in data.items():  # the including file wins, entry by entry
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    merged_marks.update(marks)
    return merged, merged_marks


def _merge_include(sub: dict[str, Any], sub_marks: Marks, merged: dict[str, Any], merged_marks: Marks,
                   errors: list[ScenarioError]) -> None:
    for key, value in sub.items():
        if key not in INCLUDABLE:
            errors.append(ScenarioError(sub_marks.key((key,)), f"unknown key {key!r} in an included file; allowed: "
                                                               f"{', '.join(INCLUDABLE)}{did_you_mean(key, list(INCLUDABLE))}"))
            continue
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    merged_marks.update(sub_marks)
