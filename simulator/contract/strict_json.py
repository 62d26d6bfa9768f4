"""The one strict JSON policy for everything that crosses a boundary (docs/contract.md §7).

Request bodies, webhook and tool answers, scenario values, imported calls and stored rows all
come in through `loads` or are vetted by `check`; everything the simulator emits goes out through
`dumps`. The rules, in one place:

- RFC 8259 only: no `NaN`, `Infinity` or a number that overflows to infinity (`1e999`);
- nesting at most `MAX_DEPTH` levels of objects and arrays, far below what the encoder, the
  projections or a recursive reader can handle (Python's recursion limit is about 1,000), so a
  value that was accepted can always be stored, projected and sent again;
- object keys are strings, and no string holds an unpaired UTF-16 surrogate (`"\\ud800"`), which
  has no UTF-8 form and so could never be sent again.

What the simulator emits may wrap an accepted value in a few levels of its own (an exchange holds
the request holding the state; a list page holds calls holding their final state), so `dumps` and
stored rows allow `EMITTED_DEPTH` = `MAX_DEPTH` + `ENVELOPE_DEPTH`, still far below any limit.

Checks are iterative (an explicit stack), so a hostile value cannot exhaust the interpreter's stack
while it is being judged. A violation raises `StrictJsonError`, whose message names where in the
value it sits (`$.state.a[3]`) and what was wrong; each boundary turns it into its own error (a 400
envelope, a recorded webhook failure, file:line for a scenario).
"""

from __future__ import annotations

import json
import math
from typing import Any, TypeAlias

MAX_DEPTH = 64
"""Deepest nesting of objects and arrays accepted anywhere (the outermost value is depth 1)."""
MAX_STATE_DEPTH = MAX_DEPTH - 1
"""Deepest call state (`initial_state`, a webhook's `state`): it travels one level inside the
webhook request, which must itself stay within `MAX_DEPTH`."""
ENVELOPE_DEPTH = 8
"""Levels the simulator's own shapes may add around an accepted value before it goes out."""
EMITTED_DEPTH = MAX_DEPTH + ENVELOPE_DEPTH
"""Deepest nesting `dumps` (everything emitted, stored rows) allows."""

Json: TypeAlias = "None | bool | int | float | str | list[Json] | dict[str, Json]"
"""A JSON value, as a type (what vets a value at a boundary is `check`)."""
JsonObject: TypeAlias = "dict[str, Json]"


