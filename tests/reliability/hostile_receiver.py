"""A hostile webhook receiver: a real Starlette app under uvicorn on 127.0.0.1, in a thread.

It answers each webhook request with what the test chose for that utterance (raw bytes, so the
answer can be anything: nesting 1,000 deep, `NaN`, `1e999`, a 10,000-character reply, a
truncated body…), and a plain `{"reply": "ok", "state": …}` otherwise. It keeps every request it
received and checks each one with a strict parser, so a test can assert that the simulator only
ever sent valid JSON to the integrator (`receiver.not_strict` stays empty).

    with HostileReceiver() as receiver:
        receiver.answer("nan please", corpus("answer_nan.json"))
        assistant = {..., "reasoning_mode": "webhook", "webhook_url": receiver.url}
        ...
        receiver.requests        # the parsed request bodies, in order
        receiver.not_strict      # raw bodies a strict parser refused (should be [])

The hostile payload files live in `corpus/` next to this module (`corpus(name)` reads one).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "corpus"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def corpus_names(prefix: str) -> list[str]:
    return sorted(p.name for p in CORPUS.glob(f"{prefix}*.json"))


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_parse(raw: bytes | str) -> Any:
    """RFC 8259 only (no NaN/Infinity), as an integrator's parser in another language would be."""
    return json.loads(raw, parse_constant=_refuse)


class HostileReceiver:
    def __init__(self, path: str = "/webhook") -> None:
        self.path = path
        self.requests: list[dict[str, Any]] = []
        self.not_strict: list[bytes] = []
        self._answers: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def answer(self, utterance: str, body: bytes | str, status: int = 200) -> None:
        """Answer requests for this utterance with these exact bytes."""
        raw = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._answers[utterance] = (status, raw)

    def _app(self):
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        async def webhook(request: Request) -> Response:
            raw = await request.body()
            try:
                parsed = strict_parse(raw)
            except ValueError:
                with self._lock:
                    self.not_strict.append(raw)
                return Response(b'{"state":{}}', media_type="application/json")
            with self._lock:
                self.requests.append(parsed)
                chosen = self._answers.get(parsed.get("utterance", "") if isinstance(parsed, dict) else "")
            if chosen is None:
                state = parsed.get("state", {}) if isinstance(parsed, dict) else {}
                return Response(json.dumps({"reply": "ok", "state": state}), media_type="application/json")
            status, body = chosen
            return Response(body, status_code=status, media_type="application/json")

        return Starlette(routes=[Route(self.path, webhook, methods=["POST"])])

    def start(self) -> HostileReceiver:
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(self._app(), lifespan="off", log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name=f"hostile-receiver-{self.port}")
        self._thread.start()
        for _ in range(500):
            if self._server.started:
                return self
            time.sleep(0.01)
        self.stop()
        raise RuntimeError("the hostile receiver did not start")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        if getattr(self, "_socket", None) is not None:
            self._socket.close()

    def __enter__(self) -> HostileReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
