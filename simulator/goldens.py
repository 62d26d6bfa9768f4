"""The documented example payloads of the Calls page and API reference, verbatim, for contract tests.

    from aployee_sim import goldens
    goldens.names()                  # ['call_created', 'call_details', ...]
    goldens.load("call_details")     # the documented GET /v1/calls/{id} example, as a dict

Each validates against the JSON Schema of its resource (`aployee_sim.schemas.load`); `SCHEMA_OF`
says which. The files ship in the package (`aployee_sim/fixtures/golden/`, described by its
README.md) and are read through `importlib.resources`, so this works from an installed wheel.
"""

from __future__ import annotations

from typing import Any

from aployee_sim.resources import bundled, read_json

FOLDER = ("fixtures", "golden")

# golden payload -> the schema (a key of `aployee_sim.schemas.SCHEMAS`) it is an instance of.
SCHEMA_OF = {
    "create_call_request": "create_call_request",
    "call_created": "call_created",
    "call_details": "call_details",
    "live_state": "live_state",
    "webhook_response_transfer": "webhook_response",
    "error_envelope": "error_envelope",
}


def names() -> list[str]:
    """Every golden payload that ships, sorted."""
    return sorted(p.name.removesuffix(".json") for p in bundled(*FOLDER).iterdir() if p.name.endswith(".json"))


def load(name: str) -> Any:
    """The golden payload `name` (e.g. "call_details"), parsed; `KeyError` for an unknown name."""
    return read_json(*FOLDER, f"{name}.json")
