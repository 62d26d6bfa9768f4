"""`/openapi.json`: the production routes exactly as served, with schemas generated from
`aployee_sim.contract.models` (the one definition of every field), never written by hand.

The production routes carry the tag `v1`; the control plane (`/_sim`, the simulator's own
convention, docs/server.md) is described under its own tag `simulator`, so generated clients
and fuzzers can keep to one or the other. Request bodies of assistants are the resource's
writable fields (only `name` required on create, unknown fields accepted, docs/contract.md §3); list
envelopes are built from the item models. What the server refuses, the document says too: phone
numbers must be E.164, names and ids non-blank, instants are `date-time`, and a route called with
another method answers 405 (`components.responses.MethodNotAllowed`).
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
E164 = r"^\+[1-9][0-9]{0,14}$"  # aployee_sim.contract.errors.is_e164
NON_BLANK = r"\S"
PHONE_FIELDS = ("to", "from", "number", "transfer_target", "target")
NON_BLANK_FIELDS = {"CreateCallRequest": ("assistant_id",), "AssistantCreate": ("name",),
                    "AssistantUpdate": ("name",), "OrganizationCreate": ("name",)}


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
    schemas["CreateCallRequest"] = copy.deepcopy(schemas["CreateCallRequest"])
    for name, fields in NON_BLANK_FIELDS.items():
        for field in fields:
            _string_rule(schemas[name]["properties"][field], minLength=1, pattern=NON_BLANK)
    _phone_and_time_formats(schemas)
    return schemas


def _strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The string schemas of a property (itself, or the branches of `anyOf` such as `string | null`)."""
    if schema.get("type") == "string":
        return [schema]
    return [branch for branch in schema.get("anyOf", []) if branch.get("type") == "string"]


def _string_rule(schema: dict[str, Any], **rules: Any) -> None:
    for branch in _strings(schema):
        branch.update(rules)


