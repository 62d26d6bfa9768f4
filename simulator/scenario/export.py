"""Machine-readable outputs of a run: per-call JSON exports, a results JSON file, and JUnit XML.

Exports hold only what the seeded run produced (no wall time, no absolute paths), written
with fixed key order and formatting, so two runs with the same seed give byte-identical
files that can be diffed or committed as goldens.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from aployee_sim.contract.events import to_json
from aployee_sim.scenario.report import ScenarioResult, format_failures
from aployee_sim.scenario.runner import ScenarioRun


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "scenario"


def call_export(run: ScenarioRun, call_id: str) -> dict[str, Any]:
    """Everything about one call: the resources the API serves, the internal log, the webhook exchanges."""
    sim = run.sim
    return {
        "call": sim.call_details(call_id),
        "transcript": sim.transcript(call_id),
        "timeline": sim.timeline(call_id),
        "latency": sim.latency(call_id),
        "events": [{"t_ms": e.t_ms, "type": e.type, "data": to_json(e)} for e in sim.events(call_id)],
        "webhooks": sim.exchanges(call_id, wall_clock=False),
    }


def export_run(run: ScenarioRun, directory: Path, used: set[str]) -> Path:
    """Write `DIR/<scenario>/<NN>-<call>.json` for each call; `used` keeps scenario folder names unique."""
    base = slug = _slug(run.loaded.name)
    suffix = 2
    while slug in used:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    used.add(slug)
    folder = directory / slug
    folder.mkdir(parents=True, exist_ok=True)
    for number, call in enumerate(run.calls, start=1):
        if call.call_id is not None:
            path = folder / f"{number:02d}-{_slug(call.label)}.json"
            path.write_text(_dump(call_export(run, call.call_id)), encoding="utf-8")
    return folder


def write_results_json(results: list[ScenarioResult], path: Path) -> None:
    passed = sum(r.passed and not r.skipped for r in results)
    skipped = sum(bool(r.skipped) for r in results)
    document = {"passed": passed, "failed": len(results) - passed - skipped, "skipped": skipped,
                "scenarios": [r.as_dict() for r in results]}
    path.write_text(_dump(document), encoding="utf-8")


def write_junit(results: list[ScenarioResult], path: Path) -> None:
    """One <testcase> per scenario; a failure's text is the same report the terminal shows."""
    failures = sum(1 for r in results if not r.passed and not r.errors)
    errors = sum(1 for r in results if r.errors)
    suite = ET.Element("testsuite", name="aployee-sim scenarios", tests=str(len(results)),
                       failures=str(failures), errors=str(errors),
                       skipped=str(sum(1 for r in results if r.skipped)))
    for result in results:
        case = ET.SubElement(suite, "testcase", classname=result.file, name=result.name)
        if result.skipped:
            ET.SubElement(case, "skipped", message=result.skipped)
        elif result.errors:
            node = ET.SubElement(case, "error", message=f"invalid scenario ({len(result.errors)} errors)")
            node.text = "\n".join(result.errors)
        elif not result.passed:
            node = ET.SubElement(case, "failure", message=f"{len(result.failures)} failed expectations")
            node.text = "\n".join(format_failures(result.file, result.failures))
    root = ET.Element("testsuites")
    root.append(suite)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
