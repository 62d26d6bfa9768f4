"""The reasoning agent's side of a turn: backends that answer, and the rules that read answers.

A backend is anything callable as `backend(url, request, timeout_ms) -> Delivery | PendingDelivery`.
The core never does I/O itself: real HTTP is an adapter (`aployee_sim.adapters.webhook_http`) plugged
in by composition; it begins the request and hands back a `PendingDelivery`, which the call collects
only when virtual time reaches the moment the answer is needed (pipelined delivery). In-process
backends (a Python callable, declarative stub rules, the built-in scripted brain) live here and
answer with a `Delivery` at once. `interpret` applies docs/contract.md §4 to whatever came back, so every backend is judged
by the same rules and a bad answer never crashes a call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aployee_sim.contract import strict_json
from aployee_sim.contract.errors import is_e164
from aployee_sim.contract.exchanges import Exchange
from aployee_sim.core.phrases import Pattern, PatternTimeout, any_phrase_in, phrase_in

MAX_RESPONSE_BYTES = 1 << 20  # a webhook answer over 1 MiB is refused (docs/contract.md §4)
MAX_MCP_MESSAGE_BYTES = MAX_RESPONSE_BYTES + (64 << 10)
"""One message from an MCP server (a tool result, a `tools/list` answer, with their JSON-RPC envelope),
counted as the bytes arrive: a tool result's 1 MiB of content and room for its envelope (docs/contract.md §7)."""
DEFAULT_IN_FLIGHT = 64  # real webhook requests in flight at once across calls (1: sequential delivery)
MAX_REPLY_CHARS = 4000
"""The longest `reply` the assistant will speak (docs/contract.md §7). 4,000 characters are about
650 words, four minutes of speech at the modelled 165 words a minute: far more than any turn of a
phone conversation, while a 1 MiB reply would be one 20-hour utterance and would bloat every
transcript and details response. A longer reply is a failed answer, recorded on `webhook_called`."""
MAX_ERROR_CHARS = 500  # a backend's error text is recorded on the timeline: kept short and valid UTF-8


@dataclass(slots=True)
class Delivery:
    """What a backend answered, at the transport level, before interpretation.

    `latency_ms` is the virtual round trip; None lets the platform draw its modelled latency.
    `vetted` marks a delivery it passed (or a backend one whose body it already copied through the
    strict policy), so the router and `interpret` do not walk the same body twice on every turn.
    `exchanges` are the round trips the backend made on its own (an MCP turn's tool calls), for the
    call to record; a webhook round trip is recorded by the call itself, which knows its request.
    """

    body: Any = None
    status_code: int | None = 200
    error: str | None = None
    latency_ms: int | None = None
    vetted: bool = False
    exchanges: tuple[Exchange, ...] = ()


@dataclass(slots=True)
class Decision:
    """What a delivery means for the call: a reply to speak, a new state, a transfer, or an error."""

    reply: str | None = None
    state: dict[str, Any] | None = None
    transfer_target: str | None = None
    error: str | None = None


class PendingDelivery(Protocol):
    """A request to the outside world that is already on its way; its answer is collected later.

    `collect()` blocks the caller on the wall clock until the answer is in, and never past the
    exchange's own deadline (it then returns the timeout as a `Delivery`); it never raises.
    `done()` says whether `collect()` would return at once (so a waiter can skip releasing locks).
    The virtual round trip is not the handle's business: the call draws it when the request goes out.
    """

    def done(self) -> bool: ...

    def collect(self) -> Delivery: ...


class ReasoningBackend(Protocol):
    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery | PendingDelivery: ...


def vetted(delivery: Delivery) -> Delivery:
    """The delivery as it may be recorded and emitted: a body strict JSON cannot carry (NaN, 1e999,
    nesting past `strict_json.MAX_DEPTH`, a non-string key, an unpaired surrogate) is dropped and
    becomes the delivery's error; an error text is cut to `MAX_ERROR_CHARS` of valid UTF-8.

    Whatever a transport or an in-process callable hands back, what reaches the call's record,
    its exchanges and the store is then always strict JSON (docs/contract.md §7)."""
    if delivery.vetted:
        return delivery
    status = delivery.status_code if isinstance(delivery.status_code, int | None) else None
    if delivery.error is None:
        problem = _strict_problem(delivery.body)
        if status != delivery.status_code:
            problem = problem or f"status code {delivery.status_code!r} is not an integer"
        if problem is None:
            delivery.vetted = True
            return delivery
        return Delivery(status_code=status, error=problem, latency_ms=delivery.latency_ms)
    error = str(delivery.error)
    clean = error[:MAX_ERROR_CHARS].encode("utf-8", "replace").decode("utf-8")
    if clean == delivery.error and status == delivery.status_code:
        return delivery
    return Delivery(status_code=status, error=clean, latency_ms=delivery.latency_ms)


