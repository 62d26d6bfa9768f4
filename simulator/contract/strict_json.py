"""The one strict JSON policy for everything that crosses a boundary (docs/contract.md §7).

Request bodies, webhook and tool answers, scenario values, imported calls and stored rows all
come in through `loads` or are vetted by `check`; everything the simulator emits goes out through
`dumps`. The rules, in one place:

- RFC 8259 only: no `NaN`, `Infinity` or a number that overflows to infinity (`1e999`);
- nesting at most `MAX_DEPTH` levels of objects and arrays, far below what the encoder, the
  projections or a recursive reader can handle (Python's recursion limit is about 1,000), so a
  value that was accepted can always be stored, projected and sent again;
- object keys are strings.

Checks are iterative (an explicit stack), so a hostile value cannot exhaust the interpreter's stack
while it is being judged. A violation raises `StrictJsonError`, whose message names where in the
value it sits (`$.state.a[3]`) and what was wrong; each boundary turns it into its own error (a 400
envelope, a recorded webhook failure, file:line for a scenario).
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 64
"""Deepest nesting of objects and arrays accepted anywhere (the outermost value is depth 1)."""


class StrictJsonError(ValueError):
    """A value that strict JSON cannot carry, or nesting past `MAX_DEPTH`."""


def _refuse_constant(name: str) -> Any:
    raise StrictJsonError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise StrictJsonError(f"the number {text[:40]} is too large to be represented (it overflows to infinity)")
    return value


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text strictly; raises `StrictJsonError` (also for malformed text, whose message is
    the parser's)."""
    try:
        value = json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise StrictJsonError(f"nested deeper than {max_depth} levels") from None
    except StrictJsonError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise StrictJsonError(f"invalid JSON: {exc}") from None
    check(value, max_depth=max_depth)
    return value


def check(value: Any, *, max_depth: int = MAX_DEPTH, where: str = "$") -> None:
    """Raise `StrictJsonError` unless `value` is plain, finite JSON nested at most `max_depth` deep."""
    stack: list[tuple[Any, str, int]] = [(value, where, 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            if depth > max_depth:
                raise StrictJsonError(f"{path}: nested deeper than {max_depth} levels")
            for key, item in node.items():
                if not isinstance(key, str):
                    raise StrictJsonError(f"{path}: object keys must be strings, got {type(key).__name__}")
                if isinstance(item, dict | list | tuple | float) or not _is_scalar(item):
                    stack.append((item, f"{path}.{key}", depth + 1))
        elif isinstance(node, list | tuple):
            if depth > max_depth:
                raise StrictJsonError(f"{path}: nested deeper than {max_depth} levels")
            for index, item in enumerate(node):
                if isinstance(item, dict | list | tuple | float) or not _is_scalar(item):
                    stack.append((item, f"{path}[{index}]", depth + 1))
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise StrictJsonError(f"{path}: {node!r} is not JSON (RFC 8259 has no NaN or Infinity)")
        elif not _is_scalar(node):
            raise StrictJsonError(f"{path}: {type(node).__name__} is not a JSON value")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """Strict JSON text (UTF-8 characters kept); compact unless `indent` is given. Raises
    `StrictJsonError` for what `check` refuses, so nothing invalid ever leaves the simulator."""
    check(value)
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators,
                      sort_keys=sort_keys)
