"""Assistants (and the first calls) with fixed ids: from the configuration file and from scenarios."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aployee_sim.api import Simulator
from aployee_sim.platform.directory import DirectoryError

CLI = str(Path(sys.executable).with_name("aployee-sim"))


def test_configured_assistants_keep_their_ids_across_resets():
    sim = Simulator(directory={"assistants": [{"id": "asst_xyz789", "name": "Alex", "first_message": "Hi!"}],
                               "call_ids": ["call_abc123"]})
    try:
        assert [a["id"] for a in sim.list_assistants()] == ["asst_xyz789"]
        assert sim.start_call("asst_xyz789", "+15551234567")["id"] == "call_abc123"
        assert sim.start_call("asst_xyz789", "+15551234567")["id"] != "call_abc123"   # then seeded ids
        sim.reset()
        assert sim.get_assistant("asst_xyz789")["first_message"] == "Hi!"
        assert sim.start_call("asst_xyz789", "+15551234567")["id"] == "call_abc123"
    finally:
        sim.close()


@pytest.mark.parametrize(("assistants", "message"), [
    ([{"name": "Alex"}], "assistants: every assistant needs an id like asst_xyz789"),
    ([{"id": "asst_a", "name": "A"}, {"id": "asst_a", "name": "B"}], "two assistants have the same id"),
    ([{"id": "asst_a", "name": "A", "reasoning_mode": "webhook"}],
     "assistants[0].webhook_url: The webhook_url field is required when reasoning_mode is 'webhook'"),
])
def test_configured_assistant_mistakes_name_their_place(assistants, message):
    sim = Simulator()
    try:
        with pytest.raises(DirectoryError, match=message.replace("[", r"\[").replace("]", r"\]")):
            sim.directory.update({"assistants": assistants}, source="world.yaml")
        assert sim.list_assistants() == [] and sim.directory.assistants == {}   # all or nothing
    finally:
        sim.close()


def test_serve_refuses_a_bad_assistant_in_one_line(tmp_path):
    config = tmp_path / "world.yaml"
    config.write_text("assistants:\n  - {id: bad, name: Alex}\n")
    done = subprocess.run([CLI, "serve", "--config", str(config), "--port", "0"], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "every assistant needs an id like asst_xyz789" in done.stderr


def test_a_scenario_assistant_with_a_fixed_id(tmp_path):
    path = tmp_path / "fixed.scenario.yaml"
    path.write_text("""\
name: fixed id
assistants:
  alex: {id: asst_xyz789, name: Alex, end_call_phrases: [bye], intents: [{keywords: [hello], reply: "Hi, bye"}]}
calls:
  - assistant: alex
    to: "+15551234567"
    caller: [{say: Hello there.}]
    expect: {status: completed}
""")
    export = tmp_path / "out"
    done = subprocess.run([CLI, "run", str(path), "--export", str(export)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"assistant_id": "asst_xyz789"' in "".join(p.read_text() for p in export.rglob("*.json"))
    path.write_text(path.read_text().replace("asst_xyz789", "xyz789"))
    bad = subprocess.run([CLI, "validate", str(path)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "assistants.alex.id" in bad.stderr, bad.stderr
