"""A small JSON Schema subset for `explore.state_schema`: check a schema, validate a value, draw values.

jsonschema is only a development dependency, and exploration needs both directions (validate the
call state after every turn, draw initial states with Hypothesis), so this module implements the
subset docs/explore.md lists: `type` (a name or a list), `properties`, `required`,
`additionalProperties` (a boolean or a schema), `items`, `minItems`, `maxItems`, `enum`, `const`,
`minimum`, `maximum`, `minLength`, `maxLength`, `pattern`. Annotations (`title`, `description`,
`$schema`, `default`, `examples`) are accepted and ignored; any other keyword is refused when the
scenario is loaded, so a schema never means less than it says.

Hypothesis is imported only by `strategy`, so loading a scenario never needs it.
"""

from __future__ import annotations

from typing import Any

from aployee_sim.core.phrases import Pattern, PatternError, PatternTimeout

_TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,), "integer": (int,),
                                       "number": (int, float), "boolean": (bool,), "null": (type(None),)}
_ANNOTATIONS = {"title", "description", "$schema", "default", "examples"}
_COUNTS = ("minItems", "maxItems", "minLength", "maxLength")
KEYWORDS = ("type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum",
            "maximum", "pattern", *_COUNTS)


def schema_problems(schema: Any, at: str = "state_schema") -> list[str]:
    """What in `schema` is outside the subset or malformed (empty when it is usable)."""
    if not isinstance(schema, dict):
        return [f"{at}: expected a schema (a mapping), found {type(schema).__name__}"]
    problems = [f"{at}: unsupported keyword {key!r}; supported: {', '.join(KEYWORDS)}"
                for key in schema if key not in KEYWORDS and key not in _ANNOTATIONS]
    types = schema.get("type", [])
    for name in types if isinstance(types, list) else [types]:
        if name not in _TYPES:
            problems.append(f"{at}.type: unknown type {name!r}; types: {', '.join(_TYPES)}")
    properties = schema.get("properties", {})
    if not isinstance(properties, dict):
        problems.append(f"{at}.properties: expected a mapping of schemas")
    else:
        for name, sub in properties.items():
            problems += schema_problems(sub, f"{at}.properties.{name}")
    for key in ("items", "additionalProperties"):
        sub = schema.get(key)
        if sub is not None and not isinstance(sub, bool):
            problems += schema_problems(sub, f"{at}.{key}")
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
        problems.append(f"{at}.required: expected a list of property names")
    if "enum" in schema and (not isinstance(schema["enum"], list) or not schema["enum"]):
        problems.append(f"{at}.enum: expected a non-empty list of values")
    for key in _COUNTS:
        if key in schema and (not isinstance(schema[key], int) or isinstance(schema[key], bool) or schema[key] < 0):
            problems.append(f"{at}.{key}: expected a whole number of zero or more")
    for key in ("minimum", "maximum"):
        if key in schema and (not isinstance(schema[key], int | float) or isinstance(schema[key], bool)):
            problems.append(f"{at}.{key}: expected a number")
    if "pattern" in schema:
        if not isinstance(schema["pattern"], str):
            problems.append(f"{at}.pattern: expected a regular expression (a string)")
        else:
            try:
                Pattern(schema["pattern"], ignore_case=False)
            except PatternError as exc:
                problems.append(f"{at}.pattern: {exc}")
    return problems


def _is(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    return isinstance(value, _TYPES[name])


def errors(schema: dict[str, Any], value: Any, at: str = "state") -> list[str]:
    """Why `value` does not satisfy `schema` (a schema `schema_problems` accepted); empty when it does."""
    types = schema.get("type")
    names = types if isinstance(types, list) else [types] if types else []
    if names and not any(_is(value, name) for name in names):
        return [f"{at}: expected {' or '.join(names)}, found {type(value).__name__}"]
    found: list[str] = []
    if "const" in schema and value != schema["const"]:
        found.append(f"{at}: expected {schema['const']!r}, found {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} is not one of {schema['enum']!r}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{at}: {value} is below the minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{at}: {value} is above the maximum {schema['maximum']}")
    if isinstance(value, str | list):
        low, high = ("minLength", "maxLength") if isinstance(value, str) else ("minItems", "maxItems")
        if low in schema and len(value) < schema[low]:
            found.append(f"{at}: shorter than {schema[low]}")
        if high in schema and len(value) > schema[high]:
            found.append(f"{at}: longer than {schema[high]}")
    if isinstance(value, str) and "pattern" in schema:
        try:
            if Pattern(schema["pattern"], ignore_case=False).search(value) is None:
                found.append(f"{at}: {value!r} does not match /{schema['pattern']}/")
        except PatternTimeout as exc:
            found.append(f"{at}: {exc}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += errors(schema["items"], item, f"{at}[{index}]")
    if isinstance(value, dict):
        found += _object_errors(schema, value, at)
    return found


def _object_errors(schema: dict[str, Any], value: dict[str, Any], at: str) -> list[str]:
    properties = schema.get("properties", {})
    found = [f"{at}: missing required key {name!r}" for name in schema.get("required", []) if name not in value]
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            found += errors(properties[key], item, f"{at}.{key}")
        elif extra is False:
            found.append(f"{at}: key {key!r} is not allowed (additionalProperties is false)")
        elif isinstance(extra, dict):
            found += errors(extra, item, f"{at}.{key}")
    return found


def strategy(schema: dict[str, Any]) -> Any:
    """A Hypothesis strategy of values valid under `schema`."""
    from hypothesis import strategies as st

    from aployee_sim.strategies import json_values

    def draw_for(node: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "const" in node:
            return st.just(node["const"])
        if "enum" in node:
            return st.sampled_from(node["enum"])
        types = node.get("type")
        names = types if isinstance(types, list) else [types] if types else []
        if not names:
            return json_values()
        return st.one_of([of_type(node, name) for name in names])

    def of_type(node: dict[str, Any], name: str) -> st.SearchStrategy[Any]:
        if name == "object":
            properties = node.get("properties", {})
            required = set(node.get("required", []))
            return st.fixed_dictionaries(
                {k: draw_for(v) for k, v in properties.items() if k in required},
                optional={k: draw_for(v) for k, v in properties.items() if k not in required})
        if name == "array":
            item = node.get("items")
            return st.lists(draw_for(item) if isinstance(item, dict) else json_values(),
                            min_size=node.get("minItems", 0), max_size=node.get("maxItems", 5))
        if name == "string":
            low = node.get("minLength", 0)
            high = node.get("maxLength", low + 20)
            if "pattern" in node:
                return st.from_regex(node["pattern"]).filter(lambda s: low <= len(s) <= high)
            return st.text(min_size=low, max_size=high)
        if name in ("integer", "number"):
            low, high = node.get("minimum"), node.get("maximum")
            if name == "integer":
                return st.integers(None if low is None else int(-(-low // 1)), None if high is None else int(high // 1))
            return st.floats(low, high, allow_nan=False, allow_infinity=False)
        return st.booleans() if name == "boolean" else st.none()

    return draw_for(schema).filter(lambda value: not errors(schema, value))
