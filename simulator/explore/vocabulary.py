"""Generated callers: Hypothesis strategies built from a scenario's `explore:` section.

What a caller says comes from the vocabulary (phrases, and templates whose `{name}` placeholders
take texts from `values`); the shape of the call (when it speaks, barge-ins, waits, silences,
keys, a hang-up) is `aployee_sim.strategies.caller_steps`, the same strategy integrators use in
their own property tests. An outbound call also draws the carrier's outcome and, with a
`state_schema`, its initial state. Every choice shrinks towards the first option written, so a
shrunk caller says the first phrase, answers, and waits as little as it can.
"""

from __future__ import annotations

from functools import partial

from hypothesis import strategies as st

from aployee_sim.explore.target import Example, Target
from aployee_sim.scenario.explore_model import PLACEHOLDER, Vocabulary
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
    outcomes = sorted(explore.carrier, key=lambda outcome: outcome != "answer")
    template_state = target.loaded.model.calls[0].initial_state
    states = (schema_values(explore.state_schema) if explore.state_schema is not None
              else st.just(template_state))
    return st.builds(Example, steps, st.sampled_from(outcomes), states)
