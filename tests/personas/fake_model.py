"""A fake OpenAI-compatible chat-completions server on 127.0.0.1 for the persona and judge tests.

Real HTTP (the standard library's threading server): the client under test connects, posts, reads
headers and body like it would from Ollama or vLLM. What it answers is a `Brain`: rules tried in order
against the request's last message (the first whose `when` text occurs in it answers), or a function
of the whole request for misbehaving models (errors, slowness, broken JSON). Every request is kept in
`requests` so tests can see exactly what was sent.

`BUNDLED` holds the brains the bundled persona scenarios were recorded with:
`python -m tests.personas.fake_model` records their cassettes again (byte for byte the same).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (status, body bytes, seconds to wait before answering)
Raw = tuple[int, bytes, float]


def completion(content: str) -> bytes:
    return json.dumps({"id": "chatcmpl-fake", "object": "chat.completion", "model": "fake",
                       "choices": [{"index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": content}}]}).encode()


@dataclass
class Brain:
    """Answers by rules on the last message's text; `default` when none matches."""

    rules: list[tuple[str, str]] = field(default_factory=list)
    default: str = '{"hang_up": "nothing more to say"}'

    def __call__(self, request: dict[str, Any]) -> str:
        last = request["messages"][-1]["content"] if request["messages"] else ""
        return next((answer for when, answer in self.rules if when in last), self.default)


class FakeModel:
    """The server; `answer(request) -> text` (a `Brain`) or `raw(request) -> Raw` decides each answer."""

    def __init__(self, answer: Callable[[dict[str, Any]], str] | None = None,
                 raw: Callable[[dict[str, Any]], Raw] | None = None, delay_s: float = 0.0) -> None:
        self.answer = answer or Brain()
        self.raw = raw
        self.delay_s = delay_s
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                if self.path != "/v1/chat/completions":
                    status, data, wait = 404, b'{"error": "not found"}', 0.0
                elif fake.raw is not None:
                    status, data, wait = fake.raw(body)
                else:
                    status, data, wait = 200, completion(fake.answer(body)), fake.delay_s
                if wait:
                    time.sleep(wait)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (its deadline)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeModel:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


JUDGE = "You are a strict judge"
BUNDLED: dict[str, Brain] = {
    "persona_order_status": Brain([  # the judge's rules first: its record holds the whole dialogue
        ("Rubric: the assistant told the caller when the order ships",
         '{"verdict": "pass", "reason": "The assistant said order 12345 ships tomorrow."}'),
        ("Rubric: the assistant asked for the order number before answering",
         '{"verdict": "pass", "reason": "It asked for the order number, then gave the shipping date."}'),
        ("order number", '{"say": "Sure, it is 12345."}'),
        ("ships tomorrow", '{"say": "No, that is all. Thanks!"}'),
    ], default='{"say": "Hi, I would like to know where my order is."}'),
    "persona_reschedule": Brain([
        ("Rubric: the assistant confirmed the new appointment day",
         '{"verdict": "pass", "reason": "The assistant said the appointment is moved to Thursday."}'),
        ("Which day", 'Thursday, please.'),  # not a turn: the caller is told and asked again
        ("not a valid turn", '{"say": "Thursday afternoon, please."}'),
        ("moved to Thursday", '{"hang_up": "goal reached: the appointment is on Thursday"}'),
    ], default='{"say": "Sorry, could you say that again?"}'),
}


def record_bundled(directory: Any = None) -> None:
    """Record the bundled persona scenarios' cassettes against their brains (`--record all`)."""
    import os
    from pathlib import Path

    from aployee_sim.scenario.completions import ENV_URL
    from aployee_sim.scenario.loader import load_scenario
    from aployee_sim.scenario.runner import run_scenario

    folder = Path(directory) if directory else Path(__file__).resolve().parents[2] / "scenarios"
    for name, brain in BUNDLED.items():
        with FakeModel(brain) as fake:
            os.environ[ENV_URL] = fake.base_url
            try:
                run_scenario(load_scenario(folder / f"{name}.scenario.yaml"), record="all")
            finally:
                del os.environ[ENV_URL]


if __name__ == "__main__":
    record_bundled()
