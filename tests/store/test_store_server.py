"""Through the real server: a call is in the store file before `POST /v1/calls` answers."""

from __future__ import annotations

import httpx

from aployee_sim.adapters.store import Store, StoreWriter
from aployee_sim.api import Simulator
from aployee_sim.server.thread import ServerThread


def test_acknowledged_calls_are_already_committed(tmp_path):
    db = tmp_path / "calls.db"
    sim = Simulator(seed=2)
    writer = StoreWriter(Store(db)).attach(sim)
    with ServerThread(sim=sim, api_key="k", clock="manual") as srv, Store(db, readonly=True) as reader:
        srv.driver.after_run.append(writer.flush)
        headers = {"Authorization": "Bearer k"}
        with httpx.Client(base_url=srv.base_url, headers=headers) as client:
            assistant = client.post("/assistants", json={"name": "Alex"}).json()
            for _ in range(20):
                created = client.post("/calls", json={"assistant_id": assistant["id"], "to": "+15551234567"})
                assert created.status_code == 201
                stored = reader.get_call(created.json()["id"])  # another connection, right after the answer
                assert stored.details()["status"] == "initiated" and stored.assistant_name == "Alex"
            httpx.post(srv.root_url + "/_sim/clock/advance", json={"seconds": 60}, headers=headers).raise_for_status()
            srv.wait_idle()
            page = client.get("/calls", params={"limit": 100}).json()
        assert page["total"] == 20
        for call in page["data"]:
            assert reader.get_call(call["id"]).details() == call  # ended calls are stored completely
        srv.raise_errors()
    writer.store.close()
