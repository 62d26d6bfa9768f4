"""`fixtures/scenario.schema.json`: the scenario format's JSON Schema, for editor completion.

Generated from `simulator.scenario.schema.Scenario`; a test fails when the shipped file is stale.

    python -m simulator.scenario.schema_file      # regenerate it

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
    from simulator.scenario.schema import EVENT_TYPES
    return {"Step": {"const": "hangup"},
            "CarrierOutcome": {"enum": ["answer", "busy", "no_answer", "error"]},
            "EventMatch": {"enum": list(EVENT_TYPES)}}


def render() -> str:
    from simulator.scenario.schema import Scenario
    body = Scenario.model_json_schema(by_alias=True, mode="validation")
    for name, short in _short_forms().items():
        body["$defs"][name] = {"anyOf": [short, body["$defs"][name]]}
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "scenario.schema.json", **body}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(SCHEMA_PATH)
    return 0


if __name__ == "__main__":
    sys.exit(main())
