"""The scenario format's small value types: durations, E.164 numbers, DTMF keys, regexes, JSON objects.

Each is an `Annotated` type whose validator raises a message that says what was found and
what is allowed; `aployee_sim.scenario.diagnostics` prefixes it with the key's path and position.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

from aployee_sim.contract import strict_json
from aployee_sim.contract.errors import is_e164
from aployee_sim.core.phrases import Pattern, PatternError
from aployee_sim.scenario.errors import describe

_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?")
DURATION_PATTERN = r"^(\d+h)?(\d+m)?(\d+(\.\d+)?s)?(\d+ms)?$"
DURATION_HINT = "a duration like '2s', '500ms' or '1m30s'"


def parse_duration(value: Any) -> int:
    """`'1m30s'` → 90000 (milliseconds). A bare number is refused: its unit would be a guess."""
    if isinstance(value, bool) or not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(f"expected {DURATION_HINT}, found {describe(value)}: add a unit, e.g. '{value}s'")
        raise ValueError(f"expected {DURATION_HINT}, found {describe(value)}")
    match = _DURATION.fullmatch(value.strip())
    if not value.strip() or match is None:
        raise ValueError(f"expected {DURATION_HINT}, found {describe(value)}")
    hours, minutes, seconds, millis = match.groups()
    return (int(hours or 0) * 3600000 + int(minutes or 0) * 60000 + round(float(seconds or 0) * 1000)
            + int(millis or 0))


def parse_duration_or_ms(value: Any) -> int:
    """Timings keep their names (`ring_ms`), so a bare whole number there means milliseconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"expected a duration of zero or more, found {describe(value)}")
        return value
    return parse_duration(value)


def format_duration(ms: int) -> str:
    """90000 → `1m30s`, 500 → `500ms`, 0 → `0s`: the inverse of `parse_duration`."""
    if ms == 0:
        return "0s"
    hours, rest = divmod(ms, 3600000)
    minutes, rest = divmod(rest, 60000)
    seconds, millis = divmod(rest, 1000)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    if millis and seconds:
        return text + f"{seconds}.{millis:03d}".rstrip("0") + "s"
    return text + (f"{seconds}s" if seconds else "") + (f"{millis}ms" if millis else "")


def check_phone(value: Any) -> str:
    if not is_e164(value):
        raise ValueError(f"expected an E.164 phone number like '+15551234567' ('+' then 1 to 15 digits, the first "
                         f"not 0), found {describe(value)}")
    return value


def check_digits(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not re.fullmatch(r"[0-9*#]+", value):
        raise ValueError(f"expected phone keys (0-9, * and #), found {describe(value)}")
    return value


def check_regex(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a regular expression (a string), found {describe(value)}")
    try:
        Pattern(value)
    except PatternError as exc:
        raise ValueError(str(exc)) from None
    return value


def check_json(value: Any) -> Any:
    """A value that becomes call state or a webhook answer (`initial_state`, stub `state`/`update`)
    must be strict JSON (docs/contract.md §7): YAML's `.nan`/`.inf`, or nesting past
    `strict_json.MAX_STATE_DEPTH`, could never be sent to a webhook or stored."""
    try:
        strict_json.check(value, max_depth=strict_json.MAX_STATE_DEPTH)
    except strict_json.StrictJsonError as exc:
        raise ValueError(f"expected plain JSON values, found one that is not: {exc}") from None
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(check_json)]
Duration = Annotated[int, BeforeValidator(parse_duration),
                     WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN,
                                     "description": "e.g. 2s, 500ms, 1m30s"})]
DurationOrMs = Annotated[int, BeforeValidator(parse_duration_or_ms),
                         WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0},
                                                   {"type": "string", "pattern": DURATION_PATTERN}],
                                         "description": "milliseconds, or a duration like 2s"})]
PHONE_SCHEMA = {"type": "string", "pattern": r"^\+[1-9][0-9]{0,14}$", "description": "E.164, e.g. +15551234567"}
Phone = Annotated[str, BeforeValidator(check_phone), WithJsonSchema(PHONE_SCHEMA)]
Digits = Annotated[str, BeforeValidator(check_digits),
                   WithJsonSchema({"type": ["string", "integer"], "pattern": r"^[0-9*#]+$"})]
Regex = Annotated[str, BeforeValidator(check_regex), WithJsonSchema({"type": "string", "format": "regex"})]
