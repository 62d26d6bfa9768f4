"""Routing rules for inbound numbers: destinations, time windows and IVR menus (docs/contract.md §5 decision).

Production configures these in its dashboard and documents only that they exist ("time-based,
IVR menu"); the simulator's shape is its own decision, kept in this one module:

- a **destination** is exactly one of `assistant` (an id or a name), `menu` (a menu name) or
  `forward` (an E.164 number);
- a **rule set** has an IANA `timezone`, ordered `rules` and an optional `default`; a rule is a
  destination plus an optional window (`days`, `from`, `to` in local time). The first rule whose
  window contains the call's arrival instant wins, else the default, else the number's assistant;
- a **menu** has a `prompt`, `options` (a `digit` and/or `words`, each a destination), a number of
  `attempts`, a `timeout_seconds` and an optional `on_failure` destination (else the platform says
  goodbye and hangs up).

Windows are evaluated on local wall time (zoneinfo), so a DST change moves them with the clock on
the wall, as a business's opening hours do. Everything here is pure: no clock, no engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aployee_sim.contract.errors import is_e164
from aployee_sim.core.phrases import any_phrase_in

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DIGIT_KEYS = "0123456789*#"
# Saying a key's name picks it too ("press or say one").
SPOKEN_KEYS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
               "six": "6", "seven": "7", "eight": "8", "nine": "9", "star": "*", "pound": "#", "hash": "#"}
MINUTES_PER_DAY = 24 * 60


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Destination(ConfigModel):
    """Where a call goes: exactly one of an assistant, a menu, or a forward number."""

    assistant: str | None = None
    menu: str | None = None
    forward: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Destination:
        chosen = [name for name in ("assistant", "menu", "forward") if getattr(self, name) is not None]
        if len(chosen) != 1:
            found = ", ".join(chosen) if chosen else "none"
            raise ValueError(f"give exactly one destination: assistant, menu or forward (found {found})")
        if self.forward is not None and not is_e164(self.forward):
            raise ValueError(f"forward must be an E.164 number like +15551234567, got {self.forward!r}")
        for name in ("assistant", "menu"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise ValueError(f"{name} must not be empty")
        return self

    @property
    def kind(self) -> str:
        return "assistant" if self.assistant is not None else "menu" if self.menu is not None else "forward"

    @property
    def value(self) -> str:
        return self.assistant or self.menu or self.forward or ""

    def target(self) -> Destination:
        """Just the destination (a rule or an option also carries its window or keys)."""
        return Destination(**{self.kind: self.value})


def _parse_days(value: Any) -> Any:
    """`[mon, tue]`, `"mon-fri"`, `"sat,sun"` or `"daily"` -> a list of weekday names."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if text in ("daily", "every day", "all"):
        return list(WEEKDAYS)
    days: list[str] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("-")
        if last and first in WEEKDAYS and last.strip() in WEEKDAYS:
            i, j = WEEKDAYS.index(first.strip()), WEEKDAYS.index(last.strip())
            days.extend(WEEKDAYS[(i + k) % 7] for k in range((j - i) % 7 + 1))
        else:
            days.append(part)
    return days


