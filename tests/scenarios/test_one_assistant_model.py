"""One `Assistant` model (issue 20 item 7): the scenario format takes the resource's persona
settings (`personality`, `voice`, `archetype`, typed by aployee_sim.contract.models), a scenario
creates them on the assistant, and the TUI export keeps them (it dropped all three)."""

from __future__ import annotations

from aployee_sim.api import Simulator
from aployee_sim.contract.models import Assistant as ContractAssistant
from aployee_sim.scenario.schema import Assistant as ScenarioAssistant
from aployee_sim.tui.export import _assistant_spec

PERSONA = {"personality": {"formality": "formal", "assertiveness": "low", "empathy": "high", "talkativeness": "low"},
           "voice": {"provider": "elevenlabs", "voice_id": "v1"}, "archetype": "helper"}


def test_the_persona_survives_a_scenario_and_an_export():
    spec = ScenarioAssistant.model_validate({"name": "Alex", **PERSONA})
    body = spec.resource_body()
    with Simulator(seed=1) as sim:
        resource = sim.create_assistant(body)
    exported = _assistant_spec(resource)
    assert {k: exported[k] for k in PERSONA} == {k: resource[k] for k in PERSONA}
    assert ScenarioAssistant.model_validate(exported).model_dump(include=set(PERSONA), exclude_none=True) == \
        spec.model_dump(include=set(PERSONA), exclude_none=True)


WRITABLE = set(ContractAssistant.model_fields) - {"id", "created_at", "updated_at"}


def test_every_writable_field_of_the_resource_is_a_scenario_field():
    # The guard for the next field the contract adds: a scenario (and so an export) must carry it.
    assert WRITABLE <= set(ScenarioAssistant.model_fields), WRITABLE - set(ScenarioAssistant.model_fields)


def test_an_assistant_with_every_field_set_survives_export_and_scenario_creation():
    full = {**PERSONA, "name": "Alex", "system_prompt": "Be brief.", "first_message": "Hi.",
            "reasoning_mode": "webhook", "webhook_url": "https://hooks.example.test/r", "telephony": "outbound",
            "end_call_phrases": ["bye now"], "escalation": [{"phrases": ["a human"], "target": "+15550001111"}],
            "transfer_target": "+15550002222", "transfer_allowlist": ["+1555*"], "warm_transfer": False}
    assert set(full) | {"mcp_config"} == WRITABLE  # every writable field but mcp_config (webhook mode here)
    with Simulator(seed=1) as sim:
        first = sim.create_assistant(full)
        spec = ScenarioAssistant.model_validate(_assistant_spec(first))
        again = sim.create_assistant(spec.resource_body())
    assert {k: again[k] for k in WRITABLE} == {k: first[k] for k in WRITABLE}


def test_an_mcp_assistants_config_survives_export_and_scenario_creation():
    config = {"server_url": "http://127.0.0.1:9/mcp", "tools": ["lookup"], "latency_ms": 250,
              "tool_latency_ms": {"lookup": 40}, "bearer_token": "t0k",
              "rules": [{"keywords": ["order"], "tool": "lookup", "arguments": {"q": "x"}, "reply": "{result}"}]}
    with Simulator(seed=1) as sim:
        first = sim.create_assistant({"name": "M", "reasoning_mode": "mcp", "mcp_config": config})
        spec = ScenarioAssistant.model_validate(_assistant_spec(first))
        again = sim.create_assistant(spec.resource_body())
    assert again["mcp_config"] == first["mcp_config"]
