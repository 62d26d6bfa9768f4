"""A language model behind an OpenAI-compatible chat-completions API (an adapter; the core never imports it).

Ollama, llama.cpp's server, vLLM, LM Studio and hosted APIs all answer `POST {base_url}/chat/completions`
with `choices[0].message.content`; that one route is all the persona caller and the rubric judge need,
so the client is httpx (already a dependency) rather than the `openai` package, which would add a
dependency tree for one POST and hide the raw answer bytes the strict JSON policy must see.

The request body is exactly what a cassette records (`aployee_sim.scenario.cassette`): the model name,
the sampling parameters and the messages; where it goes (`base_url`) and the API key are not part of
it. One wall-clock deadline covers the whole exchange (connect, request, headers, body), like the
webhook adapter's, so a server that drips a byte a second fails at the deadline; at most 1 MiB of an
answer is read, redirects are not followed, and the answer is parsed with the strict JSON policy.
Every failure is a `core.chat.ModelError` whose message says what went wrong in one line.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass
from typing import Any

import httpx

from aployee_sim.adapters.outside_loop import OutsideLoop
from aployee_sim.contract import strict_json
from aployee_sim.core.chat import ModelError
from aployee_sim.core.reasoning import MAX_RESPONSE_BYTES

DEFAULT_DEADLINE_S = 60.0
"""The whole exchange, connect to last byte: a local model on a laptop CPU can take tens of seconds."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where requests go and how they are authorised (never recorded)."""

    base_url: str
    api_key: str | None = None


class ChatModel:
    """Sends chat-completions requests on the shared outside loop; `complete` waits for the text."""

    def __init__(self, deadline_s: float = DEFAULT_DEADLINE_S, outside: OutsideLoop | None = None) -> None:
        self.deadline_s = deadline_s
        self._outside = outside if outside is not None else OutsideLoop("aployee-sim-model")
        self._owns_loop = outside is None
        self._client: httpx.AsyncClient | None = None

    def complete(self, endpoint: Endpoint, request: dict[str, Any]) -> str:
        """The answer's `choices[0].message.content`, or `ModelError`."""
        future = self._outside.submit(self._exchange(endpoint, strict_json.dumps(request).encode()))
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise ModelError("the simulator stopped before the model answered") from None

    async def _exchange(self, endpoint: Endpoint, body: bytes) -> str:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=None,
                                             headers={"User-Agent": "aployee-sim"})
        url = endpoint.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if endpoint.api_key:
            headers["Authorization"] = f"Bearer {endpoint.api_key}"
        try:
            async with asyncio.timeout(self.deadline_s):
                async with self._client.stream("POST", url, content=body, headers=headers) as response:
                    status = response.status_code
                    raw = await _read_capped(response)
        except TimeoutError:
            raise ModelError(f"no answer from {url} within {self.deadline_s:g} s") from None
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            raise ModelError(f"cannot reach {url}: {exc or type(exc).__name__}") from None
        if raw is None:
            raise ModelError(f"the answer from {url} is over {MAX_RESPONSE_BYTES} bytes")
        if not 200 <= status < 300:
            start = raw[:200].decode("utf-8", "replace").strip()
            raise ModelError(f"{url} answered HTTP {status}" + (f": {start}" if start else ""))
        return content_of(raw, url)

    def close(self) -> None:
        """Close the connection pool, and the loop when this client started its own."""
        client, self._client = self._client, None
        if client is not None:
            try:
                self._outside.submit(client.aclose()).result(5)
            except (concurrent.futures.TimeoutError, RuntimeError):
                pass  # the loop is already stopping; its sockets go with it
        if self._owns_loop:
            self._outside.close()


async def _read_capped(response: httpx.Response) -> bytes | None:
    """The body, or None once it passes MAX_RESPONSE_BYTES (the rest is never read)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def content_of(raw: bytes, url: str) -> str:
    """`choices[0].message.content` of a chat-completions answer, read as strict JSON."""
    try:
        answer = strict_json.loads(raw)
    except strict_json.StrictJsonError as exc:
        raise ModelError(f"the answer from {url} is not JSON: {exc}") from None
    choices = answer.get("choices") if isinstance(answer, dict) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise ModelError(f"the answer from {url} has no choices[0].message.content text")
    return content
