"""One `Assistant` model (issue 20 item 7): the scenario format takes the resource's persona
settings (`personality`, `voice`, `archetype`, typed by aployee_sim.contract.models), a scenario
creates them on the assistant, and the TUI export keeps them (it dropped all three)."""

from __future__ import annotations

from aployee_sim.api import Simulator
from aployee_sim.scenario.schema import Assistant as ScenarioAssistant
from aployee_sim.tui.export import _assistant_spec

PERSONA = {"personality": {"formality": "formal", "assertiveness": "low", "empathy": "high", "talkativeness": "low"},
           "voice": {"provider": "elevenlabs", "voice_id": "v1"}, "archetype": "helper"}


def test_the_persona_survives_a_scenario_and_an_export():
    spec = ScenarioAssistant.model_validate({"name": "Alex", **PERSONA})
    body = spec.model_dump(exclude={"id", "intents", "fallback_reply"}, exclude_none=True)
    with Simulator(seed=1) as sim:
        resource = sim.create_assistant(body)
    exported = _assistant_spec(resource)
    assert {k: exported[k] for k in PERSONA} == {k: resource[k] for k in PERSONA}
    assert ScenarioAssistant.model_validate(exported).model_dump(include=set(PERSONA), exclude_none=True) == \
        spec.model_dump(include=set(PERSONA), exclude_none=True)
