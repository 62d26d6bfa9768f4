"""Real HTTP delivery of reasoning webhooks (an adapter; the core never imports it).

Pipelined: calling the transport *begins* the POST on the one outside-world loop
(`OutsideLoop`) and returns a `PendingDelivery` at once; the call collects it when virtual time
reaches the moment the answer is needed (core/reasoning_turns.py), so the engine runs every
other call meanwhile and up to `in_flight` requests travel at the same time. `in_flight=1` is
sequential delivery: each request is sent and awaited at the moment it is due, as a debugging aid.
Records are the same either way: the virtual round trip is the platform's modelled latency, drawn
when the request goes out, never the wall time; a timeout costs exactly the configured timeout.

One wall-clock deadline covers the whole exchange (connect, request, headers, body): a receiver
that drips a byte a second times out at the deadline like one that never answers. The deadline
starts when the request goes out (after it got one of the `in_flight` slots). At most 1 MiB of an
answer is read, redirects are not followed, and answers are parsed with the strict JSON policy.

The client is aiohttp: on loopback with 32–128 requests in flight it delivered 5–15k webhooks/s
where `httpx.AsyncClient` managed 0.2–0.6k/s and a pool of threads with sequential `httpx.Client`s
1–2k/s (README, "Webhook delivery").
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import aiohttp

from aployee_sim.adapters.outside_loop import OutsideLoop
from aployee_sim.contract import strict_json
from aployee_sim.core.reasoning import DEFAULT_IN_FLIGHT, MAX_RESPONSE_BYTES, Delivery

_CHUNK = 64 * 1024


def check_in_flight(value: int) -> int:
    """The in-flight limit, validated (shared by every front end that accepts it)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10_000:
        raise ValueError(f"webhook in-flight limit must be an integer from 1 to 10000, got {value!r}")
    return value


class PendingAnswer:
    """One webhook request on its way: a `core.reasoning.PendingDelivery` over a loop future."""

    __slots__ = ("_future", "_outside")

    def __init__(self, future: concurrent.futures.Future[Delivery], outside: OutsideLoop) -> None:
        self._future = future
        self._outside = outside

    def done(self) -> bool:
        return self._future.done()

    def collect(self) -> Delivery:
        """The answer; waits only as long as the exchange's own deadline lets it run."""
        try:
            return self._outside.result(self._future)
        except concurrent.futures.CancelledError:
            return Delivery(status_code=None, error="connection error: the simulator stopped before the answer")
        except Exception as exc:  # never an exception in the engine: a failure is data
            return Delivery(status_code=None, error=f"connection error: {type(exc).__name__}: {exc}")


class HttpClient:
    """One aiohttp connection pool on one outside loop, shared by any number of transports.

    A suite run (`aployee-sim run --jobs N`) and an exploration run many simulators at once; they
    share one client instead of each making its own (a client costs ~40 ms to make, a call ~1 ms).
    The pool itself has no limit: each transport's own `in_flight` slots bound what it sends."""

    def __init__(self, outside: OutsideLoop | None = None) -> None:
        self.outside = outside if outside is not None else OutsideLoop("aployee-sim-webhooks")
        self._owns_loop = outside is None
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The session, made on first use (call it on the outside loop: aiohttp binds it there)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, limit_per_host=0),
                headers={"User-Agent": "aployee-sim"}, timeout=aiohttp.ClientTimeout(total=None),
                trust_env=False, auto_decompress=True)
        return self._session

    def transport(self, in_flight: int = DEFAULT_IN_FLIGHT) -> HttpWebhookTransport:
        """A transport for one simulator on this client (closing it leaves the client open)."""
        return HttpWebhookTransport(in_flight, client=self)

    def close(self) -> None:
        """Close the connection pool, and the loop when this client started its own."""
        session = self._session
        if session is not None:
            self._session = None
            try:
                self.outside.submit(session.close()).result(5)
            except (concurrent.futures.TimeoutError, RuntimeError):
                pass  # the loop is already stopping; its sockets go with it
        if self._owns_loop:
            self.outside.close()


class HttpWebhookTransport:
    """POSTs the documented body as JSON; `in_flight` requests at most at once (1: sequential).

    `client`: the shared connection pool to use (left open by `close`); without it the transport
    makes its own on `outside` (or on a loop of its own)."""

    def __init__(self, in_flight: int = DEFAULT_IN_FLIGHT, outside: OutsideLoop | None = None,
                 client: HttpClient | None = None) -> None:
        self.in_flight = check_in_flight(in_flight)
        self._owns_client = client is None
        self._client = client if client is not None else HttpClient(outside)
        self._slots: asyncio.Semaphore | None = None

    @property
    def sequential(self) -> bool:
        """True when each request is awaited as soon as it is sent (the caller blocks in `__call__`)."""
        return self.in_flight == 1

    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> PendingAnswer:
        body = strict_json.dumps(request).encode()
        outside = self._client.outside
        pending = PendingAnswer(outside.submit(self._exchange(url, body, timeout_ms)), outside)
        if self.sequential:
            pending.collect()
        return pending

    async def _exchange(self, url: str, body: bytes, timeout_ms: int) -> Delivery:
        if self._slots is None:  # made on the loop, like the session
            self._slots = asyncio.Semaphore(self.in_flight)
        session = self._client.session()
        async with self._slots:
            try:
                async with asyncio.timeout(timeout_ms / 1000):
                    async with session.post(url, data=body, allow_redirects=False,
                                            headers={"Content-Type": "application/json"}) as response:
                        status = response.status
                        raw = await _read_capped(response)
            except TimeoutError:
                return Delivery(status_code=None, error=f"timeout after {timeout_ms} ms", latency_ms=timeout_ms)
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                return Delivery(status_code=None, error=f"connection error: {exc or type(exc).__name__}")
        if raw is None:
            return Delivery(status_code=status, error=f"response over {MAX_RESPONSE_BYTES} bytes")
        return _parsed(status, raw)

    def close(self) -> None:
        """Close the connection pool and loop this transport made; a shared client stays open."""
        if self._owns_client:
            self._client.close()


async def _read_capped(response: aiohttp.ClientResponse) -> bytes | None:
    """The body, or None once it passes MAX_RESPONSE_BYTES (the rest is never read)."""
    declared = response.content_length
    if declared is not None and declared > MAX_RESPONSE_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parsed(status: int, raw: bytes) -> Delivery:
    """Strict JSON, or the recorded failure: a non-2xx keeps the start of its text as the body."""
    try:
        parsed = strict_json.loads(raw) if raw else None
    except strict_json.StrictJsonError as exc:
        if not 200 <= status < 300:
            return Delivery(body=raw[:200].decode("utf-8", "replace"), status_code=status)
        message = str(exc)
        return Delivery(status_code=status, error=message if message.startswith("invalid JSON") else
                        f"invalid JSON: {message}")
    if parsed is None and 200 <= status < 300:
        return Delivery(status_code=status, error="invalid JSON: empty body")
    return Delivery(body=parsed, status_code=status)
