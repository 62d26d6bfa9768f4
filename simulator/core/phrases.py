"""The one rule for matching words against what someone said (docs/scenarios.md, "How words and
patterns match").

Every place that reacts to words uses it: webhook stub rules (`when`, `pattern`), built-in intents
(`keywords`, `pattern`), MCP rules (`keywords`, `pattern`), escalation rules (`phrases`, `keywords`),
`end_call_phrases`, IVR option `words`, a caller's `expect` and an expectation's `transcript.matches`.

- **Keywords and phrases** match case-insensitively as whole words: "order" is in "My order, please"
  but not in "border", "speak to a human" is in "Can I speak to a human?". Whole means no letter, digit
  or underscore right before the phrase's first word or right after its last one; a run of spaces in a
  phrase matches any run of white space. A blank phrase matches nothing.
- **Patterns** are regular expressions (Python syntax) searched case-insensitively anywhere in the text.
  A user's pattern is bounded: longer than `MAX_PATTERN_CHARS`, nested too deeply or with counted
  repeats past `MAX_REPEAT_WEIGHT` it is refused when compiled (a 400 or `file:line`); one search that
  runs past `MATCH_TIMEOUT_MS` of wall time is stopped and raises `PatternTimeout`, which the caller
  records as an error (the turn's, the expectation's), so a catastrophic pattern such as `(a|aa)+$` can
  never freeze a call, a run or the server. That bound is the only place where the wall clock can
  change a result, and only for a pattern that needs over a million times the usual time.

Patterns run on the `regex` module (its `timeout` and `concurrent`, which releases the GIL while it
searches, so the server's other threads keep answering); its default syntax is the `re` module's.
Phrases are escaped literals, searched with `re` (linear, no bound needed). Pure: no I/O here.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre_constants  # type: ignore[import-not-found]  # no stubs: re's own parser,
import re._parser as sre_parser  # type: ignore[import-not-found]  # read as hypothesis reads it
from collections.abc import Iterable
from typing import Any

import regex

MATCH_TIMEOUT_MS = 100
"""Wall time one pattern search may take. A pattern on a spoken line takes microseconds; one that
backtracks catastrophically takes years, so the bound sits far from both."""
MAX_PATTERN_CHARS = 1000
MAX_REPEAT_WEIGHT = 10_000
MAX_GROUP_DEPTH = 32
"""Groups inside groups, at most: deeper patterns are refused by count, before any recursive parser
meets them, so the refusal does not depend on the interpreter's recursion limit (Hypothesis raises it
while a test runs, and 400 nested groups then compiled in one process and not in another)."""
"""The largest product of nested counted repeats (`(?:a{100}){100}` weighs 10,000): the regex engine
unrolls them when it compiles, so `(a{1000}){1000}` alone took 1.4 s and `a{1000000000}` never ended."""


class PatternError(ValueError):
    """A pattern that cannot be used: not a regex, or past one of the bounds above."""


class PatternTimeout(RuntimeError):
    """A search stopped at `MATCH_TIMEOUT_MS`: the pattern backtracks catastrophically on this text."""

    def __init__(self, source: str) -> None:
        super().__init__(f"the pattern {shown(source)} was stopped after "
                         f"{MATCH_TIMEOUT_MS} ms on this text (it backtracks catastrophically; see "
                         f"docs/contract.md §7)")
        self.source = source


class Pattern:
    """A compiled, bounded user pattern: case-insensitive, as every phrase rule is (a JSON Schema
    `pattern` is the one case-sensitive user regex: `ignore_case=False`)."""

    __slots__ = ("source", "_compiled")

    def __init__(self, source: str, *, ignore_case: bool = True) -> None:
        self.source = source
        self._compiled = _compile(source, ignore_case)

    @property
    def group_names(self) -> list[str]:
        return list(self._compiled.groupindex)

    def search(self, text: str) -> regex.Match[str] | None:
        """The first match anywhere in `text`, or None; raises `PatternTimeout` past the bound."""
        try:
            return self._compiled.search(text, timeout=MATCH_TIMEOUT_MS / 1000, concurrent=True)
        except TimeoutError:
            raise PatternTimeout(self.source) from None

    def captures(self, text: str) -> dict[str, str] | None:
        """The named groups of the first match (None for a group that took no part: ""), or None."""
        found = self.search(text)
        if found is None:
            return None
        return {name: value or "" for name, value in found.groupdict().items()}

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"


@functools.lru_cache(maxsize=512)
def _compile(source: str, ignore_case: bool) -> regex.Pattern[str]:
    # Patterns are configuration, compiled once per distinct text (a scenario's calls share them).
    if len(source) > MAX_PATTERN_CHARS:
        raise PatternError(f"the pattern is {len(source):,} characters long; the limit is {MAX_PATTERN_CHARS:,}")
    if _group_depth(source) > MAX_GROUP_DEPTH:
        raise PatternError(f"the pattern's groups are nested more than {MAX_GROUP_DEPTH} deep")
    try:
        weight = _repeat_weight(sre_parser.parse(source, re.IGNORECASE))
        if weight > MAX_REPEAT_WEIGHT:
            raise PatternError(f"the pattern's counted repeats unroll to {weight:,} items; the limit is "
                               f"{MAX_REPEAT_WEIGHT:,} (write + or * instead of a large {{n}})")
        return regex.compile(source, regex.IGNORECASE if ignore_case else 0)
    except (re.error, regex.error, OverflowError) as exc:
        raise PatternError(f"{shown(source)} is not a valid regular expression: {exc}") from None


def _group_depth(source: str) -> int:
    """The deepest nesting of parentheses, skipping escapes and character classes."""
    depth = deepest = 0
    in_class = escaped = False
    for char in source:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def shown(source: str) -> str:
    """A pattern as messages quote it: its first 80 characters."""
    return repr(source[:80]) + ("..." if len(source) > 80 else "")


def _repeat_weight(items: Any) -> int:
    """How many copies of its atoms the counted repeats of a parsed pattern ask for (at least 1)."""
    total = 0
    for op, arg in items:
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
            low, high, sub = arg
            count = high if high != sre_constants.MAXREPEAT else max(low, 1)
            total += max(count, 1) * _repeat_weight(sub)
        elif op is sre_constants.SUBPATTERN:
            total += _repeat_weight(arg[-1])
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            total += _repeat_weight(arg[1])
        elif op is sre_constants.BRANCH:
            total += max((_repeat_weight(branch) for branch in arg[1]), default=0)
        elif op is sre_constants.GROUPREF_EXISTS:
            total += sum(_repeat_weight(branch) for branch in arg[1:] if branch is not None)
        elif op is sre_constants.ATOMIC_GROUP:
            total += _repeat_weight(arg)
        else:
            total += 1
    return max(total, 1)


# --- phrases ---------------------------------------------------------------------------------
def phrase_in(phrase: str, text: str) -> bool:
    """Whole words, case-insensitive: "sales" is in "Sales, please" but not in "wholesales"."""
    return any_phrase_in((phrase,), text)


def any_phrase_in(phrases: Iterable[str], text: str) -> bool:
    """`phrase_in` for any of several phrases, with one compiled pattern per phrase list."""
    phrase_set = _phrase_set(phrases if isinstance(phrases, tuple) else tuple(phrases))
    return phrase_set is not None and phrase_set.found_in(text.lower())


class _PhraseSet:
    """A phrase list compiled once: the whole-word pattern, and each phrase's first word.

    Why the first words: the pattern starts with a lookbehind, which keeps `re` from skipping ahead
    to a literal, so a search cost ~6 µs per utterance (`end_call_phrases` and escalation run on
    every one: a tenth of the engine benchmark). A phrase can only match where its first word is a
    substring of the text, and `in` answers that in ~0.1 µs; the pattern runs only then, so the
    answer is the pattern's (tests/core/test_phrases.py)."""

    __slots__ = ("first_words", "pattern")

    def __init__(self, phrases: tuple[str, ...]) -> None:
        kept = [phrase.lower().split() for phrase in phrases if phrase.strip()]
        self.first_words = tuple(dict.fromkeys(words[0] for words in kept))
        self.pattern = re.compile("|".join(_phrase_regex(words) for words in kept))

    def found_in(self, lowered: str) -> bool:
        return any(word in lowered for word in self.first_words) and self.pattern.search(lowered) is not None


@functools.lru_cache(maxsize=512)
def _phrase_set(phrases: tuple[str, ...]) -> _PhraseSet | None:
    # Phrase lists are configuration, so this runs once per list, not once per utterance.
    return _PhraseSet(phrases) if any(phrase.strip() for phrase in phrases) else None


def _phrase_regex(words: list[str]) -> str:
    body = r"\s+".join(re.escape(word) for word in words)
    before = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    after = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return f"(?:{before}{body}{after})"
