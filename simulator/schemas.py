"""JSON Schemas of every resource, the webhook request and response and the error envelope.

Generated from `aployee_sim.contract.models` (the one definition of field names) and shipped in
the package as `aployee_sim/fixtures/schemas/<name>.json` for integrators' own contract tests:

    from aployee_sim import schemas
    schemas.load("call_details")             # the shipped schema, as a dict (works from a wheel)

    python -m aployee_sim.schemas            # regenerate fixtures/schemas/ (a source checkout only)
    python -m aployee_sim.schemas --check    # exit 1 and name the stale files (CI uses the test instead)

Payloads the simulator sends (resources, webhook requests) are described as serialised, so
every field it always writes is required; payloads it receives (the create-call body, the
webhook response) as validated, so optional fields stay optional.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import JsonSchemaMode

from aployee_sim.contract import models as m
from aployee_sim.resources import NotACheckout, bundled, checkout_path, read_json

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
FOLDER = ("fixtures", "schemas")
# The shipped schemas, for reading (in a checkout this is fixtures/schemas/ through the package's link).
DEFAULT_DIR = Path(str(bundled(*FOLDER)))

# name -> (model, mode): "serialization" for what the simulator sends, "validation" for what it accepts.
SCHEMAS: dict[str, tuple[type[m.Resource], JsonSchemaMode]] = {
    "create_call_request": (m.CreateCallRequest, "validation"),
    "call_created": (m.CallCreated, "serialization"),
    "call_details": (m.CallDetails, "serialization"),
    "call_list": (m.CallList, "serialization"),
    "live_state": (m.LiveState, "serialization"),
    "call_transcript": (m.CallTranscript, "serialization"),
    "timeline": (m.Timeline, "serialization"),
    "latency": (m.Latency, "serialization"),
    "webhook_request": (m.WebhookRequest, "serialization"),
    "webhook_response": (m.WebhookResponse, "validation"),
    "assistant": (m.Assistant, "serialization"),
    "organization": (m.Organization, "serialization"),
    "phone_number": (m.PhoneNumber, "serialization"),
    "error_envelope": (m.ErrorEnvelope, "serialization"),
    "health": (m.Health, "serialization"),
    "service_info": (m.ServiceInfo, "serialization"),
}


def load(name: str) -> dict[str, Any]:
    """The shipped JSON Schema called `name` (a key of `SCHEMAS`), e.g. `load("call_details")`."""
    if name not in SCHEMAS:
        raise KeyError(f"no JSON Schema {name!r}; known: {', '.join(sorted(SCHEMAS))}")
    document: dict[str, Any] = read_json(*FOLDER, f"{name}.json")
    return document


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called `name` (a key of `SCHEMAS`), generated from the models now."""
    model, mode = SCHEMAS[name]
    body = model.model_json_schema(by_alias=True, mode=mode)
    _tidy(body, require_all=mode == "serialization")
    return {"$schema": SCHEMA_DIALECT, "$id": f"{name}.json", **body}


def _tidy(node: Any, *, require_all: bool) -> None:
    """Drop per-field titles (pydantic's "Assistant Id" noise, which also varies between pydantic
    releases) and, for serialised models, mark every field required: they always write them all."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            for field in node["properties"].values():
                field.pop("title", None)
            if require_all:
                node["required"] = list(node["properties"])
        for value in node.values():
            _tidy(value, require_all=require_all)
    elif isinstance(node, list):
        for value in node:
            _tidy(value, require_all=require_all)


def render(name: str) -> str:
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"


def stale(directory: Path = DEFAULT_DIR) -> list[str]:
    """File names in `directory` that are missing, out of date, or no longer generated."""
    wanted = {f"{name}.json": render(name) for name in SCHEMAS}
    present = {p.name for p in directory.glob("*.json")} if directory.is_dir() else set()
    out = [file for file, text in wanted.items()
           if file not in present or (directory / file).read_text(encoding="utf-8") != text]
    return sorted(out + [file for file in present if file not in wanted])


def write(directory: Path) -> list[Path]:
    """Regenerate every schema into `directory`, removing the ones no longer generated."""
    directory.mkdir(parents=True, exist_ok=True)
    for extra in directory.glob("*.json"):
        if extra.stem not in SCHEMAS:
            extra.unlink()
    paths = []
    for name in SCHEMAS:
        path = directory / f"{name}.json"
        path.write_text(render(name), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aployee_sim.schemas", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="directory (default: the checkout's fixtures/schemas/ to "
                                                 "regenerate, the shipped schemas to --check)")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        args.out = args.out or DEFAULT_DIR
        files = stale(args.out)
        if files:
            print(f"stale schemas in {args.out}: {', '.join(files)}; run `python -m aployee_sim.schemas`",
                  file=sys.stderr)
            return 1
        print(f"{len(SCHEMAS)} schemas in {args.out} are up to date")
        return 0
    try:
        out = args.out or checkout_path(*FOLDER)
    except NotACheckout as exc:
        print(f"python -m aployee_sim.schemas: {exc}, or write elsewhere with --out DIR", file=sys.stderr)
        return 2
    for path in write(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
