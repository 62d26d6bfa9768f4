"""Generated callers: Hypothesis strategies built from a scenario's `explore:` section.

What a caller says comes from the vocabulary (phrases, and templates whose `{name}` placeholders
take texts from `values`); the shape of the call (when it speaks, barge-ins, waits, silences,
keys, a hang-up) is `aployee_sim.strategies.caller_steps`, the same strategy integrators use in
their own property tests. An outbound call also draws the carrier's outcome and, with a
`state_schema`, its initial state. Every choice shrinks towards the first option written, so a
shrunk caller says the first phrase, answers, and waits as little as it can.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from hypothesis import strategies as st

from aployee_sim.explore.target import Example, Target
from aployee_sim.scenario.explore_model import PLACEHOLDER, Vocabulary
from aployee_sim.scenario.jsonschema_subset import errors
from aployee_sim.scenario.jsonschema_subset import strategy as schema_values
from aployee_sim.strategies import caller_steps


def utterances(vocabulary: Vocabulary) -> st.SearchStrategy[str]:
    """A phrase, or a template with each placeholder filled from `values`; every phrase and every
    template is as likely as any other."""
    options = [st.just(phrase) for phrase in vocabulary.phrases]
    for template in vocabulary.templates:
        names = list(dict.fromkeys(PLACEHOLDER.findall(template)))
        filled = st.fixed_dictionaries({name: st.sampled_from(vocabulary.values[name]) for name in names})
        options.append(filled.map(partial(_fill, template)))
    return st.one_of(options)


def _fill(template: str, chosen: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: chosen[match.group(1)], template)


def examples(target: Target) -> st.SearchStrategy[Example]:
    explore = target.explore
    steps = caller_steps(utterances(explore.vocabulary), digits=explore.vocabulary.digits,
                         max_steps=explore.max_steps)
    if not target.outbound:  # an inbound call: no carrier to vary, no initial state
        return st.builds(Example, steps)
    return st.builds(Example, steps, carrier_outcomes(explore.carrier), initial_states(target))


ANSWERED = 4  # an answered call is drawn 4 times as often as all the other outcomes together


def carrier_outcomes(outcomes: Sequence[str]) -> st.SearchStrategy[str]:
    """The carrier's outcome, `answer` first (and shrunk to): 4 in 5 calls are answered when it is
    among them, so most generated calls reach the backend (busy, unanswered and failed calls never
    call it; equal odds left 1 call in 4 to exercise it)."""
    others = [outcome for outcome in outcomes if outcome != "answer"]
    if len(others) == len(outcomes):
        return st.sampled_from(others)
    return st.sampled_from(["answer"] * (ANSWERED * max(1, len(others))) + others)


def initial_states(target: Target) -> st.SearchStrategy[Any]:
    """The template's `initial_state`, or with a `state_schema` states drawn from it: then the
    template's own state comes first (drawn first, shrunk to) when it satisfies the schema, so a
    written failure keeps the integrator's state unless another one is needed to fail."""
    template_state = target.loaded.model.calls[0].initial_state
    schema = target.explore.state_schema
    if schema is None:
        return st.just(template_state)
    drawn = schema_values(schema)
    if template_state is not None and not errors(schema, template_state):
        return st.just(template_state) | drawn
    return drawn
