"""The one GC policy (`aployee_sim.core.gc_policy.long_run`), as the serve process and engine runs
use it: survivors of collections are frozen while it lasts, a reset thaws them, the outermost exit
restores the thresholds and unfreezes. Run in a child process, since the policy is process-wide."""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import gc
from aployee_sim.core import gc_policy
from aployee_sim.api import Simulator
sim = Simulator(seed=1)
assistant = sim.create_assistant(name="A")["id"]
gc_policy.thaw()
assert gc.get_freeze_count() == 0
before = gc.get_threshold()
with gc_policy.long_run():
    assert gc.get_threshold()[0] == gc_policy.YOUNG_GC_THRESHOLD
    at_start = gc.get_freeze_count()
    for _ in range(3000):
        sim.create_call({"assistant_id": assistant, "to": "+15551234567"})
    sim.run(seconds=1)  # an engine run inside the policy leaves it on
    assert gc.get_threshold()[0] == gc_policy.YOUNG_GC_THRESHOLD
    frozen = gc.get_freeze_count()
    assert frozen > at_start + 10000, (at_start, frozen)  # the calls' objects were frozen as they survived
    sim.reset()
    gc_policy.thaw()
    assert gc.get_freeze_count() == 0
assert gc.get_threshold() == before and gc.get_freeze_count() == 0
print("ok", frozen)
"""


def test_collection_survivors_are_frozen_and_thawed_on_reset():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")
