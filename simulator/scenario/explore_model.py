"""The vocabulary of `explore:` (what generated callers may say and press), as a scenario-format model.

It is part of the file format, so it lives in the scenario package: `aployee_sim.scenario.schema`
takes it into the `explore:` section (`validate` reports its mistakes with their line like any
other key), and the strategies that read it (`aployee_sim.explore.vocabulary`) build on it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aployee_sim.scenario.errors import describe, did_you_mean

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Vocabulary(BaseModel):
    """What generated callers may say and press."""

    model_config = ConfigDict(extra="forbid")

    phrases: list[str] = []
    templates: list[str] = Field([], description="phrases with {name} placeholders filled from `values`")
    values: dict[str, list[str]] = Field({}, description="placeholder name -> the texts it may take")
    digits: str = Field("0123456789*#", description="the keys callers may press (empty: none)")

    @field_validator("digits")
    @classmethod
    def _keys(cls, value: str) -> str:
        if value and not re.fullmatch(r"[0-9*#]+", value):
            raise ValueError(f"expected phone keys (0-9, * and #) or nothing, found {describe(value)}")
        return value

    @model_validator(mode="after")
    def _usable(self) -> Vocabulary:
        if not self.phrases and not self.templates:
            raise ValueError("generated callers need something to say: give `phrases` or `templates`")
        for template in self.templates:
            for name in PLACEHOLDER.findall(template):
                if not self.values.get(name):
                    known = ", ".join(self.values) or "none"
                    raise ValueError(f"template {template!r} uses {{{name}}} but `values` has no texts for "
                                     f"{name!r}; values: {known}{did_you_mean(name, list(self.values))}")
        return self
