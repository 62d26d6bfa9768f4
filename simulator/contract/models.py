"""Pydantic models of every production resource and webhook payload (docs/contract.md).

These are the only definitions of field names and order. Projections build plain dicts in this
shape for speed (tests/core/test_projection_models.py checks each one round-trips through its
model unchanged), the HTTP layer validates requests with them, and `fixtures/schemas/` and the
OpenAPI document are generated from them. Documented resources carry
exactly the documented (and decided) fields and nothing else.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["assistant", "user"]
Status = Literal["initiated", "ringing", "in_progress", "completed", "failed", "transferred"]


class Resource(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


# --- Calls -----------------------------------------------------------------------------------
class CreateCallRequest(Resource):
    """`POST /v1/calls` body."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")
    assistant_id: str
    to: str
    from_: str | None = Field(default=None, alias="from")
    initial_state: dict[str, Any] | None = None


class CallCreated(Resource):
    """`POST /v1/calls` response."""

    id: str
    assistant_id: str
    status: Status
    to: str
    from_: str | None = Field(alias="from")
    created_at: str


class DialogueLine(Resource):
    role: Role
    content: str


class CallDetails(CallCreated):
    """`GET /v1/calls/{id}` and the list items: the create response's fields, then the later ones."""

    started_at: str | None
    ended_at: str | None
    duration_seconds: int | None
    transcript: list[DialogueLine]
    summary: str | None
    final_state: dict[str, Any] | None


class CallList(Resource):
    """`GET /v1/calls` envelope (docs/contract.md §2 decision)."""

    data: list[CallDetails]
    limit: int
    offset: int
    total: int
    has_more: bool


class LiveTranscriptLine(Resource):
    role: Role
    content: str
    timestamp: str


class ReasoningStatus(Resource):
    active: bool
    started_at: str | None


class LiveState(Resource):
    """`GET /v1/calls/{id}/live-state`."""

    call_id: str
    status: Status
    duration_seconds: int
    transcript: list[LiveTranscriptLine]
    current_state: dict[str, Any]
    reasoning_status: ReasoningStatus


class TranscriptEntry(Resource):
    role: Role
    content: str
    timestamp: str
    confidence: float | None


class CallTranscript(Resource):
    """`GET /v1/calls/{id}/transcript`."""

    call_id: str
    transcript: list[TranscriptEntry]
    summary: str | None


class TimelineEvent(Resource):
    """One timeline event: `type`, `timestamp` (milliseconds) and the type's own keys."""

    model_config = ConfigDict(extra="allow")
    type: Literal[
        "call_started", "call_ended", "user_speech", "assistant_speech", "reasoning_started",
        "reasoning_completed", "webhook_called", "mcp_tool_called", "barge_in", "silence_detected",
        "transfer_initiated",
    ]
    timestamp: str


class Timeline(Resource):
    """`GET /v1/calls/{id}/timeline`."""

    call_id: str
    events: list[TimelineEvent]


class LatencyComponent(Resource):
    count: int
    p50_ms: int | None
    p95_ms: int | None
    max_ms: int | None


class LatencyComponents(Resource):
    asr: LatencyComponent
    tts: LatencyComponent
    conversation_agent: LatencyComponent
    reasoning_agent: LatencyComponent
    webhooks: LatencyComponent
    mcp: LatencyComponent


class Latency(Resource):
    """`GET /v1/calls/{id}/latency`."""

    call_id: str
    components: LatencyComponents


# --- The reasoning webhook (docs/contract.md §4) -------------------------------------------------------
class WebhookRequest(Resource):
    call_id: str
    assistant_id: str
    utterance: str
    state: dict[str, Any]
    context: list[DialogueLine]
    timestamp: str


class WebhookResponse(Resource):
    """What a webhook may answer: `state` replaces the call state; `reply` is spoken next."""

    model_config = ConfigDict(extra="allow")
    reply: str | None = None
    state: dict[str, Any] | None = None
    action: Literal["transfer"] | None = None
    target: str | None = None


