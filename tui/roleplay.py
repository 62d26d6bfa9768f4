"""Role-play sessions: the person at the keyboard is the far end of a call.

`LocalRolePlay` drives an in-process platform: the caller is a `LiveCaller`, and virtual time
follows the wall clock through `aployee_sim.core.clock.WallPacer` (the only wall-clock reader), one
`platform.run(until_ms=…)` per UI tick. `RemoteRolePlay` drives a call on a running server
through `/_sim/calls/{id}/say|digits|hangup` and polls its live state; its methods block on
HTTP, so screens call them from worker threads (`blocking = True`).

A local session can also hand the caller role to a persona (docs/personas.md): the call's caller is a
`PersonaCaller` whose model (`scenario.completions.LiveModel`: $APLOYEE_SIM_MODEL_URL and
$APLOYEE_SIM_MODEL, or `model:` in ./aployee-sim.yaml) is asked live, with no cassette, and the user
watches. The model is asked inside an engine run, so such a session is `blocking`: its ticks run in a
worker thread, one at a time (a tick that finds the engine still waiting for the model shows the last
view), and the pacer restarts from the engine's time after each run, so the model's wall latency never
becomes virtual time, as in a scenario.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from aployee_sim.contract import events as ev
from aployee_sim.core.chat import ModelError
from aployee_sim.core.clock import WallPacer
from aployee_sim.fakes.callers import LiveCaller, PersonaCaller
from aployee_sim.platform.platform import Platform
from aployee_sim.tui.model import LiveView
from aployee_sim.tui.sources import SourceError, api_errors
from aployee_sim.tui.sources.http_source import ApiClient, items_of

if TYPE_CHECKING:
    from aployee_sim.scenario.completions import LiveModel

DEFAULT_TO = "+15551234567"
DEFAULT_INBOUND_FROM = "+15557654321"
PERSONA_ASKER = "the role-play persona"  # how the model's errors name who asked


class Pacer(Protocol):
    def virtual_now_ms(self) -> int: ...


@dataclass(frozen=True)
class PersonaPlan:
    """A persona to play the caller instead of the person at the keyboard."""

    persona: str
    goal: str
    max_turns: int = 8


def persona_note(caller: PersonaCaller) -> str:
    """One line on what the persona is doing, for the status line."""
    if caller.failures:
        return f"persona: {caller.failures[-1]}"
    if caller.hang_up_reason is not None:
        return f"persona hung up: {caller.hang_up_reason}"
    if caller.stopped_by_max_turns:
        return f"persona hung up after max_turns ({caller.max_turns})"
    return f"persona: {caller.turns} of {caller.max_turns} turns"


class RolePlay(Protocol):
    blocking: bool
    call_id: str | None

    def assistants(self) -> list[tuple[str, str]]:
        """(id, name) of every assistant that can take a call."""

    def can_place_inbound(self) -> bool: ...

    def inbound_numbers(self) -> list[str]:
        """Provisioned numbers a caller can dial (inbound role-play)."""

    def start(self, assistant_id: str, to: str, from_: str | None, *, inbound: bool = False,
              persona: PersonaPlan | None = None) -> str: ...

    def can_play_persona(self) -> bool:
        """Whether `start` can hand the caller role to a persona."""

    def close(self) -> None: ...

    def attach(self, call_id: str) -> None: ...

    def say(self, text: str, *, confidence: float | None = None) -> None:
        """Speak `text`; `confidence` is the recogniser's (voice mode), None for typed lines."""

    def press(self, digits: str) -> None: ...

    def hang_up(self) -> None: ...

    def tick(self) -> LiveView: ...

    def notice(self) -> str | None:
        """Something the caller should know before talking (e.g. the clock will not wait for them)."""