def _parse_minutes(value: Any) -> Any:
    """`"09:30"` -> 570. An int is minutes since midnight: YAML reads an unquoted `17:00` as 1020."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if match and int(match[1]) <= 24 and int(match[2]) < 60:
            minutes = int(match[1]) * 60 + int(match[2])
            if minutes <= MINUTES_PER_DAY:
                return minutes
    raise ValueError(f"expected a local time like \"09:00\" or \"17:30\", got {value!r}")


class Rule(Destination):
    """A destination used when the arrival instant falls in the window (no window: always).

    `from`/`to` are local times; `to` is exclusive; `to` earlier than `from` is an overnight window
    that starts on the listed day and ends the next morning; both omitted means the whole day.
    """

    days: list[str] = Field(default_factory=lambda: list(WEEKDAYS))
    from_: int | None = Field(default=None, alias="from")
    to: int | None = None

    _days = field_validator("days", mode="before")(_parse_days)
    _times = field_validator("from_", "to", mode="before")(_parse_minutes)

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: list[str]) -> list[str]:
        for day in days:
            if day not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)} or a range like mon-fri")
        if not days:
            raise ValueError("days must name at least one weekday")
        return days

    @model_validator(mode="after")
    def _window(self) -> Rule:
        if (self.from_ is None) != (self.to is None):
            raise ValueError("give both from and to (or neither, for the whole day)")
        if (self.from_ is not None and self.to is not None
                and not (0 <= self.from_ < MINUTES_PER_DAY and 0 < self.to <= MINUTES_PER_DAY)):
            raise ValueError("from must be 00:00-23:59 and to 00:01-24:00")
        if self.from_ is not None and self.from_ == self.to:
            raise ValueError("from and to are equal; omit both for the whole day")
        return self

    def contains(self, local: datetime) -> bool:
        """Is this local wall time inside the window?"""
        day = WEEKDAYS[local.weekday()]
        start, end = self.from_, self.to
        if start is None or end is None:  # both or neither (`_window`)
            return day in self.days
        minute = local.hour * 60 + local.minute
        if start < end:
            return day in self.days and start <= minute < end
        yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
        return (day in self.days and minute >= start) or (yesterday in self.days and minute < end)


class RuleSet(ConfigModel):
    """Time-based routing: the first rule whose window contains the arrival wins."""

    timezone: str = "UTC"
    rules: list[Rule] = Field(default_factory=list)
    default: Destination | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        zone(name)
        return name

    def select(self, instant: datetime) -> tuple[int | None, Destination | None]:
        """(index of the matching rule or None, its destination or the default or None)."""
        local = instant.astimezone(zone(self.timezone))
        for index, rule in enumerate(self.rules):
            if rule.contains(local):
                return index, rule.target()
        return None, self.default


def zone(name: str) -> ZoneInfo:
    """The IANA time zone, or a ValueError that says what was wrong."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name like Europe/Paris or America/New_York") \
            from None


class Option(Destination):
    """A menu option: chosen by pressing `digit` or by saying any of `words` (or the digit's name)."""

    digit: str | None = None
    words: list[str] = Field(default_factory=list)

    @field_validator("digit", mode="before")
    @classmethod
    def _one_key(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # YAML reads `digit: 1` as an int
        if value is not None and (not isinstance(value, str) or len(value) != 1 or value not in DIGIT_KEYS):
            raise ValueError(f"digit must be one key of {DIGIT_KEYS}, got {value!r}")
        return value

    @model_validator(mode="after")
    def _selectable(self) -> Option:
        if self.digit is None and not any(w.strip() for w in self.words):
            raise ValueError("an option needs a digit or words (or both) to be chosen by")
        return self

    def heard_in(self, tokens: list[str], text: str) -> bool:
        if any_phrase_in(self.words, text):
            return True
        return self.digit is not None and any(SPOKEN_KEYS.get(t, t) == self.digit for t in tokens)


class Menu(ConfigModel):
    """An IVR menu: the platform speaks `prompt`, the caller presses a key or says an option."""

    prompt: str = Field(min_length=1)
    options: list[Option] = Field(min_length=1)
    attempts: int = Field(default=3, ge=1, le=10)
    timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    invalid_prompt: str = "Sorry, that is not one of the options."
    timeout_prompt: str = "Sorry, I didn't get your choice."
    on_failure: Destination | None = None

    @field_validator("options")
    @classmethod
    def _distinct_digits(cls, options: list[Option]) -> list[Option]:
        seen: set[str] = set()
        for option in options:
            if option.digit is not None and option.digit in seen:
                raise ValueError(f"digit {option.digit!r} is used by two options")
            if option.digit is not None:
                seen.add(option.digit)
        return options

    def by_keys(self, keys: str) -> Option | None:
        """The option of the first key pressed (later keys of the same press are ignored)."""
        first = keys[:1]
        return next((o for o in self.options if first and o.digit == first), None)

    def by_speech(self, text: str) -> Option | None:
        """The first option (in menu order) whose words, or whose digit's name, the caller said."""
        lowered = text.lower()
        tokens = re.findall(r"[a-z0-9*#]+", lowered)
        return next((o for o in self.options if o.heard_in(tokens, lowered)), None)


def destinations(first: Destination, menus: Mapping[str, Menu]) -> Iterator[Destination]:
    """Every destination reachable from `first` through menus (each menu visited once), in order."""
    seen: set[str] = set()
    stack = [first]
    while stack:
        dest = stack.pop(0)
        yield dest
        if dest.menu is not None and dest.menu not in seen and dest.menu in menus:
            seen.add(dest.menu)
            menu = menus[dest.menu]
            stack.extend(o.target() for o in menu.options)
            if menu.on_failure is not None:
                stack.append(menu.on_failure)

