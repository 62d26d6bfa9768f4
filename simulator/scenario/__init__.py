"""YAML scenarios: the format (schema), its loader with exact positions, checks, runner and reports.

Kept import-free on purpose: the pytest plugin imports `aployee_sim.scenario.pytest_collect` at
every pytest start-up, so nothing heavy may load until a scenario file is actually collected.

    from aployee_sim.scenario.loader import load_scenario
    from aployee_sim.scenario.runner import run_scenario
    result = run_scenario(load_scenario("scenarios/renewal.scenario.yaml"))
"""
