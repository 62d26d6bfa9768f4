"""Same seed and inputs ⇒ byte-identical records, timelines and webhook bodies, across processes."""

import json
import subprocess
import sys

SCRIPT = r"""
import json
from aployee_sim.fakes.callers import ScriptedCaller, say, expect, barge_in, hang_up
from aployee_sim.api import Simulator
sim = Simulator(seed=42)
hook = "https://hooks.test/d"
a = sim.create_assistant(name="D", reasoning_mode="webhook", webhook_url=hook, transfer_target="+15557654321")
sim.route_webhook(hook, [{"match": "slow", "reply": "Still here.", "delay_ms": 4200, "update": {"slow": True}},
                         {"match": "boom", "fail": "http_500"}, {"reply": "Noted.", "update": {"n": 1}}])
ids = []
for i, number in enumerate(["+15551234567", "+15005550003", "+15005550004", "+15551230000"]):
    caller = ScriptedCaller([say("slow please"), barge_in("boom"), say("anything else"),
                             say("transfer me to a human")])
    ids.append(sim.start_call(a["id"], number, initial_state={"i": i}, caller=caller)["id"])
sim.run()
out = {cid: [sim.call_details(cid), sim.timeline(cid), sim.latency(cid), sim.transcript(cid)] for cid in ids}
out["webhooks"] = sim.exchanges()
print(json.dumps(out, sort_keys=False))
"""


def run_once() -> bytes:
    return subprocess.run([sys.executable, "-c", SCRIPT], check=True, capture_output=True, timeout=60).stdout


def test_two_processes_give_byte_identical_output():
    first, second = run_once(), run_once()
    assert first == second
    data = json.loads(first)
    statuses = sorted(v[0]["status"] for k, v in data.items() if k != "webhooks")
    assert statuses == ["completed", "failed", "transferred", "transferred"]
    assert len(data["webhooks"]) >= 4
