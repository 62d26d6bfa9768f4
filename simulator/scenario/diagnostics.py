"""Pydantic validation errors rewritten as scenario errors: position, key, what was found, what is allowed.

Allowed keys come from the format's JSON Schema (walked along the error's path), so an
unknown-key message lists exactly the keys valid at that place and suggests the closest one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from aployee_sim.scenario.errors import Marks, Path, ScenarioError, describe, did_you_mean, path_text

_EXPECTED_KIND = {
    "string_type": "a string", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "float_type": "a number", "float_parsing": "a number",
    "bool_type": "true or false", "bool_parsing": "true or false", "dict_type": "a mapping",
    "model_type": "a mapping", "model_attributes_type": "a mapping", "list_type": "a list", "tuple_type": "a list",
}
_INTERNAL_LOC = re.compile(r"^(function-|union\[|tagged-union\[|lax-or-strict|json-or-python)")


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    from aployee_sim.scenario.schema import Scenario
    return Scenario.model_json_schema()


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    defs = _schema().get("$defs", {})
    for _ in range(10):
        if "$ref" in node:
            node = defs[node["$ref"].rsplit("/", 1)[-1]]
        elif "anyOf" in node:
            branches = [b for b in node["anyOf"] if b.get("type") != "null"]
            node = branches[0] if branches else {}
        else:
            break
    return node


def allowed_keys(path: Path) -> list[str]:
    """The keys the format allows in the mapping at `path` (empty when it has no fixed keys)."""
    node = _resolve(_schema())
    for part in path:
        if isinstance(part, int):
            node = _resolve(node.get("items", {}))
        elif part in node.get("properties", {}):
            node = _resolve(node["properties"][part])
        elif isinstance(node.get("additionalProperties"), dict):
            node = _resolve(node["additionalProperties"])
        else:
            return []
    return list(node.get("properties", {}))


def translate(exc: ValidationError, marks: Marks) -> list[ScenarioError]:
    return [_one(error, marks) for error in exc.errors(include_url=False)]


def _one(error: ErrorDetails, marks: Marks) -> ScenarioError:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and _INTERNAL_LOC.match(p)))
    kind, found = error["type"], error.get("input")
    if loc and loc[-1] == "[key]":
        path = loc[:-1]
        return ScenarioError(marks.key(path), f"{path_text(path[:-1])}: key {_message(error)}")
    if kind not in ("extra_forbidden", "missing"):
        loc = marks.existing(loc)
    where = path_text(loc)
    if kind == "extra_forbidden":
        parent, key = loc[:-1], loc[-1]
        allowed = allowed_keys(parent)
        place = f"{path_text(parent)}: unknown key" if parent else "unknown top-level key"
        return ScenarioError(marks.key(loc), f"{place} {key!r}; allowed: {', '.join(allowed)}"
                                             f"{did_you_mean(key, allowed)}")
    if kind == "missing":
        parent = loc[:-1]
        place = f"{path_text(parent)}: missing required key" if parent else "missing required top-level key"
        return ScenarioError(marks.value(parent), f"{place} {loc[-1]!r}")
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", error.get("ctx", {}).get("expected", ""))
        return ScenarioError(marks.value(loc), f"{where}: found {describe(found)}; allowed: {', '.join(allowed)}"
                                               f"{did_you_mean(found, allowed)}")
    if not loc and kind in ("model_type", "dict_type"):
        return ScenarioError(marks.value(loc), "a scenario must be a mapping of sections (assistants, calls, "
                                               f"expect, ...), found {describe(found)}")
    return ScenarioError(marks.value(loc), f"{where}: {_message(error)}")


def _message(error: ErrorDetails) -> str:
    kind, found = error["type"], error.get("input")
    if kind in _EXPECTED_KIND:
        return f"expected {_EXPECTED_KIND[kind]}, found {describe(found)}"
    if kind in ("value_error", "assertion_error"):
        return str(error["ctx"]["error"])
    if kind in ("too_short", "too_long"):
        minimum = error.get("ctx", {}).get("min_length")
        if kind == "too_short" and minimum is not None:
            return f"needs at least {minimum} item{'s' if minimum != 1 else ''}, found none"
    message = error["msg"].replace("Input should be", "must be").replace("List should have", "must have")
    return f"{message}, found {describe(found)}"
