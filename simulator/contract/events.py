"""Event types of a call's append-only log: one frozen (to the type checker), slotted dataclass per type.

The log is the truth: call details, live state, transcript, timeline and latency are all
projections of it. Public types are exactly the timeline types of docs/contract.md §2; internal types
carry what production does not show (status changes, state replacements, digits, hold music)
and never appear on `/v1/calls/{id}/timeline`. `PublicEvent` and `InternalEvent` list them side by
side; `Event` is either.

An event is written with its class (`UserSpeech(t_ms, content=..., duration_ms=...)`: the time
first, every other field by name) and read by its fields (`event.content`) or with `match`; its
type name is the class constant `type`. Nothing reads an event by position, so a mistaken field
is a type error, not another valid value.

Everything outside the process sees an event as JSON: its `type`, a time and the object
`to_json(event)` (the fields by name, in declaration order; an optional field, one that defaults
to None, is left out while it is None). `from_json` is the inverse, used for every event read
back (store rows, `/_sim/calls/{id}/events` over HTTP).

Frozen to the type checker, not at run time: `frozen=True` makes every field of every event cost an
`object.__setattr__` when it is written, which was 28 % of the engine benchmark (0.57 µs against
0.26 µs per event; 3,237 against 2,530 calls/s at 10,000 calls); `dataclass_transform(frozen_default=True)`
has mypy (strict on the whole package) refuse any assignment to an event's field instead, so the log
stays append-only where it is written (tests/core/test_events.py runs mypy on such an assignment).

Size: a call logs some 60 events and 100,000 calls share one process, so events carry no dict
of their own and no per-instance type name: a slot is 8 bytes (a `UserSpeech` is 72 bytes; the
flat tuple it replaces was 88, and a `(t_ms, type, dict)` tuple with its dict about 250).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import ClassVar, Literal, TypeAlias, TypeVar, dataclass_transform, get_args

from aployee_sim.contract.readonly import readonly_dataclass
from aployee_sim.contract.strict_json import Json, JsonObject

# Reasons on `call_ended` (docs/contract.md §2 decision).
HANGUP_USER = "hangup_user"
HANGUP_ASSISTANT = "hangup_assistant"
BUSY = "busy"
NO_ANSWER = "no_answer"
ERROR = "error"
TRANSFERRED = "transferred"
SILENCE_TIMEOUT = "silence_timeout"
MAX_DURATION = "max_duration"
IVR_FAILED = "ivr_failed"  # no valid IVR choice within the menu's attempts, and no on_failure
INTERRUPTED = "interrupted"  # the simulator stopped while the call was live (ended on restart, docs/store.md)

_E = TypeVar("_E")


@dataclass_transform(frozen_default=True, kw_only_default=True)
def event_type(cls: type[_E]) -> type[_E]:
    """One event type: slotted, every field after the time by name, read-only to the type checker."""
    return dataclass(slots=True, kw_only=True)(cls)


HoldPlace = Literal["ringing", "reasoning", "transfer"]
IvrInput = Literal["digits", "speech", "timeout"]
TransferOutcome = Literal["accept", "decline", "no_answer"]


@readonly_dataclass  # the shared part of every event (its time, the one positional field)
class Logged:
    """What every event has: its type name (a class constant) and when it happened (virtual ms)."""

    type: ClassVar[str]
    t_ms: int


# --- public: the timeline types (docs/contract.md §2) --------------------------------------------
@event_type
class CallStarted(Logged):
    type: ClassVar[str] = "call_started"


@event_type
class CallEnded(Logged):
    type: ClassVar[str] = "call_ended"
    status: str
    reason: str


@event_type
class UserSpeech(Logged):
    """The far end spoke; `confidence` and `asr_ms` are the modelled recogniser's figures."""

    type: ClassVar[str] = "user_speech"
    role: ClassVar[str] = "user"
    content: str
    duration_ms: int
    confidence: float | None = None
    asr_ms: int | None = None


@event_type
class AssistantSpeech(Logged):
    """The assistant (or, with `source: "ivr"`, the platform) spoke."""

    type: ClassVar[str] = "assistant_speech"
    role: ClassVar[str] = "assistant"
    content: str
    duration_ms: int
    tts_ms: int | None = None
    agent_ms: int | None = None
    source: str | None = None


@event_type
class ReasoningStarted(Logged):
    type: ClassVar[str] = "reasoning_started"
    mode: str


@event_type
class ReasoningCompleted(Logged):
    type: ClassVar[str] = "reasoning_completed"
    duration_ms: int


@event_type
class WebhookCalled(Logged):
    type: ClassVar[str] = "webhook_called"
    url: str
    duration_ms: int
    error: str | None = None
    status_code: int | None = None


@event_type
class McpToolCalled(Logged):
    type: ClassVar[str] = "mcp_tool_called"
    tool: str
    duration_ms: int
    error: str | None = None


@event_type
class BargeIn(Logged):
    type: ClassVar[str] = "barge_in"
    content: str


@event_type
class SilenceDetected(Logged):
    type: ClassVar[str] = "silence_detected"
    duration_ms: int


@event_type
class TransferInitiated(Logged):
    """`context` (the summary and state handed over) only on a warm transfer."""

    type: ClassVar[str] = "transfer_initiated"
    target: str
    trigger: str
    warm: bool
    context: JsonObject | None = None


# --- internal: simulator-only (visible through /_sim, the TUI and scenario expectations) ---------
@event_type
class StatusChanged(Logged):
    """A lifecycle transition (`from` in JSON)."""

    type: ClassVar[str] = "status_changed"
    from_: str
    to: str


