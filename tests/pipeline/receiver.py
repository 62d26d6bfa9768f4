"""A real webhook receiver for the pipelined-delivery tests: Starlette on uvicorn, 127.0.0.1, a thread.

Its answers depend only on the request (the reply echoes the utterance, the state counts turns),
so any delivery order must give the same records. Knobs, per test: a delay for each request
(`delay(body) -> seconds`), call ids whose requests hang until `release()` (or the deadline),
call ids whose answers drip one byte at a time (`"*"`: every call), and a count of requests in progress at once.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route


def answer_for(body: dict[str, Any]) -> dict[str, Any]:
    """The receiver's answer: a function of the request alone."""
    state = dict(body["state"])
    state["turns"] = state.get("turns", 0) + 1
    state["last"] = body["utterance"]
    return {"reply": f"You said {body['utterance']}.", "state": state}


class Receiver:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.delay: Callable[[dict[str, Any]], float] = lambda body: 0.0
        self.hang: set[str] = set()
        self.drip: set[str] = set()
        self.active = 0
        self.max_active = 0
        self.hanging = 0  # requests held right now by `hang`
        self._released: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self._socket = sock
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
        config = uvicorn.Config(app, loop="asyncio", http="h11", lifespan="off", log_level="warning",
                                access_log=False, timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)

    async def _hook(self, request: Request) -> Response:
        body = json.loads(await request.body())
        self.received.append(body)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            if body["call_id"] in self.hang or "*" in self.hang:
                self.hanging += 1
                try:
                    await asyncio.wait_for(self._release_event().wait(), 30)
                finally:
                    self.hanging -= 1
            await asyncio.sleep(self.delay(body))
            raw = json.dumps(answer_for(body)).encode()
            if body["call_id"] in self.drip or "*" in self.drip:
                return StreamingResponse(_drip(raw), media_type="application/json")
            return Response(raw, media_type="application/json")
        finally:
            self.active -= 1

    def _release_event(self) -> asyncio.Event:
        if self._released is None:
            self._loop = asyncio.get_running_loop()
            self._released = asyncio.Event()
        return self._released

    def release(self) -> None:
        """Let every hanging request answer."""
        if self._loop is not None and self._released is not None:
            self._loop.call_soon_threadsafe(self._released.set)

    def wait_hanging(self, count: int = 1, timeout_s: float = 10.0) -> bool:
        return _until(lambda: self.hanging >= count, timeout_s)

    def utterances(self, call_id: str, count: int, timeout_s: float = 10.0) -> list[str]:
        """What `call_id` sent, once `count` requests of it arrived (requests travel on their own)."""
        _until(lambda: sum(1 for b in self.received if b["call_id"] == call_id) >= count, timeout_s)
        return [b["utterance"] for b in self.received if b["call_id"] == call_id]

    def __enter__(self) -> Receiver:
        self._thread.start()
        for _ in range(1000):
            if self._server.started:
                return self
            time.sleep(0.01)
        raise RuntimeError("the receiver did not start")

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


def _until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    for _ in range(int(timeout_s / 0.01)):
        if predicate():
            return True
        time.sleep(0.01)
    return False


async def _drip(raw: bytes):
    for byte in raw:
        yield bytes([byte])
        await asyncio.sleep(0.2)
