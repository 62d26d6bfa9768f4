"""The platform core: assistants, calls and their projections on one engine, with no I/O.

`Platform` is what production is to an integrator: it validates requests exactly like the API
(raising `ApiError` with the production envelope), runs calls on virtual time, and answers
with the documented resource shapes. Composition (`aployee_sim.api.Simulator`, the server, the
runner) supplies the ports: carrier, far-end callers, transfer party, HTTP webhook delivery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from aployee_sim.contract import events as ev
from aployee_sim.contract import strict_json
from aployee_sim.contract.errors import ApiError, invalid, is_e164, not_found, require_e164
from aployee_sim.contract.exchanges import Exchange, Kind
from aployee_sim.contract.lifecycle import FAILED, STATUSES, TERMINAL
from aployee_sim.contract.models import Assistant, CreateCallRequest
from aployee_sim.core.call_process import CallProcess
from aployee_sim.core.clock import VirtualClock, parse_instant
from aployee_sim.core.engine import Engine
from aployee_sim.core.line import CallLine
from aployee_sim.core.mcp_turns import ToolPort
from aployee_sim.core.ports import Caller, Carrier, DialPlan, FrontDesk, TransferParty
from aployee_sim.core.randomness import SeededRandom
from aployee_sim.core.reasoning import (
    BuiltinBrain,
    CallableBackend,
    Intent,
    ReasoningBackend,
    ReasoningRouter,
    StubBackend,
    StubRule,
)
from aployee_sim.core.record import INBOUND, OUTBOUND, CallRecord
from aployee_sim.core.runtime import Runtime
from aployee_sim.core.timings import Timings
from aployee_sim.core.transfers import DEFAULT_TRANSFER_PHRASES, allowlist_entry_ok
from aployee_sim.platform import projections
from aployee_sim.platform.directory import (
    Directory,
    DirectoryError,
    OrganizationEntry,
    is_assistant_id,
    number_resource,
    organization_resource,
)
from aployee_sim.platform.eviction import Archive, Evicted, Eviction
from aployee_sim.platform.inbound import resolver, route_arrival
from aployee_sim.platform.mcp import McpSupport, check_mcp_config
from aployee_sim.platform.pages import date_param, paged

CallerFactory = Callable[[CallRecord], Caller]
_ASSISTANT_WRITABLE = set(Assistant.model_fields) - {"id", "created_at", "updated_at"}


def _validation_error(exc: ValidationError, prefix: str = "") -> ApiError:
    first = exc.errors()[0]
    field = prefix + ".".join(str(part) for part in first["loc"]) if first["loc"] else prefix.rstrip(".")
    return invalid(field or "body", f"The {field or 'request body'} field is invalid: {first['msg']}")


class Platform:
    def __init__(self, *, carrier: Carrier, default_caller: CallerFactory, seed: int = 0,
                 start: datetime | str | None = None, timings: Timings | None = None,
                 webhook_transport: ReasoningBackend | None = None,
                 transfer_party: TransferParty | None = None,
                 transfer_phrases: Iterable[str] = DEFAULT_TRANSFER_PHRASES) -> None:
        self.seed = seed
        # What a caller says to ask for a person (docs/contract.md §5 user_request), matched case-insensitively.
        self.transfer_phrases = tuple(p.lower() for p in transfer_phrases)
        self.clock = VirtualClock(start)
        self.router = ReasoningRouter(webhook_transport)
        self.default_caller = default_caller
        self.callees: dict[str, CallerFactory] = {}
        self.created_listeners: list[Callable[[CallRecord], None]] = []
        self.ended_listeners: list[Callable[[CallRecord], None]] = []
        # Called after an assistant is created, updated or deleted (a store makes it durable before
        # the API answers).
        self.assistant_listeners: list[Callable[[], None]] = []
        self._ports = (carrier, transfer_party, timings or Timings())
        # Organizations, numbers and routing: configuration (the dashboard's stand-in), kept on reset.
        self.directory = Directory()
        # Ids never to issue (a store holds them: `resume`), kept on reset so a reset never reissues them.
        self.reserved_ids: set[str] = set()
        self.eviction: Eviction | None = None  # `keep_ended_calls`: ended calls beyond N live in the store
        self.mcp = McpSupport(self)  # MCP assistants (docs/contract.md §4b): composition sets mcp.router.fallback
        self.directory.on_assistants = self._install_configured
        self.reset()

    def reset(self) -> None:
        """Forget every call, assistant and webhook exchange; keep configuration, routes and seed.

        A new clock starts at the same epoch and the random source at its seed, so a reset platform
        replays exactly like a new one (except that `reserved_ids` stay taken).
        """
        carrier, transfer_party, timings = self._ports
        self.clock = VirtualClock(self.clock.epoch)  # a fresh clock: a clock's time never goes back
        self.engine = Engine(self.clock)
        self.rng = SeededRandom(self.seed)
        self.rng.taken = self.reserved_ids
        self._stream_keys: dict[str, int] = {}  # each explicit stream key, and how often it was asked for
        self._placed = 0  # calls placed (or resumed) since the reset: the default stream key, fixed ids
        if self.eviction is not None:
            self.eviction = Eviction(self.eviction.keep, self.eviction.archive)
        self.runtime = Runtime(engine=self.engine, timings=timings, carrier=carrier,
                               reasoning=self.router, transfer_party=transfer_party, on_ended=self._ended,
                               transfer_phrases=self.transfer_phrases)
        self.assistants: dict[str, Assistant] = {}
        self.brains: dict[str, ReasoningBackend] = {}
        self.mcp.reset()
        self.calls: dict[str, CallProcess] = {}
        self.active: set[str] = set()
        self.directory.forget_api_created()
        self._install_configured("<configuration>", self.directory.assistants)

    def _install_configured(self, source: str, bodies: dict[str, dict[str, Any]]) -> None:
        """(Re)create the configuration's assistants under their fixed ids, all or none: a body the
        API would refuse is a `DirectoryError` at its place in the file."""
        created: list[Assistant] = []
        now = self.clock.iso_seconds(self.clock.now_ms)
        for index, (assistant_id, body) in enumerate(bodies.items()):
            values = {k: v for k, v in body.items() if k in _ASSISTANT_WRITABLE}
            try:
                assistant = self._validated_assistant({**values, "id": assistant_id, "created_at": now,
                                                       "updated_at": now})
            except ApiError as exc:
                field = str(exc.details.get("field", ""))
                raise DirectoryError(source, ("assistants", index, *(f for f in field.split(".") if f)),
                                     exc.message) from None
            created.append(assistant)
        for assistant in created:
            self.assistants[assistant.id] = assistant
            self.brains[assistant.id] = self._brain_for(assistant)

    def resume(self, *, assistants: Iterable[dict[str, Any]], calls: Iterable[tuple[CallRecord, list[Exchange]]],
               taken_ids: Iterable[str], now_ms: int, retired: Iterable[dict[str, Any]] = ()) -> list[CallRecord]:
        """Carry on where a stored platform stopped (a server restarted on its store: the store adapter
        reads them, `aployee_sim.adapters.store.resume`). Returns the calls it had to end.

        The assistants and calls become this platform's, served by the same projections as ever;
        `retired` are deleted assistants that stored calls still name. The random source skips every
        id in `taken_ids`, so no stored id is issued again (an empty store changes nothing: the
        same seed gives the same ids; a later reset keeps them taken). The clock moves on to `now_ms` (never back). A call that
        was live cannot go on (its far end and timers died with the old process): it ends `failed`
        with reason `interrupted` at the resumed instant, so nothing stays frozen.
        """
        self.reserved_ids.update(taken_ids)
        self.engine.run(until_ms=now_ms)  # nothing is scheduled yet: the clock moves on (never back)
        known: dict[str, Assistant] = {}
        for data, live in [*((a, False) for a in retired), *((a, True) for a in assistants)]:
            assistant = Assistant.model_validate(data)
            known[assistant.id] = assistant
            if live:
                self.assistants[assistant.id] = assistant
                self.brains[assistant.id] = self._brain_for(assistant)
        interrupted = []
        for record, exchanges in calls:
            if not record.ended:
                record.end(self.clock.now_ms, FAILED, ev.INTERRUPTED)
                interrupted.append(record)
            self.calls[record.id] = self._ended_process(record, exchanges, known.get(record.assistant_id))
            self._placed += 1
        return interrupted

    def _ended_process(self, record: CallRecord, exchanges: list[Exchange],
                       assistant: Assistant | None = None) -> CallProcess:
        """An ended call read back from a store (resumed, or evicted and asked for): served by the
        same projections as a live one; it never draws or runs again."""
        assistant = assistant or self.assistants.get(record.assistant_id)
        if assistant is None:  # deleted since (a placeholder: the projections read the record only)
            assistant = Assistant.model_validate(
                {"id": record.assistant_id, "name": record.assistant_id, "created_at": self.now_iso(),
                 "updated_at": self.now_iso()})
        stream = self.rng.for_call(f"resumed {record.id}")
        process = CallProcess(self.runtime, stream, record, assistant, BuiltinBrain(), self.default_caller(record))
        process.reasoning.exchanges.extend(exchanges)
        return process

    def keep_ended_calls(self, keep: int, archive: Archive) -> None:
        """Keep only the newest `keep` ended calls in memory; the others are read back through
        `archive` (a store that has written them) when asked for (aployee_sim.platform.eviction)."""
        self.eviction = Eviction(keep, archive)
        for process in [p for p in self.calls.values() if p.record.ended]:
            self._evict_after(process.record)

    def _evict_after(self, record: CallRecord) -> None:
        eviction = self.eviction
        if eviction is not None:
            for call_id in eviction.ended(record):
                eviction.evict(self.calls.pop(call_id).record)

    @property
    def timings(self) -> Timings:
        return self.runtime.timings

    @property
    def now_ms(self) -> int:
        return self.clock.now_ms

    def now_iso(self) -> str:
        return self.clock.iso_millis(self.clock.now_ms)

    # --- assistants ----------------------------------------------------------------------------
    def create_assistant(self, body: dict[str, Any] | None = None, *,
                         intents: Iterable[Intent | dict[str, Any]] = (),
                         fallback_reply: str | None = None, assistant_id: str | None = None,
                         **fields: Any) -> dict[str, Any]:
        """Create an assistant from an API body and/or keyword fields; returns the resource.

        `intents` and `fallback_reply` script the built-in brain (simulator-only, not on the resource).
        `assistant_id` gives it a fixed id (configuration and scenarios: documentation examples
        such as `asst_xyz789` then run verbatim); the API always draws one from the seed.
        Unknown fields are accepted and ignored (docs/contract.md §3).
        """
        values = {k: v for k, v in {**(body or {}), **fields}.items() if k in _ASSISTANT_WRITABLE}
        if "name" not in values:
            raise invalid("name", "The name field is required")
        if assistant_id is not None and not is_assistant_id(assistant_id):
            raise invalid("id", f"The id field must look like asst_xyz789 (asst_ and letters, digits or _), "
                                f"got {assistant_id!r}")
        now = self.clock.iso_seconds(self.clock.now_ms)
        assistant = self._validated_assistant({**values, "id": assistant_id or self.rng.make_id("asst"),
                                               "created_at": now, "updated_at": now})
        self.assistants[assistant.id] = assistant
        self.brains[assistant.id] = self._brain_for(assistant, intents, fallback_reply)
        self._assistants_changed()
        return assistant.dump()

    def _brain_for(self, assistant: Assistant, intents: Iterable[Intent | dict[str, Any]] = (),
                   fallback_reply: str | None = None) -> ReasoningBackend:
        """What answers an assistant's non-webhook turns: its MCP backend, or the built-in brain."""
        if assistant.reasoning_mode == "mcp":
            return self.mcp.backend(assistant)
        return BuiltinBrain([i if isinstance(i, Intent) else Intent(**i) for i in intents], fallback_reply)

    def _validated_assistant(self, values: dict[str, Any]) -> Assistant:
        try:
            assistant = Assistant.model_validate(values)
        except ValidationError as exc:
            raise _validation_error(exc) from None
        if assistant.reasoning_mode == "webhook" and not assistant.webhook_url:
            raise invalid("webhook_url", "The webhook_url field is required when reasoning_mode is 'webhook'")
        if assistant.reasoning_mode == "mcp":
            check_mcp_config(assistant)
        if assistant.transfer_target is not None:
            require_e164("transfer_target", assistant.transfer_target)
        for index, entry in enumerate(assistant.transfer_allowlist or ()):
            if not allowlist_entry_ok(entry):
                raise invalid(f"transfer_allowlist.{index}", f"The transfer_allowlist.{index} field must be an E.164 "
                                                             f"number or a prefix ending in * (like +44*), got {entry!r}")
        for index, rule in enumerate(assistant.escalation):
            if rule.target is not None and not is_e164(rule.target):
                raise invalid(f"escalation.{index}.target",
                              f"The escalation.{index}.target field must be an E.164 number, got {rule.target!r}")
        return assistant

    def assistant(self, assistant_id: str) -> Assistant:
        try:
            return self.assistants[assistant_id]
        except KeyError:
            raise not_found("Assistant", assistant_id) from None

    def get_assistant(self, assistant_id: str) -> dict[str, Any]:
        return self.assistant(assistant_id).dump()

    def list_assistants(self) -> list[dict[str, Any]]:
        return [a.dump() for a in self.assistants.values()]

    def update_assistant(self, assistant_id: str, patch: dict[str, Any]) -> dict[str, Any]:
        current = self.assistant(assistant_id).model_dump(by_alias=True)
        changes = {k: v for k, v in patch.items() if k in _ASSISTANT_WRITABLE}
        updated = self._validated_assistant({**current, **changes,
                                             "updated_at": self.clock.iso_seconds(self.clock.now_ms)})
        self.assistants[assistant_id] = updated
        if updated.reasoning_mode == "mcp":
            self.brains[assistant_id] = self.mcp.backend(updated)
        elif not isinstance(self.brains[assistant_id], BuiltinBrain):
            self.brains[assistant_id] = BuiltinBrain()
        self._assistants_changed()
        return updated.dump()

    def delete_assistant(self, assistant_id: str) -> None:
        self.assistant(assistant_id)
        del self.assistants[assistant_id]
        self.brains.pop(assistant_id, None)
        self._assistants_changed()

    def _assistants_changed(self) -> None:
        for listener in self.assistant_listeners:
            listener()

    # --- webhooks ----------------------------------------------------------------------------
    def route_webhook(self, url: str,
                      handler: Callable[[dict[str, Any]], Any] | list[StubRule | dict[str, Any]]) -> None:
        """Answer webhook requests to `url` in-process, with a function `request -> response body`
        or a list of stub rules. Other URLs go to the real HTTP transport (or any backend object
        registered with `router.route`)."""
        if isinstance(handler, list):
            backend: ReasoningBackend = StubBackend([r if isinstance(r, StubRule) else StubRule(**r) for r in handler])
        else:
            backend = CallableBackend(handler)
        self.router.route(url, backend)

    def route_mcp(self, url: str, tools: ToolPort | list[Any]) -> None:
        """Serve the MCP server at `url` in-process: declarative tool stubs (dicts or `ToolStub`s,
        aployee_sim.core.mcp_stubs) or any tool port; `Simulator.route_mcp` also takes an SDK server."""
        self.mcp.route(url, tools)

    # --- calls ---------------------------------------------------------------------------------
    def create_call(self, body: Any, *, caller: Caller | None = None) -> dict[str, Any]:
        """`POST /v1/calls` with a raw JSON body: validated exactly like the API."""
        if not isinstance(body, dict):
            raise invalid("body", "The request body must be a JSON object")
        for field in ("assistant_id", "to"):
            if body.get(field) in (None, ""):
                raise invalid(field, f"The {field} field is required")
        try:
            request = CreateCallRequest.model_validate(body)
        except ValidationError as exc:
            raise _validation_error(exc) from None
        return self.start_call(request.assistant_id, request.to, request.from_, request.initial_state, caller=caller)

    def _call_stream(self, key: str | None) -> SeededRandom:
        """A new call's own random stream (`SeededRandom.for_call`). `key` is the call's identity
        (a scenario call's name or content); by default its position among the calls placed since
        the reset, which a restarted server continues. A key asked for again gets a numbered twin."""
        if key is None:  # unique by construction: not remembered (a long-running server places millions)
            return self.rng.for_call(f"#{self._placed}")
        seen = self._stream_keys.get(key, 0)
        self._stream_keys[key] = seen + 1
        return self.rng.for_call(key if not seen else f"{key}~{seen}")

    def _next_call_id(self, stream: SeededRandom) -> str:
        """The configuration's `call_ids` for the first calls (documentation examples verbatim), then
        the first draw of the call's own stream (redrawn in the astronomically rare case of a clash)."""
        fixed = self.directory.call_ids
        if self._placed < len(fixed) and not self._known(fixed[self._placed]):
            return fixed[self._placed]
        while self._known(call_id := stream.make_id("call")):
            pass
        return call_id

    def _known(self, call_id: str) -> bool:
        """A call of this run, in memory or evicted to the store."""
        return call_id in self.calls or (self.eviction is not None and call_id in self.eviction.evicted)

    def start_call(self, assistant_id: str, to: str, from_: str | None = None,
                   initial_state: dict[str, Any] | None = None, *, caller: Caller | None = None,
                   key: str | None = None, direction: str = OUTBOUND, plan: DialPlan | None = None,
                   front: FrontDesk | None = None, stream: SeededRandom | None = None) -> dict[str, Any]:
        """Place a call now; returns the create response (status `initiated`).

        `key` names the call's random stream (see `_call_stream`): give each call of a suite a
        stable key and adding or removing another call changes nothing of this one. Inbound calls
        come through `place_inbound`, which passes the carrier's arrival `plan`, the routing `front`
        desk (`aployee_sim.platform.inbound`) and the `stream` it drew the arrival from."""
        if assistant_id not in self.assistants:
            raise not_found("Assistant", assistant_id, field="assistant_id")
        if direction == OUTBOUND and self.assistants[assistant_id].telephony == "inbound":
            raise invalid("assistant_id", f"The assistant {assistant_id} handles inbound calls only (telephony: "
                                          f"inbound) and cannot place outbound calls; set telephony to outbound or both")
        require_e164("to", to)
        if from_ is not None:
            require_e164("from", from_)
        if initial_state is not None and not isinstance(initial_state, dict):
            raise invalid("initial_state", "The initial_state field must be a JSON object")
        try:  # the Python API's boundary (the server's bodies are already strict): docs/contract.md §7
            strict_json.check(initial_state, max_depth=strict_json.MAX_STATE_DEPTH, where="initial_state")
        except strict_json.StrictJsonError as exc:
            raise invalid("initial_state", f"The initial_state field is not plain JSON: {exc}") from None
        assistant = self.assistants[assistant_id]
        stream = stream if stream is not None else self._call_stream(key)
        record = CallRecord(self._next_call_id(stream), assistant_id, to, from_, self.clock.now_ms, initial_state,
                            direction)
        if caller is None:  # a scripted far end configured for the other party's number
            factory = self.callees.get(to if direction == OUTBOUND else from_ or "", self.default_caller)
            caller = factory(record)
        process = CallProcess(self.runtime, stream, record, assistant, self.brains[assistant_id], caller, front=front)
        self.calls[record.id] = process
        self._placed += 1
        self.active.add(record.id)
        process.start(plan)
        for listener in self.created_listeners:
            listener(record)
        return projections.call_created(record, self.clock)

    def place_inbound(self, from_: Any, to: Any, *, caller: Caller | None = None,
                      at: datetime | str | None = None, key: str | None = None) -> dict[str, Any]:
        """Someone at `from_` dials the provisioned number `to` (now, or at the virtual instant
        `at`: the engine first runs up to it); returns the create-call response shape.

        Raises ApiError: a malformed number (400), an unprovisioned number (404: the carrier
        rejects it, no call is created), a number whose routing names a missing or outbound-only
        assistant (400). See aployee_sim.platform.inbound and docs/inbound-transfers.md."""
        if at is not None:
            try:
                at_ms = self.clock.ms_at(parse_instant(at) if isinstance(at, str) else at)
            except (ValueError, TypeError):
                raise invalid("at", f"The at field must be an ISO 8601 instant, got {at!r}") from None
            if at_ms < self.clock.now_ms:
                raise invalid("at", f"The at field is in the virtual past ({at!r}; now is {self.now_iso()})")
            self.run(until_ms=at_ms)
        require_e164("from", from_)
        require_e164("to", to)
        entry = self.directory.number(to)
        stream = self._call_stream(key)
        plan = self.runtime.carrier.arrive(to, from_, stream, provisioned=entry is not None)
        if entry is None:
            known = ", ".join(sorted(self.directory.numbers)) or "none (load a configuration or call directory.add_number)"
            raise ApiError(404, f"The number {to} is not in service: it is not provisioned. Provisioned numbers: "
                                f"{known}", field="to")
        arrival = route_arrival(self.directory, entry, self.clock.instant(self.now_ms),
                                resolver(self.assistants, self.brains))
        created = self.start_call(arrival.assistant.id, to, from_, caller=caller, direction=INBOUND, plan=plan,
                                  front=arrival.desk, stream=stream)
        self.record(created["id"]).add(arrival.routed_event(self.now_ms, entry))
        return created

    # --- organizations and phone numbers (docs/contract.md §3) -----------------------------------------
    def create_organization(self, body: Any) -> dict[str, Any]:
        """`POST /v1/organizations`: forgotten on reset, like assistants (configured ones stay)."""
        if not isinstance(body, dict):
            raise invalid("body", "The request body must be a JSON object")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise invalid("name", "The name field is required")
        entry = OrganizationEntry(self.rng.make_id("org"), name, self.clock.now_ms, from_api=True)
        self.directory.organizations[entry.id] = entry
        return organization_resource(entry, self.clock)

    def get_organization(self, organization_id: str) -> dict[str, Any]:
        entry = self.directory.organizations.get(organization_id)
        if entry is None:
            raise not_found("Organization", organization_id)
        return organization_resource(entry, self.clock)

    def list_organizations(self, *, limit: Any = 20, offset: Any = 0) -> dict[str, Any]:
        items = [organization_resource(o, self.clock) for o in self.directory.organizations.values()]
        return paged(items, limit, offset)

    def get_phone_number(self, number_id: str) -> dict[str, Any]:
        entry = self.directory.number_by_id(number_id)
        if entry is None:
            raise not_found("Phone number", number_id)
        return number_resource(entry, self.assistants)

    def list_phone_numbers(self, *, limit: Any = 20, offset: Any = 0) -> dict[str, Any]:
        return paged([number_resource(n, self.assistants) for n in self.directory.numbers.values()], limit, offset)

    def _ended(self, record: CallRecord) -> None:
        self.active.discard(record.id)
        for listener in self.ended_listeners:
            listener(record)
        self._evict_after(record)  # after the listeners: a store has written the call by now

    def process(self, call_id: str) -> CallProcess:
        process = self.calls.get(call_id)
        if process is not None:
            return process
        stored = self.eviction.load(call_id) if self.eviction is not None else None
        if stored is None:
            raise not_found("Call", call_id)
        return self._ended_process(*stored)

    def record(self, call_id: str) -> CallRecord:
        return self.process(call_id).record

    # --- running -------------------------------------------------------------------------------
    def run(self, *, until_ms: int | None = None, seconds: float | None = None) -> int:
        """Run the engine until idle, until a virtual time, or for some virtual seconds."""
        if seconds is not None:
            until_ms = self.clock.now_ms + round(seconds * 1000)
        return self.engine.run(until_ms)

    # --- projections (exactly what the HTTP routes return) -------------------------------------
    def call_details(self, call_id: str) -> dict[str, Any]:
        return projections.call_details(self.record(call_id), self.clock)

    def live_state(self, call_id: str) -> dict[str, Any]:
        return projections.live_state(self.record(call_id), self.clock, self.clock.now_ms)

    def transcript(self, call_id: str) -> dict[str, Any]:
        return projections.transcript(self.record(call_id), self.clock)

    def timeline(self, call_id: str) -> dict[str, Any]:
        return projections.timeline(self.record(call_id), self.clock)

    def latency(self, call_id: str) -> dict[str, Any]:
        return projections.latency(self.record(call_id))

    def events(self, call_id: str) -> list[ev.Event]:
        """The full internal event log (public and simulator-only types)."""
        return list(self.record(call_id).events)

    def exchanges(self, call_id: str | None = None, *, kind: Kind | None = None,
                  wall_clock: bool = True) -> list[dict[str, Any]]:
        """Every webhook and MCP tool exchange so far (or one call's; only those of `kind`, "webhook"
        or "mcp", if given), requests rebuilt from the log. `wall_clock=False` leaves out the one
        non-deterministic figure (an MCP call's `wall_ms`)."""
        processes = [self.process(call_id)] if call_id else list(self.calls.values())
        return [projections.exchange_view(x, p.record, self.clock, wall_clock=wall_clock)
                for p in processes for x in p.exchanges if kind is None or x.kind == kind]

    def list_calls(self, *, assistant_id: str | None = None, status: str | None = None, from_date: Any = None,
                   to_date: Any = None, limit: Any = 20, offset: Any = 0) -> dict[str, Any]:
        """`GET /v1/calls`: newest first, filtered, paginated (docs/contract.md §2 decisions)."""
        if status is not None and status not in STATUSES:
            raise invalid("status", f"The status parameter must be one of {', '.join(STATUSES)}, got {status!r}")
        low = date_param("from_date", from_date, self.clock, end=False)
        high = date_param("to_date", to_date, self.clock, end=True)
        evicted = self.eviction.evicted.values() if self.eviction is not None else ()
        records: list[CallRecord | Evicted] = [
            r for r in [*(p.record for p in self.calls.values()), *evicted]
            if (assistant_id is None or r.assistant_id == assistant_id) and (status is None or r.status == status)
            and (low is None or r.created_ms >= low) and (high is None or r.created_ms <= high)]
        records.sort(key=lambda r: (-r.created_ms, r.id))
        envelope = paged(records, limit, offset)
        envelope["data"] = [projections.call_details(r if isinstance(r, CallRecord) else self.record(r.id), self.clock)
                            for r in envelope["data"]]
        return envelope

    def line(self, call_id: str) -> CallLine:
        """The far end's side of a call, to drive it as the other party."""
        return self.process(call_id).line

    def is_terminal(self, call_id: str) -> bool:
        return self.record(call_id).status in TERMINAL
