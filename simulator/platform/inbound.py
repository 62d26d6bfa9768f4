"""Inbound calls (CONTRACT §5): someone dials a provisioned number and routing decides who answers.

The call record is created like an outbound one, with `to` = the dialled number, `from` = the
caller and direction `inbound`; it rings briefly at the platform, connects, and then:

- routed to an **assistant**: that assistant greets the caller, as on an outbound call;
- routed to a **forward** number: the call is transferred cold at once (`transfer_initiated` with
  trigger `routing`); accepted, it ends `transferred`; declined or unanswered, the number's
  assistant takes the call;
- routed to an **IVR menu**: the platform speaks the prompt (an `assistant_speech` with
  `source: "ivr"`), the caller presses a key or says an option's words, invalid input and
  silence repeat the prompt up to the menu's `attempts`, and the chosen option leads on to an
  assistant, another menu, or a forward.

The time-based rules are evaluated once, when the call arrives, on the virtual clock.
The record's `assistant_id` is the assistant routing chose at arrival, else the number's
assistant, else the first assistant the rule set can reach; when a menu later hands the call
to another assistant, `assistant_id` becomes that assistant (an internal `routed` event).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aployee_sim.contract import events as ev
from aployee_sim.contract.errors import ApiError, invalid, require_e164
from aployee_sim.contract.lifecycle import COMPLETED, IN_PROGRESS
from aployee_sim.contract.models import Assistant
from aployee_sim.core.engine import Timer
from aployee_sim.core.reasoning import BuiltinBrain
from aployee_sim.core.record import INBOUND
from aployee_sim.core.routing import Destination, Menu
from aployee_sim.platform.directory import Directory, NumberEntry

if TYPE_CHECKING:
    from aployee_sim.core.call_process import CallProcess
    from aployee_sim.core.ports import Caller
    from aployee_sim.platform.platform import Platform

GOODBYE = "Sorry, we could not process your selection. Goodbye."
Resolve = Callable[[str], tuple[Assistant, BuiltinBrain]]


def place_inbound(platform: Platform, from_: Any, to: Any, caller: Caller | None = None) -> dict[str, Any]:
    """Someone at `from_` dials `to` now; returns the create-call response (status `initiated`)."""
    require_e164("from", from_)
    require_e164("to", to)
    directory: Directory = platform.directory
    entry = directory.number(to)
    plan = platform.runtime.carrier.arrive(to, from_, platform.rng, provisioned=entry is not None)
    if entry is None:
        known = ", ".join(sorted(directory.numbers)) or "none (load a configuration or call directory.add_number)"
        raise ApiError(404, f"The number {to} is not in service: it is not provisioned. Provisioned numbers: {known}",
                       field="to")
    # Every assistant the call may reach, resolved now: a menu choice minutes later uses this
    # snapshot, so deleting or renaming an assistant mid-call cannot break the call.
    resolve = _resolver(platform)
    reachable = directory.reachable(entry)
    assistants = {d.assistant: _check_inbound(entry, d.assistant, resolve) for d in reachable if d.assistant}
    rule_index, dest = None, None
    if entry.routing is not None:
        rule_index, dest = directory.rule_sets[entry.routing].select(platform.clock.instant(platform.now_ms))
    if dest is None:  # outside every window and no default: the number's assistant (checked at load)
        dest = Destination(assistant=entry.assistant)
    home = dest.assistant or entry.assistant or next(d.assistant for d in reachable if d.assistant is not None)
    assistant, _ = assistants[home]
    front = None if dest.assistant is not None else FrontDesk(dest, directory.menus, assistants.__getitem__, home)
    created = platform.start_call(assistant.id, to, from_, caller=caller, direction=INBOUND, plan=plan, front=front)
    record = platform.record(created["id"])
    record.log(platform.now_ms, ev.INBOUND_ROUTED, {
        "number": to, "rule_set": entry.routing, "rule": rule_index, "destination": {dest.kind: dest.value}})
    return created


def _resolver(platform: Platform) -> Resolve:
    """An assistant reference (an id, else a unique name) -> the assistant and its brain."""
    def resolve(ref: str) -> tuple[Assistant, BuiltinBrain]:
        found = platform.assistants.get(ref)
        if found is None:
            named = [a for a in platform.assistants.values() if a.name == ref]
            if len(named) != 1:
                why = "two assistants have that name" if named else "no assistant has that id or name"
                raise LookupError(f"{why} ({ref!r})")
            found = named[0]
        return found, platform.brains[found.id]
    return resolve


def _check_inbound(entry: NumberEntry, ref: str, resolve: Resolve) -> tuple[Assistant, BuiltinBrain]:
    """The assistant `ref` names, if it exists and takes inbound calls; else a 400 on `to`."""
    try:
        assistant, brain = resolve(ref)
    except LookupError as exc:
        raise invalid("to", f"The number {entry.number} routes to assistant {ref!r}, which cannot be "
                            f"found: {exc.args[0]}") from None
    if assistant.telephony == "outbound":
        raise invalid("to", f"The number {entry.number} routes to assistant {assistant.id} ({assistant.name}), "
                            f"which handles outbound calls only (telephony: outbound); set telephony to "
                            f"inbound or both")
    return assistant, brain


class FrontDesk:
    """Holds an inbound call before an assistant does: runs IVR menus, or forwards the call.

    It is the `front` of a `CallProcess`: the process calls `connected`, `heard` and `pressed`
    while it is set; the desk ends its job with `process.hand_over` or `process.forward`.
    """

    def __init__(self, first: Destination, menus: Mapping[str, Menu], resolve: Resolve, home: str) -> None:
        self.first = first
        self.menus = menus
        self.resolve = resolve
        self.home = home  # who takes the call when a forward is not answered
        self.process: CallProcess | None = None
        self.menu_name: str | None = None
        self.attempt = 0
        self.timer: Timer | None = None

    @property
    def menu(self) -> Menu | None:
        return self.menus[self.menu_name] if self.menu_name is not None else None

    def connected(self, process: CallProcess) -> None:
        self.process = process
        self._go(self.first)

    def _go(self, dest: Destination) -> None:
        process = self.process
        self.menu_name = None
        if dest.assistant is not None:
            process.hand_over(*self.resolve(dest.assistant))
        elif dest.forward is not None:
            process.forward(dest.forward, fallback=lambda: process.hand_over(*self.resolve(self.home)))
        else:
            self.menu_name, self.attempt = dest.menu, 1
            self._play(self.menu.prompt)

    def _play(self, text: str) -> None:
        self._cancel_timer()
        self.process.platform_say(text, self._listen, {"menu": self.menu_name, "attempt": self.attempt})

    def _listen(self) -> None:
        """The prompt has been said: wait for the caller's choice (for the menu's timeout)."""
        menu = self.menu
        if menu is None:
            return
        self.timer = self.process.rt.engine.schedule(round(menu.timeout_seconds * 1000), self._timed_out)
        self.process.caller.your_turn()

    def stop(self) -> None:
        """The call ended while the front desk held it: nothing more to wait for."""
        self._cancel_timer()

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def pressed(self, keys: str) -> None:
        menu = self.menu
        if menu is None or not keys:
            return
        process = self.process
        if process.speaking is not None:  # a key interrupts the prompt
            process.speaking.cancel()
            process.speaking = None
        self._choose(menu.by_keys(keys), keys, "digits")

    def heard(self, text: str) -> None:
        menu = self.menu
        if menu is not None:
            self._choose(menu.by_speech(text), text, "speech")

    def _timed_out(self, _: Any) -> None:
        self.timer = None
        process = self.process
        if self.menu is None or process.call.status != IN_PROGRESS or process._user_timer is not None:
            return  # over, or the caller is mid-sentence (then `heard` decides)
        self._log("", "timeout", None)
        self._retry(self.menu.timeout_prompt)

    def _choose(self, option: Any, given: str, by: str) -> None:
        self._cancel_timer()
        menu = self.menu
        self._log(given, by, menu.options.index(option) if option is not None else None)
        if option is None:
            self._retry(menu.invalid_prompt)
        else:
            self._go(option.target())

    def _log(self, given: str, by: str, option: int | None) -> None:
        process = self.process
        process.call.log(process.rt.engine.now_ms, ev.IVR_CHOICE,
                         {"menu": self.menu_name, "input": given, "by": by, "option": option})

    def _retry(self, apology: str) -> None:
        menu = self.menu
        if self.attempt < menu.attempts:
            self.attempt += 1
            self._play(f"{apology} {menu.prompt}")
        elif menu.on_failure is not None:
            self._go(menu.on_failure)
        else:
            self._play_goodbye()

    def _play_goodbye(self) -> None:
        process = self.process
        data = {"menu": self.menu_name, "attempt": self.attempt}
        self.menu_name = None
        process.platform_say(GOODBYE, lambda: process._end(COMPLETED, ev.IVR_FAILED), data)
