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


def test_run_restores_the_collector_settings_even_when_a_timer_raises():
    import gc

    before = gc.get_threshold()
    engine = Engine()
    seen = []
    engine.schedule(1, lambda _: seen.append(gc.get_threshold()[0]))
    engine.schedule(2, lambda _: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        engine.run()
    assert seen[0] >= 50_000 and gc.get_threshold() == before
