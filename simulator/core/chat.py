"""The port to a language model, as the persona caller and the rubric judge see it: messages in, text out.

A `Completer` is given the chat messages (`{"role": ..., "content": ...}`) of one request and returns the
model's text, or raises `ModelError` saying in one line why there is none (no model configured, the
server failed or was too slow, the request is not in the cassette). What answers is wired by the front
end (`aployee_sim.scenario.completions`: a cassette in front of an OpenAI-compatible server); the
callers that use it never know whether an answer was replayed.
"""

from __future__ import annotations

from typing import Protocol

Message = dict[str, str]


class ModelError(Exception):
    """No answer from the model; the message says why."""


class Completer(Protocol):
    def __call__(self, messages: list[Message]) -> str: ...
