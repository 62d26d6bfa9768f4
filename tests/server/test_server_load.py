"""A bounded load test on loopback: 200 concurrent clients create and poll calls for a fixed few
seconds against `aployee-sim serve` in its own process. Zero 5xx, zero lost calls."""

from __future__ import annotations

import asyncio
import time

import httpx
from server_helpers import ServeProcess

CLIENTS = 200
SECONDS = 3.0


async def _client(api: httpx.AsyncClient, assistant_id: str, deadline: float, created: list, statuses: list):
    while time.monotonic() < deadline:
        response = await api.post("/v1/calls", json={"assistant_id": assistant_id, "to": "+15551234567"})
        statuses.append(response.status_code)
        if response.status_code != 201:
            continue
        call_id = response.json()["id"]
        created.append(call_id)
        for _ in range(2):
            poll = await api.get(f"/v1/calls/{call_id}")
            statuses.append(poll.status_code)


async def _load(proc: ServeProcess) -> tuple[list[str], list[int]]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=proc.root_url, headers={"Authorization": f"Bearer {proc.key}"},
                                 limits=limits, timeout=30, trust_env=False) as api:
        assistant = (await api.post("/v1/assistants", json={"name": "Load"})).json()
        created: list[str] = []
        statuses: list[int] = []
        deadline = time.monotonic() + SECONDS
        await asyncio.gather(*(_client(api, assistant["id"], deadline, created, statuses) for _ in range(CLIENTS)))
        return created, statuses


def test_two_hundred_concurrent_clients_lose_nothing():
    with ServeProcess("--clock", "auto") as proc:
        created, statuses = asyncio.run(_load(proc))
        assert len(created) >= CLIENTS  # every client got at least one call through
        assert [s for s in statuses if s >= 500] == []
        assert set(statuses) <= {200, 201}
        with httpx.Client(base_url=proc.root_url, headers={"Authorization": f"Bearer {proc.key}"},
                          trust_env=False, timeout=30) as api:
            listed, offset = set(), 0
            while True:  # page through everything the server knows
                page = api.get("/v1/calls", params={"limit": 100, "offset": offset}).json()
                listed.update(c["id"] for c in page["data"])
                offset += 100
                if not page["has_more"]:
                    break
            assert page["total"] == len(created) == len(set(created))
            assert listed == set(created)
        assert proc.stop() == 0
