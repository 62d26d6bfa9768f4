"""A real HTTP receiver for the tests of this folder: an ASGI app served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


class Receiver:
    """`app` on a free port of 127.0.0.1 (`url` is its root); `stop()` takes it down, bounded."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert self.server.started, "the receiver did not start"
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.should_exit = True
            self.thread.join(10)
        self.sock.close()
