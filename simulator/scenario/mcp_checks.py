"""Cross-checks of a scenario's MCP parts, at load time (so `run` and `validate` report them at
their line before anything runs), and the notes `validate` prints about tools the stubs lack."""

from __future__ import annotations

from collections.abc import Iterator

from aployee_sim.core.mcp_rules import RuleError, check_rules
from aployee_sim.scenario.errors import Path
from aployee_sim.scenario.schema import Scenario


def mcp_problems(scenario: Scenario) -> Iterator[tuple[Path, str]]:
    """Load-time checks (so `validate` reports them at their line): an MCP assistant without a
    server, rules that cannot work, `mcp_config` on an assistant that never uses it, unused stubs."""
    used: set[str] = set()
    for name, assistant in scenario.assistants.items():
        where: Path = ("assistants", name)
        config = assistant.mcp_config
        if assistant.reasoning_mode != "mcp":
            if config is not None:
                yield where + ("mcp_config",), (f"is set but reasoning_mode is {assistant.reasoning_mode!r}, so no "
                                                "tool is ever called; add `reasoning_mode: mcp`")
            continue
        if config is None or not (config.server_url or config.command):
            yield where, "reasoning_mode is 'mcp' but mcp_config has no server_url (or command)"
            continue
        used.add(config.server_url or "")
        try:
            check_rules(config.rules, config.tools)
        except RuleError as exc:
            yield where + tuple(int(p) if p.isdigit() else p for p in exc.field.split(".")), str(exc)
    for url in scenario.mcp_tools:
        if url not in used:
            yield ("mcp_tools", url), (f"no MCP assistant uses {url!r} as its server_url; in use: "
                                       f"{', '.join(sorted(u for u in used if u)) or 'none'}")


def missing_tool_notes(scenario: Scenario) -> list[tuple[Path, str]]:
    """Allow-listed tools the stubbed server does not provide (valid, but every call of them fails)."""
    notes: list[tuple[Path, str]] = []
    for name, assistant in scenario.assistants.items():
        config = assistant.mcp_config
        if assistant.reasoning_mode != "mcp" or config is None or config.server_url not in scenario.mcp_tools:
            continue
        stubbed = {stub.tool for stub in scenario.mcp_tools[config.server_url]}
        for tool in config.tools:
            if tool not in stubbed:
                notes.append((("assistants", name, "mcp_config", "tools", config.tools.index(tool)),
                              f"the stubs of {config.server_url} provide no {tool!r}: calling it fails "
                              "(missing tool)"))
    return notes
