"""`/openapi.json`: the production routes exactly as served, with schemas generated from
`aployee_sim.contract.models` (the one definition of every field), never written by hand.

Only `/v1` is described: the control plane is the simulator's own convention (docs/server.md).
Request bodies of assistants are the resource's writable fields (only `name` required on create,
unknown fields accepted, CONTRACT §3); list envelopes are built from the item models.
"""

from __future__ import annotations

import copy
from functools import cache
from types import GenericAlias
from typing import Any

from pydantic import create_model
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from aployee_sim import __version__
from aployee_sim.contract import models as m
from aployee_sim.contract.lifecycle import STATUSES

REF = "#/components/schemas/{model}"


def _list_of(item: type[m.Resource]) -> type[m.Resource]:
    """The calls list envelope (`CallList`) around another resource."""
    fields: dict[str, Any] = {"data": (GenericAlias(list, (item,)), ...)}  # list[item], built at run time
    fields.update((name, (info.annotation, ...)) for name, info in m.CallList.model_fields.items() if name != "data")
    return create_model(f"{item.__name__}List", __base__=m.Resource, **fields)


_AssistantList, _OrganizationList, _PhoneNumberList = (_list_of(x) for x in (m.Assistant, m.Organization,
                                                                               m.PhoneNumber))

RESPONSES = (m.CallCreated, m.CallDetails, m.CallList, m.LiveState, m.CallTranscript, m.Timeline, m.Latency,
             m.Assistant, _AssistantList, m.Organization, _OrganizationList, m.PhoneNumber, _PhoneNumberList,
             m.ErrorEnvelope, m.Health, m.ServiceInfo)
SERVER_GENERATED = ("id", "created_at", "updated_at")

ERRORS = {
    "400": "Invalid request (the message names the field or parameter)",
    "401": "Missing or invalid API key",
    "403": "X-Organization-Id does not name the key's organization",
    "404": "Not found",
    "413": "Request body over 1 MiB",
    "415": "Request body is not JSON",
    "429": "Rate limited or concurrent-call limit reached (see Retry-After)",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _schemas() -> dict[str, Any]:
    pairs: list[tuple[type[m.Resource], JsonSchemaMode]] = [(model, "serialization") for model in RESPONSES]
    pairs += [(m.CreateCallRequest, "validation"), (m.Assistant, "validation")]
    _, document = models_json_schema(pairs, ref_template=REF)
    schemas: dict[str, Any] = document["$defs"]
    writable = copy.deepcopy(schemas["Assistant"])
    for name in SERVER_GENERATED:
        writable["properties"].pop(name)
    writable["additionalProperties"] = True
    schemas["AssistantCreate"] = {**writable, "title": "AssistantCreate", "required": ["name"]}
    schemas["AssistantUpdate"] = {**{k: v for k, v in writable.items() if k != "required"},
                                  "title": "AssistantUpdate"}
    schemas["OrganizationCreate"] = {"title": "OrganizationCreate", "type": "object", "required": ["name"],
                                     "properties": {"name": {"type": "string", "minLength": 1}},
                                     "additionalProperties": True}
    return schemas


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


PAGE_PARAMS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]
LIST_CALLS_PARAMS = [
    {"name": "assistant_id", "in": "query", "schema": {"type": "string"}},
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(STATUSES)}},
    {"name": "from_date", "in": "query", "description": "ISO 8601 date or datetime, inclusive (created_at)",
     "schema": {"type": "string"}},
    {"name": "to_date", "in": "query", "description": "ISO 8601 date or datetime, inclusive (created_at)",
     "schema": {"type": "string"}},
    *PAGE_PARAMS,
]

