"""The shipped JSON Schema of the format is generated from the models and accepts the library."""

import json
from pathlib import Path

import jsonschema

from aployee_sim.scenario.schema_file import SCHEMA_PATH, render
from aployee_sim.scenario.yamlread import read_scenario_document

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios"


def test_shipped_schema_is_up_to_date():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(), \
        "fixtures/scenario.schema.json is stale: run `python -m aployee_sim.scenario.schema_file`"


def test_schema_is_valid_and_accepts_every_library_scenario():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(LIBRARY.glob("*.scenario.yaml")):
        data, _, errors = read_scenario_document(path)
        assert not errors
        assert [e.message for e in validator.iter_errors(data)] == [], path.name


def test_schema_rejects_an_unknown_key():
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    document = {"assistants": {"a": {"name": "A"}}, "calls": [{"assistant": "a", "to": "+15551234567"}],
                "sede": 3}
    assert any("sede" in e.message for e in validator.iter_errors(document))
