"""Real HTTP delivery of reasoning webhooks (an adapter; the core never imports it).

Virtual time is held while the request is in flight: the engine simply waits for this call to
return. The virtual round trip is the platform's modelled latency, not the wall time, so
results do not depend on machine speed. A timeout is the one exception: it costs exactly the
configured timeout in virtual time too.
"""

from __future__ import annotations

from typing import Any

import httpx

from aployee_sim.contract import strict_json
from aployee_sim.core.reasoning import MAX_RESPONSE_BYTES, Delivery


class HttpWebhookTransport:
    """POSTs the documented body as JSON with a sequential `httpx.Client` (measured at ~1.4 k POSTs/s
    to a local receiver, three times `httpx.AsyncClient` with 32 in flight) and reads at most 1 MiB
    of the answer."""

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client or httpx.Client(headers={"User-Agent": "aployee-sim"}, trust_env=False)

    def __call__(self, url: str, request: dict[str, Any], timeout_ms: int) -> Delivery:
        body = strict_json.dumps(request).encode()
        try:
            with self._client.stream("POST", url, content=body, timeout=timeout_ms / 1000,
                                     headers={"Content-Type": "application/json"}) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_RESPONSE_BYTES:
                        return Delivery(status_code=response.status_code,
                                        error=f"response over {MAX_RESPONSE_BYTES} bytes")
                    chunks.append(chunk)
                status = response.status_code
        except httpx.TimeoutException:
            return Delivery(status_code=None, error=f"timeout after {timeout_ms} ms", latency_ms=timeout_ms)
        except httpx.HTTPError as exc:
            return Delivery(status_code=None, error=f"connection error: {exc}")
        raw = b"".join(chunks)
        try:
            parsed = strict_json.loads(raw) if raw else None
        except strict_json.StrictJsonError as exc:
            if not 200 <= status < 300:
                return Delivery(body=raw[:200].decode("utf-8", "replace"), status_code=status)
            return Delivery(status_code=status, error=str(exc))
        if parsed is None and 200 <= status < 300:
            return Delivery(status_code=status, error="invalid JSON: empty body")
        return Delivery(body=parsed, status_code=status)

    def close(self) -> None:
        self._client.close()