def _strict_problem(body: Any) -> str | None:
    try:
        strict_json.check(body)
    except strict_json.StrictJsonError as exc:
        return f"response is not strict JSON: {str(exc)[:MAX_ERROR_CHARS]}"
    return None


def interpret(delivery: Delivery) -> Decision:
    """Apply docs/contract.md §4 and §7 to a delivery; any violation becomes `Decision.error` and changes
    nothing (the call goes on, the conversation agent answers on its own)."""
    delivery = vetted(delivery)
    if delivery.error is not None:
        return Decision(error=delivery.error)
    if delivery.status_code is not None and not 200 <= delivery.status_code < 300:
        return Decision(error=f"HTTP {delivery.status_code}")
    body = delivery.body
    if not isinstance(body, dict):
        return Decision(error=f"response is not a JSON object (got {type(body).__name__})")
    reply, state, action = body.get("reply"), body.get("state"), body.get("action")
    if reply is not None and not isinstance(reply, str):
        return Decision(error=f"reply must be a string, got {type(reply).__name__}")
    if reply is not None and len(reply) > MAX_REPLY_CHARS:
        return Decision(error=f"reply is {len(reply)} characters long; the spoken-reply limit is "
                              f"{MAX_REPLY_CHARS} (about four minutes of speech)")
    if state is not None and not isinstance(state, dict):
        return Decision(error=f"state must be a JSON object, got {type(state).__name__}")
    target = None
    if action is not None:
        if action != "transfer":
            return Decision(error=f"invalid action {action!r:.80}; the only action is 'transfer'")
        target = body.get("target")
        if not is_e164(target):
            return Decision(error=f"invalid transfer target {target!r:.80}; expected an E.164 number like +15551234567")
    return Decision(reply=reply or None, state=state, transfer_target=target)


def timed_out(delivery: Delivery, timeout_ms: int) -> Delivery:
    """A delivery slower than the timeout becomes a timeout error at exactly the timeout."""
    if delivery.latency_ms is not None and delivery.latency_ms > timeout_ms:
        return Delivery(status_code=None, error=f"timeout after {timeout_ms} ms", latency_ms=timeout_ms)
    return delivery


# --- In-process backends ---------------------------------------------------------------------
class CallableBackend:
    """A Python function as the webhook: `fn(request) -> response body` (a dict).

    The function gets a private copy of the request, and its answer is copied too, through the
    strict JSON policy, exactly as over HTTP: it can never change the call's state behind the
    platform's back, and an answer strict JSON cannot carry is the webhook's error. An exception
    it raises is recorded as the webhook's error, as a 500 from a real server would be.
    """

    def __init__(self, fn: Callable[[dict[str, Any]], Any], latency_ms: int | None = None) -> None:
        self.fn = fn
        self.latency_ms = latency_ms

    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery:
        try:
            body = self.fn(_private_copy(request))
        except Exception as exc:  # the integrator's code failing is data, not a simulator crash
            return Delivery(status_code=500, error=f"handler raised {type(exc).__name__}: {exc}",
                            latency_ms=self.latency_ms)
        try:
            return Delivery(body=strict_json.copy(body), latency_ms=self.latency_ms, vetted=True)
        except strict_json.StrictJsonError as exc:
            return Delivery(error=f"response is not strict JSON: {str(exc)[:MAX_ERROR_CHARS]}",
                            latency_ms=self.latency_ms)


def _private_copy(request: dict[str, Any]) -> dict[str, Any]:
    """The webhook request with a deep copy of its state, the one value it shares with the call (its
    `context` lines are built fresh for each request, the rest are strings). The state already
    passed the strict policy, so it is copied without a second check."""
    return {**request, "state": strict_json.copy(request["state"], checked=True)}


FAILURES: dict[str, Callable[[], Delivery]] = {
    "timeout": lambda: Delivery(status_code=None, error="timeout", latency_ms=10**9),
    "connection_error": lambda: Delivery(status_code=None, error="connection error: connection refused"),
    "http_500": lambda: Delivery(body={"error": "internal"}, status_code=500),
    "bad_json": lambda: Delivery(status_code=200, error="invalid JSON: Expecting value: line 1 column 1 (char 0)"),
    "oversized": lambda: Delivery(status_code=200, error=f"response over {MAX_RESPONSE_BYTES} bytes"),
}


