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
including file; cycles are reported with the chain of files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path as FsPath
from typing import Any

import yaml

from aployee_sim.scenario.errors import Mark, Marks, Path, ScenarioError, describe, did_you_mean, path_text

INCLUDABLE = ("assistants", "webhooks", "carrier", "transfer_party", "timings", "numbers", "routing", "menus")
_PHONE_LIKE = re.compile(r"\+[0-9]+")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = tuple(f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null",
                                                               "timestamp"))


def _mark(file: str, node: yaml.Node) -> Mark:
    return Mark(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node tree into plain data, recording marks and collecting errors."""

    def __init__(self, loader: yaml.SafeLoader, file: str, errors: list[ScenarioError]) -> None:
        self.loader = loader
        self.file = file
        self.errors = errors
        self.marks = Marks()
        self._open: set[int] = set()
        self._explicit: dict[int, set[int]] = {}

    def build(self, node: yaml.Node, path: Path) -> Any:
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


def read_yaml(path: FsPath, display: str, errors: list[ScenarioError]) -> tuple[Any, Marks]:
    """One YAML document as plain data plus marks; syntax errors are appended to `errors`."""
    start = Mark(display, 1, 1)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        errors.append(ScenarioError(start, f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return None, Marks()
    except OSError as exc:
        errors.append(ScenarioError(start, f"cannot read the file: {exc.strerror or exc}"))
        return None, Marks()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Marks({(): start})
        builder = _Builder(loader, display, errors)
        return builder.build(node, ()), builder.marks
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark or exc.context_mark
        mark = Mark(display, where.line + 1, where.column + 1) if where else start
        problem = exc.problem or "invalid YAML"
        context = exc.context_mark
        if exc.context and context is not None and where is not None and \
                (context.line, context.column) != (where.line, where.column):
            problem += f" ({exc.context} started at line {context.line + 1}, column {context.column + 1})"
        errors.append(ScenarioError(mark, f"YAML syntax error: {problem}"))
    except yaml.YAMLError as exc:
        errors.append(ScenarioError(start, f"YAML error: {exc}"))
    finally:
        loader.dispose()
    return None, Marks()


def read_scenario_document(path: FsPath, display: str | None = None) -> tuple[Any, Marks, list[ScenarioError]]:
    """A scenario file with its includes merged in: (data, marks, errors)."""
    errors: list[ScenarioError] = []
    data, marks = _read(FsPath(path), display or str(path), (FsPath(path).resolve(),), errors)
    return data, marks, errors


def _read(path: FsPath, display: str, chain: tuple[FsPath, ...], errors: list[ScenarioError]) -> tuple[Any, Marks]:
    data, marks = read_yaml(path, display, errors)
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
        if target in chain:
            names = " -> ".join([*(p.name for p in chain[chain.index(target):]), target.name])
            errors.append(ScenarioError(marks.value(where), f"include: cycle {names}"))
            continue
        if not target.is_file():
            looked = f" (looked for {target_display})" if target_display != item else ""
            errors.append(ScenarioError(marks.value(where), f"include: file {item!r} not found{looked}"))
            continue
        sub, sub_marks = _read(target, target_display, chain + (target,), errors)
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
