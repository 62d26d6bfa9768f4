"""The deterministic stand-in for the platform's LLM in MCP mode: rules that decide which tools to call.

Production lets an LLM pick tools; the simulator picks them from rules on the assistant
(docs/contract.md §4b decision), so the same utterance always makes the same calls. A rule matches the
utterance (keywords as whole words, a bounded regex whose named groups become captures: the one
rule of `aployee_sim.core.phrases`) and/or the call state, calls one
or more tools with templated arguments, and speaks a reply that weaves the results in.

Templates are plain text with `{field}` references (`{{` and `}}` are literal braces):
`{capture}`, `{state.key}`, `{initial_state.key}`, `{result}` (the last call's text),
`{result.key}` (its structured fields), `{tool_name}` / `{tool_name.key}` (an earlier call's).
A value that is exactly one reference keeps its JSON type (`"{state.count}"` stays a number).
Every reference is checked when the assistant is created (`check_rules`), so a typo is a 400
naming the field, not a silent blank in the middle of a call. Pure: no I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aployee_sim.contract.models import McpRule, McpToolCall
from aployee_sim.core.phrases import Pattern, PatternError, any_phrase_in

DEFAULT_FALLBACK = "Sorry, I couldn't do that just now."
_REFERENCE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*")
_STATE_ROOTS = ("state", "initial_state")


class RuleError(ValueError):
    """A rule that cannot work, with the dotted field it is about (`rules.0.reply`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class MissingValue(LookupError):
    """A template reference with nothing behind it during a call (a result without that key)."""


@dataclass(frozen=True, slots=True)
class ToolValue:
    """A finished tool call as templates see it: its text, and its structured fields."""

    text: str
    fields: Any


@dataclass(slots=True)
class CompiledRule:
    rule: McpRule
    calls: list[McpToolCall]
    regex: Pattern | None

    def captures(self, utterance: str, state: Mapping[str, Any]) -> dict[str, str] | None:
        """The named captures when this rule matches (an empty dict without a pattern), else None.
        Keywords match as whole words (`aployee_sim.core.phrases`); raises `PatternTimeout` when the
        pattern is stopped on this utterance."""
        if self.rule.keywords and not any_phrase_in(self.rule.keywords, utterance):
            return None
        if any(state.get(key) != value for key, value in self.rule.state.items()):
            return None
        return {} if self.regex is None else self.regex.captures(utterance)

    @property
    def fallback(self) -> str:
        return self.rule.fallback if self.rule.fallback is not None else DEFAULT_FALLBACK


def rule_calls(rule: McpRule) -> list[McpToolCall]:
    """A rule's calls in order: the one-call shorthand (`tool`, `arguments`) first, then `calls`."""
    single = [McpToolCall(tool=rule.tool, arguments=rule.arguments)] if rule.tool is not None else []
    return single + list(rule.calls)


def compile_rules(rules: Iterable[McpRule]) -> list[CompiledRule]:
    return [CompiledRule(rule, rule_calls(rule), Pattern(rule.pattern) if rule.pattern else None) for rule in rules]


def first_match(rules: list[CompiledRule], utterance: str,
                state: Mapping[str, Any]) -> tuple[CompiledRule, dict[str, str]] | None:
    for rule in rules:
        captures = rule.captures(utterance, state)
        if captures is not None:
            return rule, captures
    return None


# --- templates -------------------------------------------------------------------------------
def references(value: Any) -> list[str]:
    """Every `{reference}` in a template value (strings inside dicts and lists too)."""
    if isinstance(value, str):
        return [m.group(1) for m in _REFERENCE.finditer(value) if m.group(1) is not None]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in references(item)]
    return []