@event_type
class StateChanged(Logged):
    """The webhook or brain replaced the call state (in-process backends may put any Python value
    in it; projections render it as pydantic does)."""

    type: ClassVar[str] = "state_changed"
    state: JsonObject


@event_type
class Digits(Logged):
    """The far end pressed keys."""

    type: ClassVar[str] = "digits"
    digits: str


@event_type
class HoldMusic(Logged):
    type: ClassVar[str] = "hold_music"
    during: HoldPlace
    duration_ms: int


@event_type
class TransferResult(Logged):
    type: ClassVar[str] = "transfer_result"
    target: str
    result: TransferOutcome


@event_type
class PlatformPrompt(Logged):
    """The platform spoke (an IVR menu's prompt); the same words are also an `assistant_speech`."""

    type: ClassVar[str] = "platform_prompt"
    content: str
    duration_ms: int
    menu: str | None
    attempt: int


@event_type
class TransferRejected(Logged):
    """A transfer was refused and the call went on; `target` is what was asked for, as given."""

    type: ClassVar[str] = "transfer_rejected"
    target: Json
    trigger: str
    reason: str


@event_type
class InboundRouted(Logged):
    """Time-based routing chose: `destination` is `{kind: value}` (`{"menu": "main"}`)."""

    type: ClassVar[str] = "inbound_routed"
    number: str
    rule_set: str | None
    rule: int | None
    destination: dict[str, str]


@event_type
class IvrChoice(Logged):
    """What the caller chose at a menu: `option` is the index chosen, None for no valid choice."""

    type: ClassVar[str] = "ivr_choice"
    menu: str | None
    input: str
    by: IvrInput
    option: int | None


@event_type
class Routed(Logged):
    """Routing handed the call to this assistant (the record's `assistant_id` follows it)."""

    type: ClassVar[str] = "routed"
    assistant_id: str


@event_type
class McpToolsMissing(Logged):
    """Allow-listed tools the MCP server does not list."""

    type: ClassVar[str] = "mcp_tools_missing"
    server: str
    tools: tuple[str, ...]


@event_type
class ReasoningFailed(Logged):
    """A built-in or MCP turn failed before answering (a rule's pattern stopped at its bound); a
    webhook's failure is on `webhook_called` instead."""

    type: ClassVar[str] = "reasoning_failed"
    mode: str
    error: str


PublicEvent: TypeAlias = (CallStarted | CallEnded | UserSpeech | AssistantSpeech | ReasoningStarted | ReasoningCompleted
                          | WebhookCalled | McpToolCalled | BargeIn | SilenceDetected | TransferInitiated)
InternalEvent: TypeAlias = (StatusChanged | StateChanged | Digits | HoldMusic | TransferResult | PlatformPrompt
                            | TransferRejected | InboundRouted | IvrChoice | Routed | McpToolsMissing
                            | ReasoningFailed)
Event: TypeAlias = PublicEvent | InternalEvent
Speech: TypeAlias = UserSpeech | AssistantSpeech  # a line of the dialogue

PUBLIC_TYPES: frozenset[str] = frozenset(cls.type for cls in get_args(PublicEvent))
INTERNAL_TYPES: tuple[str, ...] = tuple(cls.type for cls in get_args(InternalEvent))
BY_TYPE: dict[str, type[Event]] = {cls.type: cls for cls in get_args(Event)}


class EventError(ValueError):
    """JSON that is not an event of a known type with exactly its fields."""


@dataclass(slots=True, frozen=True)
class _Field:
    name: str        # the attribute
    key: str         # the JSON key (`from_` is "from")
    optional: bool   # defaults to None, and is left out of the JSON while None
    array: bool      # a tuple, a JSON array


def _json_fields(cls: type[Event]) -> tuple[_Field, ...]:
    return tuple(_Field(f.name, f.name.removesuffix("_"), f.default is None, str(f.type).startswith("tuple["))
                 for f in fields(cls) if f.name != "t_ms")


_FIELDS: dict[type[Event], tuple[_Field, ...]] = {cls: _json_fields(cls) for cls in BY_TYPE.values()}


def to_json(event: Event) -> dict[str, Json]:
    """The event's fields as a JSON object (see the module docstring); its type and time are not in it."""
    data: dict[str, Json] = {}
    for f in _FIELDS[type(event)]:
        value = getattr(event, f.name)
        if value is None and f.optional:
            continue
        data[f.key] = list(value) if f.array else value
    return data


def from_json(t_ms: int, kind: str, data: Mapping[str, Json]) -> Event:
    """The event of type `kind` at `t_ms` whose `to_json` is `data`; `EventError` says what does not fit."""
    cls = BY_TYPE.get(kind)
    if cls is None:
        raise EventError(f"unknown event type {kind!r}")
    if not isinstance(data, Mapping):
        raise EventError(f"{kind} event: its data must be a JSON object, not {type(data).__name__}")
    known = _FIELDS[cls]
    unknown = data.keys() - {f.key for f in known}
    if unknown:
        raise EventError(f"{kind} event: unknown keys {sorted(unknown)}")
    missing = [f.key for f in known if not f.optional and f.key not in data]
    if missing:
        raise EventError(f"{kind} event: missing keys {missing}")
    values: dict[str, object] = {}
    for f in known:
        if f.key in data:
            value = data[f.key]
            values[f.name] = tuple(value) if f.array and isinstance(value, list) else value
    # Keys are checked, values are the JSON that `to_json` wrote (store rows, our own server's
    # answers): their types are the fields' by construction, not checked one by one here.
    return cls(t_ms, **values)  # type: ignore[arg-type]
