"""Checks across a validated scenario: references that point nowhere and expectations that cannot hold.

The schema checks each value alone; these check values against each other (a call's
assistant exists, a webhook stub is used, `transferred` is reachable at all, min ≤ max), so
an impossible expectation is reported before anything runs, at the line that states it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aployee_sim.fakes.carrier import BUSY, CARRIER_ERROR, NO_ANSWER
from aployee_sim.scenario.errors import Marks, Path, ScenarioError, did_you_mean, path_text
from aployee_sim.scenario.mcp_checks import mcp_problems
from aployee_sim.scenario.schema import Assistant, Call, Scenario
from aployee_sim.scenario.values import format_duration

_REASON_STATUS = {"busy": "failed", "no_answer": "failed", "error": "failed", "transferred": "transferred",
                  "hangup_assistant": "completed", "silence_timeout": "completed", "max_duration": "completed"}
_FAILING_NUMBERS = {CARRIER_ERROR: "error", BUSY: "busy", NO_ANSWER: "no_answer"}


def check(scenario: Scenario, marks: Marks) -> list[ScenarioError]:
    problems = list(_problems(scenario))
    if not problems and (problem := directory_problem(scenario)) is not None:
        problems.append(problem)
    return [ScenarioError(marks.value(path), f"{path_text(marks.existing(path))}: {message}")
            for path, message in problems]


def unknown_assistants(data: Any, marks: Marks) -> list[ScenarioError]:
    """Calls naming no assistant, found in the raw document: reported with the schema's errors when
    the schema rejects the file, so that one `validate` pass shows every mistake."""
    if not isinstance(data, dict) or not isinstance(data.get("calls"), list):
        return []
    assistants = data.get("assistants")
    names = [str(n) for n in assistants] if isinstance(assistants, dict) else []
    if not names:   # no (readable) assistants at all: the schema's error says so, every call would repeat it
        return []
    found = []
    for index, call in enumerate(data["calls"]):
        if not isinstance(call, dict) or call.get("inbound") or not isinstance(call.get("assistant"), str):
            continue
        if (name := call["assistant"]) not in names:
            path = ("calls", index, "assistant")
            found.append(ScenarioError(marks.value(path), f"{path_text(marks.existing(path))}: unknown assistant "
                                       f"{name!r}; defined: {', '.join(names)}{did_you_mean(name, names)}"))
    return found


def _problems(scenario: Scenario) -> Iterator[tuple[Path, str]]:
    names = list(scenario.assistants)
    used_urls: set[str | None] = set()
    fixed_ids: dict[str, str] = {}
    for name, assistant in scenario.assistants.items():
        where: Path = ("assistants", name)
        if assistant.id is not None:
            if assistant.id in fixed_ids:
                yield where + ("id",), f"id {assistant.id!r} is already the id of assistant {fixed_ids[assistant.id]!r}"
            fixed_ids.setdefault(assistant.id, name)
        if assistant.reasoning_mode == "webhook":
            if not assistant.webhook_url:
                yield where, "reasoning_mode is 'webhook' but no webhook_url is given"
            used_urls.add(assistant.webhook_url)
        elif assistant.webhook_url:
            yield where + ("webhook_url",), (f"is set but reasoning_mode is {assistant.reasoning_mode!r}, so it is "
                                             "never called; add `reasoning_mode: webhook`")
    for url in scenario.webhooks:
        if url not in used_urls:
            known = sorted(u for u in used_urls if u)
            yield ("webhooks", url), (f"no assistant in webhook mode uses {url!r}; webhook URLs in use: "
                                      f"{', '.join(known) or 'none'}{did_you_mean(url, known)}")
    yield from mcp_problems(scenario)
    yield from _inbound_world(scenario)
    for index, call in enumerate(scenario.calls):
        where = ("calls", index)
        if call.inbound:
            yield from _inbound_call(scenario, call, where)
            continue
        if call.assistant is None:
            yield where, "missing required key 'assistant' (who places this outbound call)"
            continue
        placing = scenario.assistants.get(call.assistant)
        if placing is None:
            yield where + ("assistant",), (f"unknown assistant {call.assistant!r}; defined: {', '.join(names)}"
                                           f"{did_you_mean(call.assistant, names)}")
            continue
        if placing.telephony == "inbound":
            yield where + ("assistant",), (f"assistant {call.assistant!r} has telephony 'inbound' and cannot place "
                                           "outbound calls; set its telephony to outbound or both")
            continue
        yield from _impossible(scenario, placing, call, where + ("expect",))


def _inbound_call(scenario: Scenario, call: Call, where: Path) -> Iterator[tuple[Path, str]]:
    if call.assistant is not None:
        yield where + ("assistant",), ("an inbound call is answered by whoever its number routes to; remove "
                                       "`assistant` (set the number's assistant or routing in `numbers`)")
    if call.from_ is None:
        yield where, "missing required key 'from' (the caller's number, for an inbound call)"
    if call.initial_state is not None:
        yield where + ("initial_state",), "an inbound call starts with an empty state; remove `initial_state`"
    numbers = list(scenario.numbers)
    for n, number in enumerate(call.to):
        if number not in scenario.numbers:
            yield where + ("to", n), (f"{number} is not a provisioned number; `numbers` has: "
                                      f"{', '.join(numbers) or 'none'}{did_you_mean(number, numbers)}")


def _assistant_ref(scenario: Scenario, name: str) -> str | None:
    """Why `name` names no assistant (routing accepts a scenario key or an assistant's name), or None."""
    if name in scenario.assistants or any(a.name == name for a in scenario.assistants.values()):
        return None
    keys = list(scenario.assistants)
    return f"unknown assistant {name!r}; defined: {', '.join(keys)}{did_you_mean(name, keys)}"


def _inbound_world(scenario: Scenario) -> Iterator[tuple[Path, str]]:
    """References between numbers, routing and menus; then the platform's own directory checks."""
    for number, spec in scenario.numbers.items():
        where = ("numbers", number)
        if spec.assistant is None and spec.routing is None:
            yield where, "a number needs an assistant, a routing rule set, or both"
        if spec.assistant is not None and (problem := _assistant_ref(scenario, spec.assistant)):
            yield where + ("assistant",), problem
        if spec.routing is not None and spec.routing not in scenario.routing:
            known = list(scenario.routing)
            yield where + ("routing",), (f"unknown rule set {spec.routing!r}; `routing` has: {', '.join(known) or 'none'}"
                                         f"{did_you_mean(spec.routing, known)}")
    for path, dest in _destinations(scenario):
        if dest.assistant is not None and (problem := _assistant_ref(scenario, dest.assistant)):
            yield path + ("assistant",), problem
        if dest.menu is not None and dest.menu not in scenario.menus:
            known = list(scenario.menus)
            yield path + ("menu",), (f"unknown menu {dest.menu!r}; `menus` has: {', '.join(known) or 'none'}"
                                     f"{did_you_mean(dest.menu, known)}")


def directory_problem(scenario: Scenario) -> tuple[Path, str] | None:
    """What the platform's own configuration check says about numbers/routing/menus, at our path."""
    from aployee_sim.platform.directory import Directory, DirectoryError
    if not scenario.numbers:
        return None
    try:
        Directory().update(scenario.directory_config({}))
    except DirectoryError as exc:
        path = exc.path
        if path[:1] == ("phone_numbers",) and len(path) > 1:
            path = ("numbers", list(scenario.numbers)[path[1]], *path[2:])
        return path, exc.message
    return None


def _destinations(scenario: Scenario) -> Iterator[tuple[Path, Any]]:
    for name, rule_set in scenario.routing.items():
        for index, rule in enumerate(rule_set.rules):
            yield ("routing", name, "rules", index), rule
        if rule_set.default is not None:
            yield ("routing", name, "default"), rule_set.default
    for name, menu in scenario.menus.items():
        for index, option in enumerate(menu.options):
            yield ("menus", name, "options", index), option
        if menu.on_failure is not None:
            yield ("menus", name, "on_failure"), menu.on_failure


def _can_transfer(scenario: Scenario, assistant: Assistant) -> bool:
    if assistant.transfer_target or any(rule.target for rule in assistant.escalation):
        return True
    if any(intent.transfer_to for intent in assistant.intents):
        return True
    if assistant.reasoning_mode == "webhook":
        rules = scenario.webhooks.get(assistant.webhook_url or "")
        return rules is None or any(rule.action for rule in rules)  # a real webhook may transfer
    return False


def _carrier_failure(scenario: Scenario, number: str) -> str | None:
    forced = scenario.carrier.get(number)
    if forced is not None:
        return None if forced.result == "answer" else forced.result
    return _FAILING_NUMBERS.get(number)


def _impossible(scenario: Scenario, assistant: Assistant, call: Call, where: Path) -> Iterator[tuple[Path, str]]:
    expect = call.expect
    status = expect.status
    wants_transfer = status == "transferred" or "transfer" in (expect.hold_music.during if expect.hold_music else [])
    if wants_transfer and not call.inbound and not _can_transfer(scenario, assistant):
        key = "status" if status == "transferred" else "hold_music"
        yield where + (key,), (f"expects a transfer, but nothing can transfer this call: assistant "
                               f"{call.assistant!r} has no transfer_target or escalation target, no intent with "
                               "transfer_to, and no webhook stub answering `action: transfer`")
    if status is not None and status != "failed" and not call.inbound:
        for number in call.to:
            failure = _carrier_failure(scenario, number)
            if failure is not None:
                yield where + ("status",), (f"expects {status!r}, but the carrier fails every call to {number} "
                                            f"({failure}); only 'failed' is possible")
                break
    if expect.reason is not None and status is not None:
        implied = _REASON_STATUS.get(expect.reason)
        if implied is not None and implied != status:
            yield where + ("reason",), f"reason {expect.reason!r} ends a call as {implied!r}, not {status!r}"
    yield from _bounds(expect.duration, where + ("duration",))
    if expect.reasoning is not None:
        yield from _bounds(expect.reasoning.longest, where + ("reasoning", "longest"))
        mode = expect.reasoning.mode
        if mode is not None and mode != assistant.reasoning_mode:
            yield where + ("reasoning", "mode"), (f"expects {mode!r}, but assistant {call.assistant!r} has "
                                                  f"reasoning_mode {assistant.reasoning_mode!r}")
    hooks = expect.webhooks
    if hooks is not None and assistant.reasoning_mode != "webhook":
        wanted = hooks.count or len(hooks.bodies or []) or hooks.failed
        if wanted:
            yield where + ("webhooks",), (f"expects webhook calls, but assistant {call.assistant!r} has reasoning_mode "
                                          f"{assistant.reasoning_mode!r}, so no webhook is ever called")
    if hooks is not None and hooks.count is not None and hooks.bodies is not None and len(hooks.bodies) > hooks.count:
        yield where + ("webhooks", "bodies"), f"lists {len(hooks.bodies)} bodies but count is {hooks.count}"
    yield from _state_conflicts(expect.final_state, expect.final_state_includes, where)


def _bounds(bounds: Any, where: Path) -> Iterator[tuple[Path, str]]:
    if bounds is not None and bounds.min is not None and bounds.max is not None and bounds.min > bounds.max:
        yield where, f"min {format_duration(bounds.min)} is greater than max {format_duration(bounds.max)}"


def _state_conflicts(exact: dict[str, Any] | None, subset: dict[str, Any] | None,
                     where: Path) -> Iterator[tuple[Path, str]]:
    if exact is None or subset is None:
        return
    for key, value in subset.items():
        if key not in exact or exact[key] != value:
            shown = repr(exact[key]) if key in exact else "absent"
            yield where + ("final_state_includes", key), (f"wants {value!r} but final_state says {shown}; both "
                                                          "cannot hold")
