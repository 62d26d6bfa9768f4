"""Where a scenario's words now match differently: the warnings `validate` prints since keywords and
phrases follow one rule (`aployee_sim.core.phrases`, docs/scenarios.md "How words and patterns match").

Before, stub `when`, intent and MCP rule `keywords` and `end_call_phrases` matched as substrings
("order" was in "border"), while escalation phrases and menu words matched whole words with ASCII
edges only. The check is honest about what it can see: it replays every keyword of the file against
the file's own lines (what its callers say, for the caller-facing rules; what its assistants say, for
`end_call_phrases`) under the old and the new rule, and warns at the keyword's line, naming the line
whose outcome changed. Words a call only hears at run time (a webhook's reply, a recognised clip, a
live caller) cannot be replayed; the warning list says so by being about this file only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aployee_sim.core.phrases import phrase_in
from aployee_sim.scenario.errors import Marks, Path
from aployee_sim.scenario.schema import Scenario

Line = tuple[Path, str]  # where a line is written, and what it says


def _substring(phrase: str, text: str) -> bool:
    """The old rule of stub `when`, intent and MCP keywords and `end_call_phrases`."""
    return phrase.lower() in text.lower()


def _ascii_words(phrase: str, text: str) -> bool:
    """The old rule of escalation phrases and menu words: whole words with ASCII letter/digit edges."""
    words = re.escape(phrase.lower().strip())
    return bool(words) and re.search(rf"(?<![a-z0-9]){words}(?![a-z0-9])", text.lower()) is not None


def caller_lines(scenario: Scenario) -> list[Line]:
    """What the file's scripted callers say (`say`, `barge_in`), with where each is written."""
    found: list[Line] = []
    for number, call in enumerate(scenario.calls):
        for index, step in enumerate(call.caller):
            for key in ("say", "barge_in"):
                text = getattr(step, key)
                if text:
                    found.append((("calls", number, "caller", index, key), text))
    return found


def assistant_lines(scenario: Scenario) -> list[Line]:
    """What the file's assistants can say that is written in it: first messages, intent, stub and
    fallback replies (MCP rule replies are templates, filled at run time)."""
    found: list[Line] = []
    for name, assistant in scenario.assistants.items():
        where: Path = ("assistants", name)
        if assistant.first_message:
            found.append((where + ("first_message",), assistant.first_message))
        if assistant.fallback_reply:
            found.append((where + ("fallback_reply",), assistant.fallback_reply))
        found += [(where + ("intents", i, "reply"), intent.reply)
                  for i, intent in enumerate(assistant.intents) if intent.reply]
    found += [(("webhooks", url, i, "reply"), rule.reply)
              for url, rules in scenario.webhooks.items() for i, rule in enumerate(rules) if rule.reply]
    return found


def _keywords(scenario: Scenario) -> Iterator[tuple[Path, str, str]]:
    """(where, the phrase, which lines it is matched against: "caller" or "assistant")."""
    for url, rules in scenario.webhooks.items():
        for i, rule in enumerate(rules):
            if rule.when and rule.when.strip():
                yield ("webhooks", url, i, "when"), rule.when, "caller"
    for name, assistant in scenario.assistants.items():
        where: Path = ("assistants", name)
        for i, intent in enumerate(assistant.intents):
            yield from ((where + ("intents", i, "keywords", k), word, "caller") for k, word in enumerate(intent.keywords))
        for i, mcp_rule in enumerate(assistant.mcp_config.rules if assistant.mcp_config else []):
            yield from ((where + ("mcp_config", "rules", i, "keywords", k), word, "caller")
                        for k, word in enumerate(mcp_rule.keywords))
        for i, escalation in enumerate(assistant.escalation):
            for key in ("phrases", "keywords"):
                yield from ((where + ("escalation", i, key, k), word, "caller")
                            for k, word in enumerate(getattr(escalation, key)))
        yield from ((where + ("end_call_phrases", k), word, "assistant")
                    for k, word in enumerate(assistant.end_call_phrases))
    for menu_name, menu in scenario.menus.items():
        for i, option in enumerate(menu.options):
            yield from ((("menus", menu_name, "options", i, "words", k), word, "caller")
                        for k, word in enumerate(option.words))


def changes(scenario: Scenario, marks: Marks) -> list[tuple[Path, str]]:
    """(where the keyword is, why) for every keyword whose outcome on one of the file's lines changed;
    `marks` (the file's positions) name the line whose outcome changed."""
    heard = {"caller": caller_lines(scenario), "assistant": assistant_lines(scenario)}
    found: list[tuple[Path, str]] = []
    for path, phrase, side in _keywords(scenario):
        old = _ascii_words if "escalation" in path or "menus" in path else _substring
        for where, text in heard[side]:
            before, now = old(phrase, text), phrase_in(phrase, text)
            if before == now:
                continue
            said = f"{text[:60]!r}{'...' if len(text) > 60 else ''} (line {marks.value(where).line})"
            if before:
                why = (f"{phrase!r} matched {said} before, as part of a longer word; keywords "
                       "now match whole words only, so it no longer does (docs/scenarios.md, \"How words and patterns "
                       "match\")")
            else:
                why = (f"{phrase!r} now matches {said}, which it did not before (whole words, any "
                       "spacing; docs/scenarios.md, \"How words and patterns match\")")
            found.append((path, why))
    return found
