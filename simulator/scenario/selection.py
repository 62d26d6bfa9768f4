"""`-k` for `aployee-sim run`: pytest's keyword expressions (`renewal and not slow`), over scenario names.

Each bare word is true when it occurs (case-insensitively) in the scenario's name, file path
or markers; `and`, `or`, `not` and parentheses combine them. Evaluated by a tiny recursive
descent parser, never by `eval`.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


class KeywordError(ValueError):
    pass


def _tokens(expression: str) -> list[str]:
    tokens, position = [], 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if match is None:
            break
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def matches(expression: str, haystack: str) -> bool:
    """Does `haystack` (name, file, markers joined) satisfy the keyword expression?"""
    tokens = _tokens(expression)
    if not tokens:
        raise KeywordError("-k needs a keyword expression, e.g. -k 'renewal and not slow'")
    text = haystack.lower()
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        token = peek()
        if token is None:
            raise KeywordError(f"-k {expression!r}: the expression ends too early")
        position += 1
        return token

    def either() -> bool:
        value = both()
        while peek() == "or":
            take()
            value = both() or value
        return value

    def both() -> bool:
        value = negation()
        while peek() == "and":
            take()
            value = negation() and value
        return value

    def negation() -> bool:
        if peek() == "not":
            take()
            return not negation()
        token = take()
        if token == "(":
            value = either()
            if take() != ")":
                raise KeywordError(f"-k {expression!r}: a '(' is not closed")
            return value
        if token in (")", "and", "or"):
            raise KeywordError(f"-k {expression!r}: unexpected {token!r}")
        return token.lower() in text

    result = either()
    if peek() is not None:
        raise KeywordError(f"-k {expression!r}: unexpected {peek()!r}")
    return result
