"""The background loop for outside-world I/O: results come back, close() cancels and joins."""
import asyncio

from aployee_sim.adapters.outside_loop import OutsideLoop


def test_loop():
    loop = OutsideLoop()
    async def f(): await asyncio.sleep(0.01); return 3
    assert loop.submit(f()).result(2) == 3
    async def hang(): await asyncio.sleep(100)
    fut = loop.submit(hang())
    loop.close()
    assert fut.cancelled() or fut.done()
