"""`fixtures/scenario.schema.json`: the scenario format's JSON Schema, for editor completion.

Generated from `aployee_sim.scenario.schema.Scenario`; a test fails when the shipped file is stale.

    python -m aployee_sim.scenario.schema_file      # regenerate it

Point an editor at it, e.g. VS Code's YAML extension: `"yaml.schemas": {"fixtures/scenario.schema.json":
"*.scenario.yaml"}`, or a first line `# yaml-language-server: $schema=../fixtures/scenario.schema.json`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "scenario.schema.json"


def _short_forms() -> dict[str, dict]:
    """Models that also accept a single word (their before-validators), as the schema must say."""
    from aployee_sim.scenario.schema import EVENT_TYPES
    outcomes = {"enum": ["accept", "decline", "no_answer"]}
    return {"Step": {"const": "hangup"},
            "TransferScript": {"anyOf": [outcomes, {"type": "array", "items": outcomes, "minItems": 1}]},
            "CarrierOutcome": {"enum": ["answer", "busy", "no_answer", "error"]},
            "EventMatch": {"enum": list(EVENT_TYPES)}}


# Routing fields whose before-validators (aployee_sim.core.routing) accept friendlier YAML than their types say.
_ROUTING_FORMS = {
    ("Rule", "days"): {"type": "string", "description": "mon-fri, sat,sun or daily"},
    ("Rule", "from"): {"type": "string", "pattern": r"^\d{1,2}:\d{2}$"},
    ("Rule", "to"): {"type": "string", "pattern": r"^\d{1,2}:\d{2}$"},
    ("Option", "digit"): {"type": "integer", "minimum": 0, "maximum": 9},
}


def render() -> str:
    from aployee_sim.scenario.schema import Scenario
    body = Scenario.model_json_schema(by_alias=True, mode="validation")
    defs = body["$defs"]
    for name, short in _short_forms().items():
        defs[name] = {"anyOf": [short, defs[name]]}
    for (name, field), extra in _ROUTING_FORMS.items():
        properties = defs[name]["properties"]
        properties[field] = {"anyOf": [extra, properties[field]]}
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "scenario.schema.json", **body}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(SCHEMA_PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
