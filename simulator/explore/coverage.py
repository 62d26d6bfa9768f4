"""What the generated calls reached, and what they never did: so a user sees what exploring missed.

The items are read from the world (intents of built-in assistants, webhook stub rules, IVR menu
options, the transfer triggers the world makes possible, end reasons, state keys the file names)
and marked reached from each finished call: the first intent or stub rule matching each
utterance it was asked about (the brain's and the stub's own rule), `ivr_choice`,
`transfer_initiated` and `call_ended` events, and the keys of every state the call had.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from aployee_sim.contract import events as ev
from aployee_sim.core.phrases import PatternTimeout
from aployee_sim.core.reasoning import Intent, StubRule
from aployee_sim.explore.target import Target
from aployee_sim.scenario.errors import path_text
from aployee_sim.scenario.invariants import routing_forwards
from aployee_sim.scenario.runner import ScenarioRun
from aployee_sim.scenario.schema import REASONS

Key = tuple[object, ...]


@dataclass
class Section:
    title: str
    items: dict[Key, str] = field(default_factory=dict)  # item -> how the report names it
    reached: set[Key] = field(default_factory=set)

    @property
    def never(self) -> list[str]:
        return [label for key, label in self.items.items() if key not in self.reached]


class Coverage:
    def __init__(self, target: Target) -> None:
        scenario, loaded = target.loaded.model, target.loaded

        def at(*path: object) -> str:
            return f"{path_text(path)} (line {loaded.line(*path)})"

        self.intents = Section("intents", {(name, i): at("assistants", name, "intents", i)
                                           for name, a in scenario.assistants.items() if a.reasoning_mode == "builtin"
                                           for i in range(len(a.intents))})
        self.stubs = Section("stub rules", {(url, i): at("webhooks", url, i)
                                            for url, rules in scenario.webhooks.items() for i in range(len(rules))})
        self.options = Section("menu options", {(name, i): at("menus", name, "options", i)
                                                for name, menu in scenario.menus.items()
                                                for i in range(len(menu.options))})
        self.triggers = Section("transfer triggers", {(t,): t for t in _possible_triggers(target)})
        self.reasons = Section("end reasons", {(r,): r for r in _possible_reasons(target)})
        self.state_keys = Section("state keys", {(k,): k for k in _named_state_keys(target)})
        self._brains = {name: [Intent(**i.model_dump()) for i in a.intents] for name, a in scenario.assistants.items()}
        self._rules = {url: [StubRule(match=r.when, pattern=r.pattern) for r in rules]
                       for url, rules in scenario.webhooks.items()}
        self.calls = 0

    @property
    def sections(self) -> list[Section]:
        return [self.intents, self.stubs, self.options, self.triggers, self.reasons, self.state_keys]

    def add(self, run: ScenarioRun) -> None:
        """Mark what the (single) call of `run` reached."""
        sim = run.sim
        local = dict(zip(sim.assistants, run.loaded.model.assistants, strict=False))  # created in file order
        for call in run.calls:
            if call.call_id is None:
                continue
            self.calls += 1
            record, events = sim.record(call.call_id), sim.events(call.call_id)
            said = [e.content for e in events if isinstance(e, ev.UserSpeech)]
            for index in _first_matches(self._brains.get(local.get(record.assistant_id, ""), []), said):
                self.intents.reached.add((local[record.assistant_id], index))
            for x in sim.exchanges(call.call_id, kind="webhook"):
                for index in _first_matches(self._rules.get(x["url"], []), [x["request"]["utterance"]]):
                    self.stubs.reached.add((x["url"], index))
            states: list[object] = [record.initial_state, record.state]
            for event in events:
                match event:
                    case ev.IvrChoice(menu=menu, option=int() as option):
                        self.options.reached.add((menu, option))
                    case ev.TransferInitiated(trigger=trigger):
                        self._reach(self.triggers, trigger)
                    case ev.StateChanged(state=changed):
                        states.append(changed)
            if record.end_reason is not None:
                self._reach(self.reasons, record.end_reason)
            for state in states:
                for key in state if isinstance(state, dict) else ():
                    self._reach(self.state_keys, key)

    @staticmethod
    def _reach(section: Section, name: str) -> None:
        section.items.setdefault((name,), name)  # something the world did not name counts too
        section.reached.add((name,))


def _first_matches(rules: Sequence[Intent | StubRule], utterances: list[str]) -> list[int]:
    found = []
    for text in utterances:
        try:
            index = next((i for i, rule in enumerate(rules) if rule.matches(text)), None)
        except PatternTimeout:  # the call recorded the stopped pattern: no rule answered
            index = None
        if index is not None:
            found.append(index)
    return found


def _possible_triggers(target: Target) -> list[str]:
    scenario = target.loaded.model
    assistants = scenario.assistants.values()
    triggers = []
    if any(a.reasoning_mode != "builtin" or any(i.transfer_to for i in a.intents) for a in assistants):
        triggers.append("webhook")
    if any(a.escalation for a in assistants):
        triggers.append("escalation_rule")
    triggers.append("user_request")
    if routing_forwards(scenario):
        triggers.append("routing")
    return triggers


def _possible_reasons(target: Target) -> list[str]:
    """Every end reason, less the carrier's that are never drawn and `ivr_failed` without menus."""
    drawn = set(target.explore.carrier) if target.outbound else set()
    unreachable = {ev.BUSY, ev.NO_ANSWER, ev.ERROR} - drawn  # the carrier outcomes are named as the reasons
    if not target.loaded.model.menus:
        unreachable.add(ev.IVR_FAILED)
    return [reason for reason in REASONS if reason not in unreachable]


def _named_state_keys(target: Target) -> list[str]:
    scenario, explore = target.loaded.model, target.explore
    keys = list((explore.state_schema or {}).get("properties", {}))
    keys += list(scenario.calls[0].initial_state or {})
    for rules in scenario.webhooks.values():
        for rule in rules:
            keys += [*(rule.state or {}), *(rule.update or {})]
    for assistant in scenario.assistants.values():
        for intent in assistant.intents:
            keys += list(intent.update)
    return list(dict.fromkeys(keys))
