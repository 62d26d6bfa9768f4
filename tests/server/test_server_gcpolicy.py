"""The serve process's GC policy: survivors of collections are frozen, a reset thaws them.
Run in a child process, since the policy is process-wide."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import gc
from aployee_sim.server import gcpolicy
from aployee_sim.api import Simulator
sim = Simulator(seed=1)
assistant = sim.create_assistant(name="A")["id"]
gcpolicy.thaw()
assert gc.get_freeze_count() == 0
gcpolicy.install()
at_start = gc.get_freeze_count()
for _ in range(3000):
    sim.create_call({"assistant_id": assistant, "to": "+15551234567"})
frozen = gc.get_freeze_count()
assert frozen > at_start + 10000, (at_start, frozen)  # the calls' objects were frozen as they survived
sim.reset()
gcpolicy.thaw()
assert gc.get_freeze_count() == 0
print("ok", frozen)
"""


def test_collection_survivors_are_frozen_and_thawed_on_reset():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")