@dataclass(slots=True)
class StubRule:
    """When the utterance matches, answer this: `match` as whole words, `pattern` as a bounded regex
    (the one rule of `aployee_sim.core.phrases`). Empty `match` and `pattern` match everything.

    `state` replaces the call state (as a webhook does); `update` merges keys into it.
    `fail` picks one of FAILURES instead of answering; `delay_ms` is the virtual round trip.
    """

    match: str | None = None
    pattern: str | None = None
    reply: str | None = None
    state: dict[str, Any] | None = None
    update: dict[str, Any] | None = None
    action: str | None = None
    target: str | None = None
    delay_ms: int | None = None
    fail: str | None = None
    status: int | None = None
    _regex: Pattern | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fail is not None and self.fail not in FAILURES:
            raise ValueError(f"unknown failure {self.fail!r}; allowed: {', '.join(FAILURES)}")
        self._regex = Pattern(self.pattern) if self.pattern else None

    def matches(self, utterance: str) -> bool:
        """Raises `PatternTimeout` when the pattern is stopped on this utterance."""
        if self.match and self.match.strip() and not phrase_in(self.match, utterance):
            return False
        return self._regex is None or self._regex.search(utterance) is not None

    def answer(self, request: Mapping[str, Any]) -> Delivery:
        if self.fail is not None:
            delivery = FAILURES[self.fail]()
            if self.delay_ms is not None and self.fail != "timeout":
                delivery.latency_ms = self.delay_ms
            return delivery
        body: dict[str, Any] = {}
        if self.reply is not None:
            body["reply"] = self.reply
        state = dict(self.state) if self.state is not None else dict(request["state"])
        if self.update:
            state.update(self.update)
        body["state"] = state
        if self.action is not None:
            body["action"] = self.action
            body["target"] = self.target
        return Delivery(body=body, status_code=self.status or 200, latency_ms=self.delay_ms)


class StubBackend:
    """Declarative webhook stub: the first matching rule answers; no match keeps the state, no reply."""

    def __init__(self, rules: list[StubRule]) -> None:
        self.rules = rules

    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery:
        utterance = request["utterance"]
        try:
            rule = next((rule for rule in self.rules if rule.matches(utterance)), None)
        except PatternTimeout as exc:
            return pattern_stopped(exc)
        return rule.answer(request) if rule is not None else Delivery(body={"state": request["state"]})


@dataclass(slots=True)
class Intent:
    """A built-in brain intent: any keyword (whole words), or the bounded regex, triggers the reply
    and state update."""

    reply: str | None = None
    keywords: list[str] = field(default_factory=list)
    pattern: str | None = None
    update: dict[str, Any] = field(default_factory=dict)
    transfer_to: str | None = None
    _regex: Pattern | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._regex = Pattern(self.pattern) if self.pattern else None

    def matches(self, utterance: str) -> bool:
        """Raises `PatternTimeout` when the pattern is stopped on this utterance."""
        if any_phrase_in(self.keywords, utterance):
            return True
        return self._regex is not None and self._regex.search(utterance) is not None


class BuiltinBrain:
    """`reasoning_mode: builtin`: a deterministic scripted stand-in for the platform's LLM."""

    def __init__(self, intents: list[Intent] | None = None, fallback: str | None = None) -> None:
        self.intents = intents or []
        self.fallback = fallback

    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery:
        try:
            intent = next((intent for intent in self.intents if intent.matches(request["utterance"])), None)
        except PatternTimeout as exc:
            return pattern_stopped(exc)
        if intent is not None:
            body: dict[str, Any] = {"state": {**request["state"], **intent.update}}
            if intent.reply:
                body["reply"] = intent.reply
            if intent.transfer_to:
                body.update(action="transfer", target=intent.transfer_to)
            return Delivery(body=body)
        body = {"state": request["state"]}
        if self.fallback:
            body["reply"] = self.fallback
        return Delivery(body=body)


def pattern_stopped(exc: PatternTimeout) -> Delivery:
    """A rule's pattern stopped at its bound: the turn's error, recorded like a failed webhook answer
    (the call goes on, the conversation agent answers on its own)."""
    return Delivery(status_code=None, error=str(exc), latency_ms=0)


class ReasoningRouter:
    """Sends each webhook request to the in-process backend registered for its URL, else to
    the fallback (the real HTTP adapter in composition), else reports a connection error.
    Every answer is `vetted`, so a hostile body is never recorded as the exchange's response."""

    def __init__(self, fallback: ReasoningBackend | None = None) -> None:
        self.routes: dict[str, ReasoningBackend] = {}
        self.fallback = fallback

    def route(self, url: str, backend: ReasoningBackend) -> None:
        self.routes[url] = backend

    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery | PendingDelivery:
        backend = self.routes.get(url) or self.fallback
        if backend is None:
            return Delivery(status_code=None, error=f"connection error: nothing listens at {url}")
        answer = backend(url, request, timeout_ms)
        return vetted(answer) if isinstance(answer, Delivery) else _VettedWhenCollected(answer)


class _VettedWhenCollected:
    """A pending answer from the router: `vetted` like an immediate one, once it is collected."""

    __slots__ = ("_pending",)

    def __init__(self, pending: PendingDelivery) -> None:
        self._pending = pending

    def done(self) -> bool:
        return self._pending.done()

    def collect(self) -> Delivery:
        return vetted(self._pending.collect())
