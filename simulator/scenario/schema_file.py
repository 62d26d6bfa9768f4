"""`fixtures/scenario.schema.json`: the scenario format's JSON Schema, for editor completion.

Generated from `aployee_sim.scenario.schema.Scenario`; a test fails when the shipped file is stale.

    python -m aployee_sim.scenario.schema_file      # regenerate it (a source checkout only)

It ships in the package as `aployee_sim/fixtures/scenario.schema.json` (`SCHEMA_PATH`).

Point an editor at it, e.g. VS Code's YAML extension: `"yaml.schemas": {"fixtures/scenario.schema.json":
"*.scenario.yaml"}`, or a first line `# yaml-language-server: $schema=../fixtures/scenario.schema.json`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aployee_sim.resources import NotACheckout, bundled, checkout_path

FILE = ("fixtures", "scenario.schema.json")
SCHEMA_PATH = Path(str(bundled(*FILE)))  # the shipped file, for reading


def _short_forms() -> dict[str, dict[str, Any]]:
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
    try:
        path = checkout_path(*FILE)
    except NotACheckout as exc:
        print(f"python -m aployee_sim.scenario.schema_file: {exc}", file=sys.stderr)
        return 2
    path.write_text(render(), encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
