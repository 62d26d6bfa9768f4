"""The event kernel: ordering, ties, cancellation, running until a time or until idle."""

import pytest

from aployee_sim.core.engine import Engine


def test_runs_in_time_then_priority_then_schedule_order():
    engine = Engine()
    seen = []
    engine.schedule(20, seen.append, "late")
    engine.schedule(10, seen.append, "b", priority=1)
    engine.schedule(10, seen.append, "a", priority=0)
    engine.schedule(10, seen.append, "c", priority=1)
    assert engine.run() == 4
    assert seen == ["a", "b", "c", "late"]
    assert engine.now_ms == 20


def test_cancelled_timers_never_run():
    engine = Engine()
    seen = []
    timer = engine.schedule(5, seen.append, "x")
    engine.schedule(6, seen.append, "y")
    timer.cancel()
    assert len(engine) == 1
    engine.run()
    assert seen == ["y"]


def test_run_until_stops_and_rests_the_clock_there():
    engine = Engine()
    seen = []
    engine.schedule(100, seen.append, 1)
    engine.schedule(300, seen.append, 2)
    engine.run(until_ms=200)
    assert seen == [1] and engine.now_ms == 200
    assert engine.next_time_ms() == 300
    engine.run()
    assert seen == [1, 2]


def test_step_runs_one_timer_and_reports_idle():
    engine = Engine()
    engine.schedule(1, lambda _: engine.schedule(1, lambda _: None))
    assert engine.step() and engine.now_ms == 1
    assert engine.step() and engine.now_ms == 2
    assert not engine.step()


def test_scheduling_into_the_past_is_refused():
    with pytest.raises(ValueError, match="past"):
        Engine().schedule(-1, print)


def test_a_timer_scheduled_for_now_runs_in_the_same_pass_after_those_already_due():
    engine = Engine()
    seen = []
    engine.schedule(5, lambda _: (seen.append("a"), engine.schedule(0, seen.append, "c")))
    engine.schedule(5, seen.append, "b")
    engine.run()
    assert seen == ["a", "b", "c"] and engine.now_ms == 5


def test_a_raising_timer_leaves_the_others_due_at_that_time_pending():
    engine = Engine()
    seen = []

    def boom(_):
        raise RuntimeError("boom")

    engine.schedule(5, seen.append, "a")
    engine.schedule(5, boom)
    engine.schedule(5, seen.append, "b")
    with pytest.raises(RuntimeError):
        engine.run()
    assert seen == ["a"] and len(engine) == 1
    engine.run()
    assert seen == ["a", "b"]


def test_priorities_are_bounded_and_cancelled_timers_do_not_move_the_clock():
    engine = Engine()
    with pytest.raises(ValueError, match="priority must be in -8..7"):
        engine.schedule(1, print, priority=8)
    engine.schedule(5, print).cancel()
    assert engine.next_time_ms() is None
    assert engine.run() == 0 and engine.now_ms == 0


def test_run_leaves_the_collector_settings_alone():
    """The GC policy is the process owner's (aployee_sim.process_policy), never a run's."""
    import gc

    before = gc.get_threshold()
    engine = Engine()
    seen = []
    engine.schedule(1, lambda _: seen.append(gc.get_threshold()))
    engine.run()
    assert seen == [before] and gc.get_threshold() == before


def test_run_in_slices_runs_the_same_timers_in_the_same_order_as_one_run():
    """The server runs the engine in slices of `limit` timers; batch runs in one go: one path."""
    def build():
        engine, seen = Engine(), []

        def tick(n):
            seen.append((engine.now_ms, n))
            if n < 40:
                engine.schedule(n % 3, tick, n + 1)  # some at the very instant that is running
        for start in range(5):
            engine.schedule(start * 2, tick, start * 10)
        return engine, seen

    whole, whole_seen = build()
    whole.run()
    sliced, sliced_seen = build()
    slices = 0
    while sliced.run(limit=7) == 7:
        slices += 1
    assert sliced_seen == whole_seen and slices > 3
    assert sliced.now_ms == whole.now_ms


def test_the_clock_never_goes_backwards():
    engine = Engine()
    times = []
    for delay in (30, 10, 10, 20, 0):
        engine.schedule(delay, lambda _: times.append(engine.now_ms))
    engine.run(until_ms=15)
    engine.run(until_ms=5)  # an earlier instant leaves the clock where it is
    assert engine.now_ms == 15
    engine.run(limit=1)
    assert engine.now_ms == 20  # a slice leaves the clock at the last timer it ran
    engine.run()
    assert times == sorted(times) == [0, 10, 10, 20, 30]


def test_only_the_engine_moves_a_clock():
    """No module but the engine assigns a clock's `now_ms` (a reset platform gets a fresh clock)."""
    import pathlib
    import re

    import aployee_sim

    root = pathlib.Path(aployee_sim.__file__).parent
    writers = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                     if re.search(r"\.now_ms\s*=[^=]", path.read_text(encoding="utf-8")))
    assert writers == ["core/engine.py"]


def test_a_reset_platform_starts_a_new_clock_and_the_old_one_keeps_its_time(sim):
    old = sim.clock
    sim.run(seconds=5)
    sim.reset()
    assert old.now_ms == 5000 and sim.clock is not old and sim.clock.now_ms == 0
    assert sim.clock.epoch == old.epoch and sim.engine.clock is sim.clock


def test_a_callback_that_looks_ahead_while_its_bucket_runs_loses_nothing():
    """`next_time_ms` forgets all-cancelled buckets; the running bucket may be one of them (its only
    timer cancelled itself, as a pipelined answer's collect timer does). A timer scheduled for the
    same instant afterwards still runs, and the run goes on."""
    engine = Engine()
    ran = []
    holder = {}

    def looks_ahead(_):
        holder["self"].cancel()
        assert engine.next_time_ms() is None
        engine.schedule(0, ran.append, "same instant")
        engine.schedule(5, ran.append, "later")

    holder["self"] = engine.schedule(10, looks_ahead)
    engine.run()
    assert ran == ["same instant", "later"] and engine.now_ms == 15