# (method, path, operationId, summary, parameters, request schema, success status, response schema)
OPERATIONS: list[tuple[str, str, str, str, list[dict[str, Any]], str | None, str, str | None]] = [
    ("get", "/v1/", "getServiceInfo", "Service info", [], None, "200", "ServiceInfo"),
    ("get", "/v1/health", "getHealth", "Health check", [], None, "200", "Health"),
    ("post", "/v1/calls", "createCall", "Start an outbound call", [], "CreateCallRequest", "201", "CallCreated"),
    ("get", "/v1/calls", "listCalls", "List calls, newest first", LIST_CALLS_PARAMS, None, "200", "CallList"),
    ("get", "/v1/calls/{call_id}", "getCall", "Call details", [_path_param("call_id")], None, "200",
     "CallDetails"),
    ("get", "/v1/calls/{call_id}/live-state", "getCallLiveState", "Live call state", [_path_param("call_id")],
     None, "200", "LiveState"),
    ("get", "/v1/calls/{call_id}/transcript", "getCallTranscript", "Transcript with timestamps and confidence",
     [_path_param("call_id")], None, "200", "CallTranscript"),
    ("get", "/v1/calls/{call_id}/timeline", "getCallTimeline", "Timeline events", [_path_param("call_id")],
     None, "200", "Timeline"),
    ("get", "/v1/calls/{call_id}/latency", "getCallLatency", "Per-component latency", [_path_param("call_id")],
     None, "200", "Latency"),
    ("post", "/v1/assistants", "createAssistant", "Create an assistant", [], "AssistantCreate", "201",
     "Assistant"),
    ("get", "/v1/assistants", "listAssistants", "List assistants", PAGE_PARAMS, None, "200", "AssistantList"),
    ("get", "/v1/assistants/{assistant_id}", "getAssistant", "Get an assistant", [_path_param("assistant_id")],
     None, "200", "Assistant"),
    ("patch", "/v1/assistants/{assistant_id}", "updateAssistant", "Update an assistant",
     [_path_param("assistant_id")], "AssistantUpdate", "200", "Assistant"),
    ("delete", "/v1/assistants/{assistant_id}", "deleteAssistant", "Delete an assistant",
     [_path_param("assistant_id")], None, "204", None),
    ("post", "/v1/organizations", "createOrganization", "Create an organization", [], "OrganizationCreate",
     "201", "Organization"),
    ("get", "/v1/organizations", "listOrganizations", "List organizations", PAGE_PARAMS, None, "200", "OrganizationList"),
    ("get", "/v1/organizations/{organization_id}", "getOrganization", "Get an organization",
     [_path_param("organization_id")], None, "200", "Organization"),
    ("get", "/v1/phone-numbers", "listPhoneNumbers", "List phone numbers", PAGE_PARAMS, None, "200", "PhoneNumberList"),
    ("get", "/v1/phone-numbers/{phone_number_id}", "getPhoneNumber", "Get a phone number",
     [_path_param("phone_number_id")], None, "200", "PhoneNumber"),
]

ORG_HEADER = {"name": "X-Organization-Id", "in": "header", "required": False,
              "description": "When present, must name the API key's organization (else 403)",
              "schema": {"type": "string"}}


@cache
def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    error = _json(_ref("ErrorEnvelope"))
    for method, path, op_id, summary, params, body, status, response in OPERATIONS:
        operation: dict[str, Any] = {"operationId": op_id, "summary": summary, "parameters": [*params, ORG_HEADER]}
        if body is not None:
            operation["requestBody"] = {"required": True, **_json(_ref(body))}
        success: dict[str, Any] = {"description": summary}
        if response is not None:
            success.update(_json(_ref(response)))
        responses: dict[str, Any] = {status: success}
        for code, text in ERRORS.items():
            if code in ("413", "415") and body is None:
                continue
            if code == "404" and "{" not in path and op_id != "createCall":
                continue
            if code == "400" and body is None and not op_id.startswith("list"):
                continue
            responses[code] = {"description": text, **error}
        operation["responses"] = responses
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Aployee API (simulator)", "version": __version__,
                 "description": "The production Aployee API as served by aployee-sim (docs/contract.md §1–3)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": _schemas(),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
