"""YAML scenarios: the format (schema), its loader with exact positions, checks, runner and reports.

Kept import-free on purpose: the pytest plugin imports `simulator.scenario.pytest_collect` at
every pytest start-up, so nothing heavy may load until a scenario file is actually collected.

    from simulator.scenario.loader import load_scenario
    from simulator.scenario.runner import run_scenario
    result = run_scenario(load_scenario("scenarios/renewal.scenario.yaml"))
"""