def _lookup(path: str, scope: Mapping[str, Any]) -> Any:
    root, *keys = path.split(".")
    if root not in scope:
        raise MissingValue(f"{{{path}}}: nothing is called {root!r}")
    value = scope[root]
    if isinstance(value, ToolValue):
        if not keys:
            return value.text
        value = value.fields
    for key in keys:
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise MissingValue(f"{{{path}}}: {'.'.join([root, *keys[:keys.index(key)]])} has no {key!r}")
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def render(value: Any, scope: Mapping[str, Any]) -> Any:
    """Fill a template value from the scope; raises MissingValue for a reference with nothing behind it."""
    if isinstance(value, dict):
        return {key: render(item, scope) for key, item in value.items()}
    if isinstance(value, list):
        return [render(item, scope) for item in value]
    if not isinstance(value, str):
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole is not None and whole.group(1) is not None:
        found = _lookup(whole.group(1), scope)
        return found.text if isinstance(found, ToolValue) else found

    def fill(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)[0]
        return _as_text(_lookup(match.group(1), scope))

    return _REFERENCE.sub(fill, value)


def scope_of(captures: Mapping[str, str], state: Mapping[str, Any], initial_state: Mapping[str, Any],
             results: Mapping[str, ToolValue], last: ToolValue | None) -> dict[str, Any]:
    scope: dict[str, Any] = {**captures, **results, "state": state, "initial_state": initial_state}
    if last is not None:
        scope["result"] = last
    return scope


# --- validation at creation ------------------------------------------------------------------
def check_rules(rules: list[McpRule], allowed: Iterable[str], field: str = "mcp_config.rules") -> None:
    """Raise RuleError for the first rule that cannot work: a bad regex, no tool to call, a tool
    outside the allow-list, a template naming a field that no capture, state or earlier call gives."""
    allowed_tools = set(allowed)
    for index, rule in enumerate(rules):
        where = f"{field}.{index}"
        try:
            regex = Pattern(rule.pattern) if rule.pattern else None
        except PatternError as exc:
            raise RuleError(f"{where}.pattern", f"The {where}.pattern field is refused: {exc}") from None
        captures = regex.group_names if regex is not None else []
        calls = rule_calls(rule)
        if not calls:
            raise RuleError(where, f"The {where} rule calls no tool; give `tool` or `calls`")
        names = [call.tool for call in calls]
        clash = sorted(set(captures) & ({"result", *names, *_STATE_ROOTS}))
        if clash:
            raise RuleError(f"{where}.pattern", f"The {where}.pattern capture {clash[0]!r} has the name of a "
                                                f"tool or of state/result; rename the group")
        for number, call in enumerate(calls):
            call_field = f"{where}.tool" if rule.tool is not None and number == 0 else \
                f"{where}.calls.{number - (rule.tool is not None)}"
            if call.tool not in allowed_tools:
                listed = ", ".join(sorted(allowed_tools)) or "none"
                raise RuleError(f"{call_field}", f"The {call_field} tool {call.tool!r} is not in the "
                                                 f"mcp_config.tools allow-list ({listed})")
            earlier = names[:number] + (["result"] if number else [])
            arguments_field = f"{where}.arguments" if call_field.endswith(".tool") else f"{call_field}.arguments"
            _check_references(call.arguments, arguments_field, captures + earlier)
        everything = captures + names + ["result"]
        _check_references(rule.reply, f"{where}.reply", everything)
        _check_references(rule.update, f"{where}.update", everything)
        _check_references(rule.fallback, f"{where}.fallback", captures)


def _check_references(template: Any, field: str, roots: list[str]) -> None:
    for reference in references(template):
        if not _PATH.fullmatch(reference):
            raise RuleError(field, f"The {field} field has a malformed reference {{{reference}}}; write "
                                   f"{{name}} or {{name.key}} (and {{{{ }}}} for literal braces)")
        root = reference.split(".", 1)[0]
        if root in _STATE_ROOTS and "." in reference:
            continue
        if root not in roots:
            known = ", ".join([*roots, "state.<key>", "initial_state.<key>"])
            raise RuleError(field, f"The {field} field names an unknown field {{{reference}}}; known here: {known}")
