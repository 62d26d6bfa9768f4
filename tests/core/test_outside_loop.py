"""The background loop for outside-world I/O: results come back, close() cancels and joins."""

import asyncio
import sys

from aployee_sim.adapters.outside_loop import IO_SWITCH_INTERVAL_S, OutsideLoop


def test_results_come_back_and_close_cancels_what_is_in_flight():
    loop = OutsideLoop()

    async def answer() -> int:
        await asyncio.sleep(0.01)
        return 3

    async def hang() -> None:
        await asyncio.sleep(100)

    assert loop.submit(answer()).result(2) == 3
    pending = loop.submit(hang())
    loop.close()
    assert pending.cancelled()


def test_the_gil_is_handed_over_more_often_only_while_a_loop_runs():
    before = sys.getswitchinterval()
    first, second = OutsideLoop(), OutsideLoop()
    assert sys.getswitchinterval() == before  # a loop that has not started changes nothing
    try:
        first.submit(asyncio.sleep(0)).result(2)
        second.submit(asyncio.sleep(0)).result(2)
        assert sys.getswitchinterval() == min(before, IO_SWITCH_INTERVAL_S)
        first.close()
        assert sys.getswitchinterval() == min(before, IO_SWITCH_INTERVAL_S)  # the other loop still runs
    finally:
        first.close()
        second.close()
    assert sys.getswitchinterval() == before
    second.close()  # closing twice does not restore twice
    assert sys.getswitchinterval() == before