class StrictJsonError(ValueError):
    """A value that strict JSON cannot carry, or nesting past `MAX_DEPTH`. For malformed text,
    `line` and `column` (1-based) say where the parser stopped, for file:line:column messages."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class NestedTooDeep(StrictJsonError):
    """Nesting past the limit: a `StrictJsonError` that `loads` re-words from the text itself."""


def _refuse_constant(name: str) -> Any:
    raise StrictJsonError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise StrictJsonError(f"the number {text[:40]} is too large to be represented (it overflows to infinity)")
    return value


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float)


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text strictly; raises `StrictJsonError` (also for malformed text, whose message is
    the parser's). Bytes are UTF-8 (or UTF-16/32 with a detectable encoding, as RFC 8259 allows)."""
    try:
        text = data.decode(json.detect_encoding(data)) if isinstance(data, bytes | bytearray) else data
        value = _DECODER.decode(text)
        check(value, max_depth=max_depth)
    except (RecursionError, NestedTooDeep):
        # The parser meets deep text as a RecursionError at a depth that follows the recursion limit
        # (Hypothesis raises it while a test runs), and `check` walks siblings last first: the text,
        # read in order, names the same place whichever route found the nesting.
        raise NestedTooDeep(_too_deep(_first_deep_path(text, max_depth), max_depth)) from None
    except StrictJsonError:
        raise
    except UnicodeDecodeError as exc:
        raise StrictJsonError(f"invalid JSON: the text is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise StrictJsonError(f"invalid JSON: {exc}", line=exc.lineno, column=exc.colno) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise StrictJsonError(f"invalid JSON: {exc}") from None
    return value


def check(value: Any, *, max_depth: int = MAX_DEPTH, where: str = "$") -> None:
    """Raise `StrictJsonError` unless `value` is plain, finite JSON nested at most `max_depth` deep.

    Plain members (ASCII strings, integers, booleans, null, finite floats) are passed over where
    they sit; only containers and suspects go on the stack, so a stored row is checked in about
    the time it takes to parse."""
    stack: list[tuple[Any, str, int]] = [(value, where, 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            if depth > max_depth:
                raise NestedTooDeep(_too_deep(path, max_depth))
            for key, item in node.items():
                if type(key) is not str:
                    raise StrictJsonError(f"{path}: object keys must be strings, got {type(key).__name__}")
                if not key.isascii():
                    _check_text(key, f"{path} (a key)")
                if not _plain(item):
                    stack.append((item, f"{path}.{key}", depth + 1))
        elif isinstance(node, list | tuple):
            if depth > max_depth:
                raise NestedTooDeep(_too_deep(path, max_depth))
            stack.extend((item, f"{path}[{index}]", depth + 1) for index, item in enumerate(node)
                         if not _plain(item))
        elif isinstance(node, str):
            _check_text(node, path)
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise StrictJsonError(f"{path}: {node!r} is not JSON (RFC 8259 has no NaN or Infinity)")
        elif not (node is None or isinstance(node, bool | int)):
            raise StrictJsonError(f"{path}: {type(node).__name__} is not a JSON value")


def _too_deep(path: str, max_depth: int) -> str:
    shown = path if len(path) <= 80 else path[:80] + "..."
    return f"{shown}: nested deeper than {max_depth} levels"


def _first_deep_path(text: str, max_depth: int) -> str:
    """The path (as `check` writes it) to the first container, in text order, nested past
    `max_depth`. Only read after a refusal, on text the parser has accepted up to that point."""
    frames: list[list[Any]] = []  # per open container: its path, and the index or key it is at
    position, end = 0, len(text)
    while position < end:
        char = text[position]
        if char == '"':
            closing = position + 1
            while text[closing] != '"':
                closing += 2 if text[closing] == "\\" else 1
            if frames and frames[-1][1] is None:  # an object's key
                frames[-1][1] = json.loads(text[position:closing + 1])
            position = closing
        elif char in "[{":
            if frames:
                parent_path, at = frames[-1]
                path = f"{parent_path}[{at}]" if isinstance(at, int) else f"{parent_path}.{at}"
            else:
                path = "$"
            if len(frames) + 1 > max_depth:
                return path
            frames.append([path, 0 if char == "[" else None])
        elif char in "]}":
            frames.pop()
        elif char == "," and frames:
            frames[-1][1] = frames[-1][1] + 1 if isinstance(frames[-1][1], int) else None
        position += 1
    return "$"


def _plain(item: Any) -> bool:
    """A member that needs no further look (the common case, decided without a call per type)."""
    kind = type(item)
    if kind is str:
        return bool(item.isascii())
    if kind is float:
        return math.isfinite(item)
    return kind is int or kind is bool or item is None


def _check_text(text: str, path: str) -> None:
    if not _utf8(text):
        raise StrictJsonError(f"{path}: a string holds an unpaired UTF-16 surrogate, which has no UTF-8 form")


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False, max_depth: int = EMITTED_DEPTH) -> str:
    """Strict JSON text (UTF-8 characters kept); compact unless `indent` is given. Raises
    `StrictJsonError` for what `check` refuses, so nothing invalid ever leaves the simulator."""
    check(value, max_depth=max_depth)
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators,
                      sort_keys=sort_keys)


def copy(value: Any, *, checked: bool = False) -> Any:
    """A deep copy of `value` that shares nothing with it (what crossing a wire would do), refusing
    what `check` refuses (unless `checked`: it already passed the policy). Tuples become lists, as
    JSON has no tuple.

    It runs on every in-process turn (a Python webhook's answer), so checking and copying are one
    walk: `_strict_copied` stops at the first doubt, and only then does `check` walk again, to
    raise its error saying where (or, for a rare valid value such as a dict subclass, to let the
    general copy run). The walk's recursion is bounded by `MAX_DEPTH`, so a cycle or a
    100,000-level value is refused, not followed. Against `check` then a copy it is about a third
    cheaper on a turn's small answers; tests/core/test_strict_json.py holds it to `check`'s verdict
    and messages on generated values, hostile ones included."""
    if checked:
        return _copied(value)
    try:
        return _strict_copied(value, 1)
    except _Doubt:
        check(value)  # raises the error, saying where
        return _copied(value)


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def _copied(value: Any) -> Any:
    """The copy of a value that passed `check` (dict and list subclasses become plain ones)."""
    kind = type(value)
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_copied(item) for item in value]
    if kind in _IMMUTABLE:
        return value
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copied(item) for item in value]
    return value  # a str, int or float subclass: immutable too


class _Doubt(Exception):
    """`_strict_copied` met something `check` must judge (an error, or an unusual but valid value)."""


def _strict_copied(value: Any, depth: int) -> Any:
    """The copy of a value made of plain dicts, lists, tuples and valid members; `_Doubt` otherwise."""
    kind = type(value)
    if kind is dict:
        if depth > MAX_DEPTH:
            raise _Doubt
        copied: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or _utf8(key)):
                raise _Doubt
            copied[key] = item if _plain(item) else _strict_copied(item, depth + 1)
        return copied
    if kind is list or kind is tuple:
        if depth > MAX_DEPTH:
            raise _Doubt
        return [item if _plain(item) else _strict_copied(item, depth + 1) for item in value]
    if _plain(value) or (kind is str and _utf8(value)):
        return value
    raise _Doubt


def _utf8(text: str) -> bool:
    """Whether a (non-ASCII) string has a UTF-8 form: no unpaired surrogate."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