def _phone_and_time_formats(node: Any, key: str = "") -> None:
    """E.164 on phone fields and `date-time` on instants (`*_at`, `timestamp`), everywhere in the schemas."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, schema in properties.items():
                if name in PHONE_FIELDS:
                    _string_rule(schema, pattern=E164)
                elif name.endswith("_at") or name in ("timestamp", "now"):
                    _string_rule(schema, format="date-time")
        for name, value in node.items():
            _phone_and_time_formats(value, name)
    elif isinstance(node, list):
        for value in node:
            _phone_and_time_formats(value, key)


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

def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


_SIM_BODIES: dict[str, dict[str, Any]] = {
    "SimReset": _body({"seed": {"type": "integer"}}, []),
    "SimAdvance": _body({"seconds": {"type": "number", "minimum": 0}}, ["seconds"]),
    "SimSay": _body({"text": {"type": "string", "minLength": 1, "pattern": NON_BLANK},
                     "confidence": {"type": "number", "minimum": 0, "maximum": 1}}, ["text"]),
    "SimDigits": _body({"digits": {"type": "string", "pattern": "^[0-9*#]+$"}}, ["digits"]),
    "SimInbound": _body({"from": {"type": "string", "pattern": E164}, "to": {"type": "string", "pattern": E164}},
                        ["from", "to"]),
    "SimCarrier": _body({"number": {"type": "string", "pattern": E164}, "outcome": {"type": "string"},
                         "ring_seconds": {"type": "number", "minimum": 0, "maximum": 3600}}, ["number", "outcome"]),
}
_ANY_OBJECT = {"type": "object"}
# (method, path, operationId, summary, request body name or None): the control plane (docs/contract.md §6).
SIM_OPERATIONS: list[tuple[str, str, str, str, str | None]] = [
    ("get", "/_sim", "simIndex", "This list: the control plane's routes", None),
    ("post", "/_sim/reset", "simReset", "Forget calls, assistants and deliveries (configuration stays)", "SimReset"),
    ("get", "/_sim/clock", "simGetClock", "The virtual clock", None),
    ("post", "/_sim/clock/advance", "simAdvanceClock", "Move virtual time forward (manual clock)", "SimAdvance"),
    ("post", "/_sim/calls/{call_id}/say", "simSay", "The far end of a live call speaks", "SimSay"),
    ("post", "/_sim/calls/{call_id}/digits", "simDigits", "The far end presses keys (DTMF)", "SimDigits"),
    ("post", "/_sim/calls/{call_id}/hangup", "simHangup", "The far end hangs up", None),
    ("post", "/_sim/inbound", "simInbound", "Place an inbound call to a provisioned number", "SimInbound"),
    ("get", "/_sim/webhooks", "simWebhooks", "Every webhook delivery and MCP tool call (request, response, timing)",
     None),
    ("get", "/_sim/world", "simWorld", "Numbers, routing, menus, in-process URLs, timings and built-in scripts "
     "(what a call's replay needs)", None),
    ("get", "/_sim/errors", "simErrors", "The latest internal errors (500s) with their requests and tracebacks", None),
    ("get", "/_sim/calls/{call_id}/events", "simEvents", "The call's internal event log", None),
    ("post", "/_sim/carrier", "simCarrier", "Force the carrier's outcome for a number", "SimCarrier"),
]
TAGS = [{"name": "v1", "description": "The production Aployee API (docs/contract.md §1–3)"},
        {"name": "simulator", "description": "The simulator's control plane under /_sim: reset, clock, the far "
                                             "end of live calls, webhook deliveries (not part of production)"}]

# The Calls page's request (runs as is with `serve --config calls-page`, docs/server.md).
EXAMPLES = {"CreateCallRequest": {"assistant_id": "asst_xyz789", "to": "+15551234567", "from": "+15559876543",
                                  "initial_state": {"customer_id": "cust_12345", "campaign": "renewal_outreach"}}}

ORG_HEADER = {"name": "X-Organization-Id", "in": "header", "required": False,
              "description": "When present, must name the API key's organization (else 403)",
              "schema": {"type": "string"}}


@cache
def openapi_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    error = _json(_ref("ErrorEnvelope"))
    for method, path, op_id, summary, params, body, status, response in OPERATIONS:
        operation: dict[str, Any] = {"operationId": op_id, "summary": summary, "tags": ["v1"],
                                     "parameters": [*params, ORG_HEADER]}
        if body is not None:
            operation["requestBody"] = {"required": True, **_json(_ref(body))}
            if body in EXAMPLES:
                operation["requestBody"]["content"]["application/json"]["examples"] = {
                    "callsPage": {"summary": "The Calls page's example", "value": EXAMPLES[body]}}
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
    for method, path, op_id, summary, body in SIM_OPERATIONS:
        sim_op: dict[str, Any] = {
            "operationId": op_id, "summary": summary, "tags": ["simulator"],
            "parameters": [_path_param("call_id")] if "{call_id}" in path else [],
            "responses": {"200": {"description": summary, **_json(_ANY_OBJECT)},
                          "400": {"description": ERRORS["400"], **error}, "401": {"description": ERRORS["401"], **error},
                          "404": {"description": ERRORS["404"], **error},
                          "409": {"description": "The call is not in the state this needs", **error}}}
        if body is not None:
            sim_op["requestBody"] = {"required": body != "SimReset", **_json(_ref(body))}
        paths.setdefault(path, {})[method] = sim_op
    schemas = {**_schemas(), **_SIM_BODIES}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Aployee API (simulator)", "version": __version__,
                 "description": "The production Aployee API as served by aployee-sim (docs/contract.md §1–3)."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": TAGS,
        "paths": paths,
        "components": {"schemas": schemas,
                       "responses": {"MethodNotAllowed": {
                           "description": "Every route answers a method it does not serve with 405 and the "
                                          "error envelope (code method_not_allowed); `Allow` lists its methods",
                           "headers": {"Allow": {"schema": {"type": "string"}}}, **error}},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