def live_view(live: dict[str, Any], now: str, on_hold: bool = False) -> LiveView:
    """A `GET /v1/calls/{id}/live-state` body as a `LiveView`."""
    return LiveView(call_id=live["call_id"], status=live["status"], now=now,
                    duration_seconds=live["duration_seconds"], transcript=live["transcript"],
                    state=live["current_state"], reasoning_active=live["reasoning_status"]["active"],
                    on_hold=on_hold)


class LocalRolePlay:
    def __init__(self, platform: Platform, *, speed: float = 1.0, pacer: Pacer | None = None,
                 after_run: Callable[[], None] | None = None, model: LiveModel | None = None) -> None:
        """`after_run` is called after each engine run (e.g. a `StoreWriter.flush` to keep a store current);
        `model` plays personas (default: the configured one, made when a persona call starts)."""
        self.platform = platform
        self._after_run = after_run
        self.speed = speed
        self._fixed_pacer = pacer
        self._pacer: Pacer | None = pacer
        self.call_id: str | None = None
        self.blocking = False  # True once a persona plays the caller: the engine then waits on the model
        self.model = model
        self.persona: PersonaCaller | None = None
        self._engine = threading.Lock()  # one engine run at a time (ticks of a persona call run in threads)
        self._last: LiveView | None = None

    def can_play_persona(self) -> bool:
        return True

    def _persona_caller(self, plan: PersonaPlan) -> PersonaCaller:
        """The persona's caller, or `SourceError` before any call is placed when no model is configured."""
        if self.model is None:
            from aployee_sim.scenario.completions import LiveModel
            self.model = LiveModel()
        try:
            self.model.check(PERSONA_ASKER)
        except ModelError as exc:
            raise SourceError(str(exc)) from None
        return PersonaCaller(plan.persona, plan.goal, self.model.completer(PERSONA_ASKER), max_turns=plan.max_turns)

    def close(self) -> None:
        if self.model is not None:
            self.model.close()

    def assistants(self) -> list[tuple[str, str]]:
        return [(a.id, a.name) for a in self.platform.assistants.values()]

    def can_place_inbound(self) -> bool:
        return callable(getattr(self.platform, "place_inbound", None))

    def inbound_numbers(self) -> list[str]:
        directory = getattr(self.platform, "directory", None)
        return sorted(directory.numbers) if directory is not None else []

    def start(self, assistant_id: str, to: str, from_: str | None, *, inbound: bool = False,
              persona: PersonaPlan | None = None) -> str:
        caller = self._persona_caller(persona) if persona is not None else LiveCaller()
        with api_errors(), self._engine:
            if inbound:  # the number's routing picks the assistant; the far end is driven via its line
                if not self.can_place_inbound():
                    raise SourceError("this simulator cannot place inbound calls yet")
                created = self.platform.place_inbound(from_ or DEFAULT_INBOUND_FROM, to, caller=caller)
            else:
                created = self.platform.start_call(assistant_id, to, from_, caller=caller)
        self.persona = caller if isinstance(caller, PersonaCaller) else None
        self.blocking = self.blocking or self.persona is not None
        self.attach(created["id"])
        return created["id"]

    def attach(self, call_id: str) -> None:
        with api_errors():
            self.platform.record(call_id)
        self.call_id = call_id
        if self._fixed_pacer is None:  # real time from now on, however long the app sat idle
            self._pacer = WallPacer(self.speed, start_ms=self.platform.now_ms)

    def _attached(self) -> tuple[str, Pacer]:
        """The call and the pacer of its clock; `SourceError` before a call is started or attached."""
        if self.call_id is None or self._pacer is None:
            raise SourceError("no call: start one first")
        return self.call_id, self._pacer

    def _line(self):
        return self.platform.line(self._attached()[0])

    def say(self, text: str, *, confidence: float | None = None) -> None:
        with self._engine:
            self._line().say(text, confidence=confidence)

    def press(self, digits: str) -> None:
        with self._engine:
            self._line().press(digits)

    def hang_up(self) -> None:
        with self._engine:
            self._line().hang_up()

    def notice(self) -> str | None:
        return None

    def tick(self) -> LiveView:
        call_id, pacer = self._attached()
        if not self._engine.acquire(blocking=False):  # the engine is waiting for the persona's model
            if self._last is not None:
                return replace(self._last, caller_note="persona: asking the model…")
            self._engine.acquire()
        try:
            self._last = self._run_to(call_id, pacer)
        finally:
            self._engine.release()
        return self._last

    def _run_to(self, call_id: str, pacer: Pacer) -> LiveView:
        platform = self.platform
        target = pacer.virtual_now_ms()
        if target > platform.now_ms:
            platform.run(until_ms=target)
            if self.persona is not None and isinstance(pacer, WallPacer):
                pacer.rebase(platform.now_ms)  # the model's wall time is no virtual time
            if self._after_run is not None:
                self._after_run()
        now = platform.now_ms
        record = platform.record(call_id)
        on_hold = any(isinstance(e, ev.HoldMusic) and e.t_ms <= now < e.t_ms + e.duration_ms
                      for e in record.events[-8:])
        view = live_view(platform.live_state(call_id), platform.now_iso(), on_hold)
        return replace(view, caller_note=persona_note(self.persona)) if self.persona is not None else view