# --- Assistants, organizations, phone numbers (docs/contract.md §3) ------------------------------------
class Personality(Resource):
    formality: Literal["casual", "neutral", "formal"] | None = None
    assertiveness: Literal["low", "medium", "high"] | None = None
    empathy: Literal["low", "medium", "high"] | None = None
    talkativeness: Literal["low", "medium", "high"] | None = None


class Voice(Resource):
    model_config = ConfigDict(extra="allow")
    provider: str | None = None
    voice_id: str | None = None


class McpConfig(Resource):
    """`mcp_config` as documented (`server_url`, the `tools` allow-list). The simulator's own keys
    (`rules`, `command`, `bearer_token`, latencies: `McpSettings`) ride along as extra keys, so an
    assistant that does not use them is echoed exactly as production echoes it."""

    model_config = ConfigDict(extra="allow")
    server_url: str | None = None
    tools: list[str] = Field(default_factory=list)


class McpToolCall(Resource):
    """One tool call of a rule: `arguments` are templates (`{capture}`, `{state.key}`, `{tool.field}`)."""

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class McpRule(Resource):
    """When the utterance (and state) match, call tools in order and weave their results into `reply`.

    Conditions (all given ones must hold; none at all matches every utterance): any of `keywords`
    (case-insensitive), the regex `pattern` (case-insensitive; its named groups become captures),
    and `state` (each key equal to the call state's value). One call as `tool` + `arguments`, or
    several as `calls`. `update` merges templated values into the state when every call succeeded;
    `fallback` is spoken when one failed (the state is then left unchanged).
    """

    keywords: list[str] = Field(default_factory=list)
    pattern: str | None = None
    state: dict[str, Any] = Field(default_factory=dict)
    tool: str | None = None
    arguments: dict[str, Any] = Field(default_factory=dict)
    calls: list[McpToolCall] = Field(default_factory=list, max_length=20)
    reply: str | None = None
    update: dict[str, Any] = Field(default_factory=dict)
    fallback: str | None = None


class McpSettings(BaseModel):
    """The simulator-only keys of `mcp_config` (docs/contract.md §4b decisions; docs/mcp.md).

    `command` runs a local development server over stdio instead of `server_url`;
    `latency_ms` replaces the modelled latency of every tool call, `tool_latency_ms` of one tool.
    """

    model_config = ConfigDict(extra="ignore")
    rules: list[McpRule] = Field(default_factory=list, max_length=200)
    command: list[str] | None = Field(default=None, min_length=1)
    bearer_token: str | None = None
    latency_ms: int | None = Field(default=None, ge=0, le=600_000)
    tool_latency_ms: dict[str, int] = Field(default_factory=dict)


class EscalationRule(Resource):
    """Transfer when the caller says a phrase or keyword, or after N failed webhooks in a row."""

    phrases: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    webhook_failures: int | None = Field(default=None, ge=1)
    target: str | None = None


Archetype = Literal["challenger", "helper", "counselor", "collaborator", "mentor", "architect", "analyst",
                    "storyteller"]


class Assistant(Resource):
    """An assistant resource. Only `name` is required on create (docs/contract.md §3 decision)."""

    id: str
    name: str
    system_prompt: str | None = None
    personality: Personality | None = None
    voice: Voice | None = None
    archetype: Archetype | None = None
    reasoning_mode: Literal["builtin", "webhook", "mcp"] = "builtin"
    webhook_url: str | None = None
    mcp_config: McpConfig | None = None
    telephony: Literal["inbound", "outbound", "both"] = "both"
    first_message: str | None = None
    end_call_phrases: list[str] = Field(default_factory=list)
    escalation: list[EscalationRule] = Field(default_factory=list)
    transfer_target: str | None = None
    transfer_allowlist: list[str] | None = None
    warm_transfer: bool = True
    created_at: str
    updated_at: str


class Organization(Resource):
    id: str
    name: str
    created_at: str


class PhoneNumber(Resource):
    id: str
    number: str
    assistant_id: str | None = None
    organization_id: str | None = None


# --- Errors and service info (docs/contract.md §1) -----------------------------------------------------
class ErrorBody(Resource):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorEnvelope(Resource):
    error: ErrorBody


class Health(Resource):
    status: Literal["ok"]


class ServiceInfo(Resource):
    service: Literal["aployee"]
    version: str
    environment: str
