"""Inbound calls (docs/contract.md §5): someone dials a provisioned number and routing decides who answers.

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

This module holds the rules (`route_arrival`, pure) and the `InboundDesk` that carries them out on
the call (the core's `ports.FrontDesk`, driving a `ports.HeldCall`); `Platform.place_inbound`
puts the two together with the carrier and the call's creation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from aployee_sim.contract import events as ev
from aployee_sim.contract.errors import invalid
from aployee_sim.contract.lifecycle import COMPLETED
from aployee_sim.contract.models import Assistant
from aployee_sim.core.engine import Timer
from aployee_sim.core.ports import HeldCall
from aployee_sim.core.reasoning import ReasoningBackend
from aployee_sim.core.routing import Destination, Menu, Option
from aployee_sim.platform.directory import Directory, NumberEntry

GOODBYE = "Sorry, we could not process your selection. Goodbye."
Resolve = Callable[[str], tuple[Assistant, ReasoningBackend]]


@dataclass(frozen=True, slots=True)
class Arrival:
    """What routing decided for an inbound call when it arrived."""

    assistant: Assistant          # the record's assistant_id (see the module docstring)
    destination: Destination
    rule: int | None              # the index of the matching rule, or None
    desk: InboundDesk | None      # None when an assistant answers at once

    def routed_event(self, t_ms: int, entry: NumberEntry) -> ev.InboundRouted:
        """The call's `inbound_routed` event."""
        dest = self.destination
        return ev.InboundRouted(t_ms, number=entry.number, rule_set=entry.routing, rule=self.rule,
                                destination={dest.kind: dest.value})


def route_arrival(directory: Directory, entry: NumberEntry, instant: datetime, resolve: Resolve) -> Arrival:
    """Where a call to `entry` arriving at `instant` goes; raises ApiError (400 on `to`) when its
    routing names a missing or outbound-only assistant."""
    # Every assistant the call may reach, resolved now: a menu choice minutes later uses this
    # snapshot, so deleting or renaming an assistant mid-call cannot break the call.
    reachable = directory.reachable(entry)
    assistants = {d.assistant: _check_inbound(entry, d.assistant, resolve) for d in reachable if d.assistant}
    rule_index, dest = None, None
    if entry.routing is not None:
        rule_index, dest = directory.rule_sets[entry.routing].select(instant)
    if dest is None:  # outside every window and no default: the number's assistant (checked at load)
        dest = Destination(assistant=entry.assistant)
    home = dest.assistant or entry.assistant or next(d.assistant for d in reachable if d.assistant is not None)
    assistant, _ = assistants[home]
    desk = None if dest.assistant is not None else InboundDesk(dest, directory.menus, assistants.__getitem__, home)
    return Arrival(assistant, dest, rule_index, desk)


def resolver(assistants: Mapping[str, Assistant], brains: Mapping[str, ReasoningBackend]) -> Resolve:
    """An assistant reference (an id, else a unique name) -> the assistant and its brain."""
    def resolve(ref: str) -> tuple[Assistant, ReasoningBackend]:
        found = assistants.get(ref)
        if found is None:
            named = [a for a in assistants.values() if a.name == ref]
            if len(named) != 1:
                why = "two assistants have that name" if named else "no assistant has that id or name"
                raise LookupError(f"{why} ({ref!r})")
            found = named[0]
        return found, brains[found.id]
    return resolve


def _check_inbound(entry: NumberEntry, ref: str, resolve: Resolve) -> tuple[Assistant, ReasoningBackend]:
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


class InboundDesk:
    """Holds an inbound call before an assistant does: runs IVR menus, or forwards the call.

    The call process's `ports.FrontDesk`: it gets `connected`, `heard` and `pressed` while it holds
    the call, and ends its job with `HeldCall.hand_over` or `HeldCall.forward`.
    """

    def __init__(self, first: Destination, menus: Mapping[str, Menu], resolve: Resolve, home: str) -> None:
        self.first = first
        self.menus = menus
        self.resolve = resolve
        self.home = home  # who takes the call when a forward is not answered
        self.call: HeldCall | None = None
        self.menu_name: str | None = None
        self.attempt = 0
        self.timer: Timer | None = None

    @property
    def menu(self) -> Menu | None:
        return self.menus[self.menu_name] if self.menu_name is not None else None

    def _held(self) -> HeldCall:
        assert self.call is not None, "the desk acts only on a connected call"
        return self.call

    def connected(self, call: HeldCall) -> None:
        self.call = call
        self._go(self.first)

    def _go(self, dest: Destination) -> None:
        call = self._held()
        self.menu_name = None
        if dest.assistant is not None:
            call.hand_over(*self.resolve(dest.assistant))
        elif dest.forward is not None:
            call.forward(dest.forward, fallback=lambda: call.hand_over(*self.resolve(self.home)))
        else:
            self.menu_name, self.attempt = dest.menu, 1
            self._play(self._menu().prompt)

    def _menu(self) -> Menu:
        menu = self.menu
        assert menu is not None, "a menu is playing"
        return menu

    def _play(self, text: str) -> None:
        self._cancel_timer()
        self._held().announce(text, self._listen, self.menu_name, self.attempt)

    def _listen(self) -> None:
        """The prompt has been said: wait for the caller's choice (for the menu's timeout)."""
        menu = self.menu
        if menu is None:
            return
        call = self._held()
        self.timer = call.after(round(menu.timeout_seconds * 1000), self._timed_out)
        call.caller_turn()

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
        self._held().interrupt()  # a key interrupts the prompt
        self._choose(menu.by_keys(keys), keys, "digits")

    def heard(self, text: str) -> None:
        menu = self.menu
        if menu is not None:
            self._choose(menu.by_speech(text), text, "speech")

    def _timed_out(self) -> None:
        self.timer = None
        call = self._held()
        if self.menu is None or not call.live or call.caller_speaking:
            return  # over, or the caller is mid-sentence (then `heard` decides)
        self._log("", "timeout", None)
        self._retry(self._menu().timeout_prompt)

    def _choose(self, option: Option | None, given: str, by: ev.IvrInput) -> None:
        self._cancel_timer()
        menu = self._menu()
        self._log(given, by, menu.options.index(option) if option is not None else None)
        if option is None:
            self._retry(menu.invalid_prompt)
        else:
            self._go(option.target())

    def _log(self, given: str, by: ev.IvrInput, option: int | None) -> None:
        call = self._held()
        call.log(ev.IvrChoice(call.now_ms, menu=self.menu_name, input=given, by=by, option=option))

    def _retry(self, apology: str) -> None:
        menu = self._menu()
        if self.attempt < menu.attempts:
            self.attempt += 1
            self._play(f"{apology} {menu.prompt}")
        elif menu.on_failure is not None:
            self._go(menu.on_failure)
        else:
            self._play_goodbye()

    def _play_goodbye(self) -> None:
        call = self._held()
        menu, attempt = self.menu_name, self.attempt
        self.menu_name = None
        call.announce(GOODBYE, lambda: call.end(COMPLETED, ev.IVR_FAILED), menu, attempt)
