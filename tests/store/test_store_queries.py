"""The read side the TUI uses: filters, text search, paging, assistants, runs, schema guard."""

from __future__ import annotations

import sqlite3

import pytest
from store_helpers import busy_simulator, place_calls

from aployee_sim.adapters.store import Store, StoreError, StoreWriter
from aployee_sim.contract.errors import ApiError


@pytest.fixture
def filled(tmp_path):
    store = Store(tmp_path / "calls.db")
    sim = busy_simulator()
    StoreWriter(store, run_id="run_1").attach(sim)
    ids = place_calls(sim, 8)
    sim.run()
    yield store, sim, ids
    store.close()


def test_status_assistant_and_paging(filled):
    store, sim, ids = filled
    everything = store.list_calls(limit=100)
    assert everything["total"] == 8 and len(everything["calls"]) == 8
    expected = [row["id"] for row in sim.list_calls(limit=100)["data"]]
    assert [row["id"] for row in everything["calls"]] == expected  # newest first, like GET /v1/calls
    failed = store.list_calls(status="failed")
    assert failed["total"] == 4 and {r["status"] for r in failed["calls"]} == {"failed"}
    assert {r["end_reason"] for r in failed["calls"]} == {"busy", "error"}
    page = store.list_calls(limit=3, offset=6)
    assert [r["id"] for r in page["calls"]] == expected[6:] and page["total"] == 8
    assistant_id = next(iter(sim.assistants))
    assert store.list_calls(assistant="Alex")["total"] == 8
    assert store.list_calls(assistant=assistant_id)["total"] == 8
    assert store.list_calls(assistant="Nobody")["total"] == 0
    assert store.list_calls(run_id="run_1")["total"] == 8 and store.list_calls(run_id="run_2")["total"] == 0


def test_text_matches_words_said_numbers_and_ids(filled):
    store, sim, ids = filled
    renewals = store.list_calls(text="RENEW my")
    assert renewals["total"] == 2 and all(r["to"] == "+15551234567" for r in renewals["calls"])
    assert store.list_calls(text="5550002")["total"] == 2
    assert store.list_calls(text=ids[3][5:])["calls"][0]["id"] == ids[3]
    assert store.list_calls(text="100%_")["total"] == 0  # LIKE wildcards are literal


def test_summary_rows_agree_with_the_resource(filled):
    store, sim, ids = filled
    row = next(r for r in store.list_calls(limit=100)["calls"] if r["id"] == ids[0])
    details = sim.call_details(ids[0])
    assert row["duration_seconds"] == details["duration_seconds"] and row["created_at"] == details["created_at"]
    assert row["assistant_name"] == "Alex" and row["direction"] == "outbound"


def test_bad_filters_are_clear_errors(filled):
    store, _, _ = filled
    with pytest.raises(ApiError, match="status must be one of"):
        store.list_calls(status="done")
    with pytest.raises(ApiError, match="limit"):
        store.list_calls(limit=0)


def test_assistants_and_runs(filled):
    store, sim, _ = filled
    assistant_id = next(iter(sim.assistants))
    assert store.assistants("run_1") == [sim.get_assistant(assistant_id)] and store.assistants() == []
    sim.update_assistant(assistant_id, {"name": "Alexandra"})
    writer = StoreWriter(store).attach(sim)          # the server's writer (run ''): same id, its own row
    assert writer.flush() == 0
    assert store.assistants()[0]["name"] == "Alexandra"
    assert store.assistants("run_1")[0]["name"] == "Alexandra"  # run_1's writer, still attached, stored it too
    store.save_run("run_1", name="renewal", started="2026-01-01T10:00:00Z", passed=False, result={}, seed=7)
    store.save_run("run_1", name="renewal", started="2026-01-01T10:00:00Z", passed=True,
                   result={"expectations": 3}, seed=7)
    store.save_run("run_2", name="busy", started="2026-01-02T10:00:00Z", passed=False, result={"why": "x"})
    runs = store.runs()
    assert [r["id"] for r in runs] == ["run_2", "run_1"]
    assert runs[1] == {"id": "run_1", "started": "2026-01-01T10:00:00Z", "seed": 7, "name": "renewal",
                       "passed": True, "result": {"expectations": 3}}
    store.delete_run("run_2")
    assert [r["id"] for r in store.runs()] == ["run_1"] and store.list_calls(run_id="run_1")["total"] == 8
    store.delete_run("run_1")
    assert store.list_calls(run_id="run_1")["total"] == 0 and store.runs() == []


def test_wal_mode_and_a_clear_error_for_files_that_are_not_stores(tmp_path):
    with Store(tmp_path / "a.db") as store:
        with store.read() as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(junk)
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer aployee-sim"):
        Store(newer)


def test_same_seed_runs_keep_their_own_calls(tmp_path):
    """Seeded ids repeat across runs: each run keeps its calls; get_call picks by run or the latest."""
    with Store(tmp_path / "runs.db") as store:
        finals = {}
        for run_id, hangup_after in (("run_a", True), ("run_b", False)):
            sim = busy_simulator(seed=9)
            StoreWriter(store, run_id=run_id).attach(sim)
            call_id = place_calls(sim, 3 if hangup_after else 2)[0]
            sim.run()
            finals[run_id] = sim.timeline(call_id)
        assert finals["run_a"]["call_id"] == finals["run_b"]["call_id"]
        call_id = finals["run_a"]["call_id"]
        assert store.list_calls()["total"] == 5
        assert [r["run_id"] for r in store.list_calls(text=call_id)["calls"]] == ["run_a", "run_b"]
        assert store.get_call(call_id, run_id="run_a").timeline() == finals["run_a"]
        assert store.get_call(call_id, run_id="run_b").timeline() == finals["run_b"]
        assert store.get_call(call_id).run_id == "run_b"  # the latest written
        with pytest.raises(ApiError):
            store.get_call(call_id, run_id="run_c")


def test_summary_rows_count_spoken_lines(filled):
    store, sim, ids = filled
    rows = {r["id"]: r for r in store.list_calls(limit=100)["calls"]}
    assert rows[ids[0]]["turns"] == len(sim.call_details(ids[0])["transcript"]) > 0
    assert rows[ids[2]]["turns"] == 0  # busy


def test_an_old_development_store_is_refused_with_advice(tmp_path):
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA user_version = 1")
    with pytest.raises(StoreError, match="older development format.*delete it"):
        Store(old)
