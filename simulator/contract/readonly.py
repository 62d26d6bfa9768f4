"""`readonly_dataclass`: a slotted dataclass that only the type checker treats as frozen.

`frozen=True` makes every field cost an `object.__setattr__` each time an instance is made, and
the values made on every turn (events, exchanges, turns) are made millions of times in a campaign:
for events it was 28 % of the engine benchmark. `dataclass_transform(frozen_default=True)` has mypy
(strict on the whole package) refuse any assignment to a field instead, which is what keeps these
values read-only where they are written (tests/core/test_events.py runs mypy on such an assignment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, dataclass_transform

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def readonly_dataclass(cls: type[_T]) -> type[_T]:
    return dataclass(slots=True)(cls)
