"""The background loop for outside-world I/O: results come back, close() cancels and joins."""

import asyncio

from aployee_sim.adapters.outside_loop import OutsideLoop


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