class RemoteRolePlay:
    """The far end of a call on a running server (its clock runs there, e.g. `--clock realtime`)."""

    blocking = True

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.call_id: str | None = None

    def assistants(self) -> list[tuple[str, str]]:
        return [(a["id"], a.get("name", "")) for a in self.client.assistants()]

    def can_place_inbound(self) -> bool:
        return True

    def inbound_numbers(self) -> list[str]:
        return sorted(n["number"] for n in items_of(self.client.get("/v1/phone-numbers")) if "number" in n)

    def can_play_persona(self) -> bool:
        """A server's calls are played by its own engine: the persona would have to live there."""
        return False

    def close(self) -> None:
        pass

    def start(self, assistant_id: str, to: str, from_: str | None, *, inbound: bool = False,
              persona: PersonaPlan | None = None) -> str:
        if persona is not None:
            raise SourceError("a persona caller plays only in the in-process playground (`aployee-sim tui` "
                              "without --url)")
        if inbound:
            created = self.client.post("/_sim/inbound", {"from": from_ or DEFAULT_INBOUND_FROM, "to": to})
        else:
            body = {"assistant_id": assistant_id, "to": to}
            if from_:
                body["from"] = from_
            created = self.client.post("/v1/calls", body)
        self.call_id = created["id"]
        return self.call_id

    def attach(self, call_id: str) -> None:
        self.client.get(f"/v1/calls/{call_id}")
        self.call_id = call_id

    def say(self, text: str, *, confidence: float | None = None) -> None:
        """A spoken line's ASR confidence travels with it (the say route's optional `confidence`)."""
        body: dict[str, Any] = {"text": text} if confidence is None else {"text": text, "confidence": confidence}
        self.client.post(f"/_sim/calls/{self.call_id}/say", body)

    def press(self, digits: str) -> None:
        self.client.post(f"/_sim/calls/{self.call_id}/digits", {"digits": digits})

    def hang_up(self) -> None:
        self.client.post(f"/_sim/calls/{self.call_id}/hangup", {})

    def notice(self) -> str | None:
        mode = self.client.get("/_sim/clock").get("mode")
        if mode == "auto":
            return ("the server's clock is in auto mode: it skips idle time, so the call may time out before "
                    "you type. Start it with `aployee-sim serve --clock realtime` to role-play.")
        if mode == "manual":
            return "the server's clock is manual: the call moves only when /_sim/clock/advance is called."
        return None

    def tick(self) -> LiveView:
        live = self.client.get(f"/v1/calls/{self.call_id}/live-state")
        now = self.client.clock_now()
        return live_view(live, now)
