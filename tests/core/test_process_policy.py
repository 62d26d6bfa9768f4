"""No process-wide side effects from a library call (issue 20 item 8): a host's frozen objects, GC
thresholds and switch interval survive `sim.run()`, a server reset and an outside loop; only the
process's owner (`aployee-sim`, `owned_process`) changes them, and gives them back. Each case runs
in a child process, since these settings are process-wide."""

from __future__ import annotations

import subprocess
import sys
import textwrap

HOST = """
import gc, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say

class Hook(BaseHTTPRequestHandler):  # a real webhook, so the outside loop really runs
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b'{"reply": "Sure.", "state": {}}'
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass

receiver = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{receiver.server_port}/hook"

host_objects = [{"n": i} for i in range(20_000)]
gc.freeze()                      # what a pre-forking host does
sys.setswitchinterval(0.01)      # and its own choice of GIL hand-over
frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
assert frozen >= 20_000

with Simulator(seed=3) as sim:
    asst = sim.create_assistant(name="A", reasoning_mode="webhook", webhook_url=url)["id"]
    for k in range(300):
        sim.start_call(asst, f"+1555{k:07d}", caller=ScriptedCaller([say("Hi"), hang_up()]))
    sim.run()
    assert all(sim.call_details(c["id"])["status"] == "completed" for c in sim.list_calls(limit=100)["data"])
    assert sim.exchanges()[0]["status_code"] == 200
    sim.reset()
    {ACTION}
    state = (gc.get_freeze_count(), gc.get_threshold(), sys.getswitchinterval())
receiver.shutdown()
# (a frozen object that dies by reference counting leaves the count: a handful, not all of them)
assert state[0] > frozen - 100 and state[1:] == (threshold, 0.01), (state, frozen, threshold)
print("ok", frozen)
"""


def _host(action: str = "pass") -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(HOST).replace("{ACTION}", action)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_a_hosts_frozen_objects_and_switch_interval_survive_a_run():
    done = _host()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")


def test_a_server_reset_in_a_hosts_process_leaves_its_frozen_objects_frozen():
    done = _host("from aployee_sim.core import gc_policy; gc_policy.thaw()")
    assert done.returncode == 0, done.stderr


def test_the_process_owner_applies_both_settings_and_gives_them_back():
    code = """
import gc, sys
from aployee_sim.core import gc_policy
from aployee_sim.process_policy import IO_SWITCH_INTERVAL_S, owned_process
before = (gc.get_threshold(), sys.getswitchinterval())
with owned_process():
    assert sys.getswitchinterval() == IO_SWITCH_INTERVAL_S
    assert gc.get_threshold()[0] == gc_policy.YOUNG_GC_THRESHOLD
assert (gc.get_threshold(), sys.getswitchinterval()) == before
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
