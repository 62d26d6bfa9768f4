"""A store written before schema 3 (one assistant row per id for every run) keeps working.

The file is made by a real `serve --db` and a real `run --db`, then put back into the schema-2
shape with that version's own table definitions (the assistant tables were all that changed).
Read-only (the TUI) it is shown as it is, without a write; opened by a restarted server it is
migrated: the server's assistants and calls are resumed, the deleted assistant stays deleted, the
scenario run's call still finds its assistant, and nothing is lost.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from serve_process import Served
from store_versions import as_schema_3

from aployee_sim.tui.export import scenario_dict
from aployee_sim.tui.sources.store_source import StoreSource

CLI = str(Path(sys.executable).with_name("aployee-sim"))
REPO = Path(__file__).resolve().parents[2]

SCHEMA_2_ASSISTANTS = """
CREATE TABLE assistants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE retired_assistants (
    id TEXT PRIMARY KEY
);
"""


def as_schema_2(db: Path) -> None:
    """The file as schema 2 held it: one row per assistant id (the last written), no worlds."""
    as_schema_3(db)
    with closing(sqlite3.connect(db)) as conn, conn:
        rows = conn.execute("SELECT id, name, data FROM assistants ORDER BY rowid").fetchall()
        retired = conn.execute("SELECT DISTINCT id FROM retired_assistants").fetchall()
        conn.executescript("DROP TABLE assistants; DROP TABLE retired_assistants; DROP TABLE worlds;"
                           + SCHEMA_2_ASSISTANTS)
        conn.executemany("INSERT OR REPLACE INTO assistants (id, name, data) VALUES (?, ?, ?)", rows)
        conn.executemany("INSERT INTO retired_assistants (id) VALUES (?)", retired)
        conn.execute("PRAGMA user_version = 2")


def version_and_counts(db: Path) -> tuple[int, int, int, int]:
    with closing(sqlite3.connect(db)) as conn:
        return (conn.execute("PRAGMA user_version").fetchone()[0],
                *(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("calls", "events", "assistants")))


def test_an_old_store_opens_read_only_and_migrates_on_a_server_restart(tmp_path):
    db = tmp_path / "calls.db"
    with Served(["--db", str(db)]) as server, server.client() as api:
        keep = api.post("/v1/assistants", json={"name": "Keep", "first_message": "Hello from Keep."}).json()
        gone = api.post("/v1/assistants", json={"name": "Gone"}).json()
        assert api.delete(f"/v1/assistants/{gone['id']}").status_code in (200, 204)
        call = api.post("/v1/calls", json={"assistant_id": keep["id"], "to": "+15551234567"}).json()
        assert api.post("/_sim/clock/advance", json={"seconds": 120}).status_code == 200
        details = api.get(f"/v1/calls/{call['id']}").json()
    ran = subprocess.run([CLI, "run", "scenarios/renewal.scenario.yaml", "--db", str(db)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout
    as_schema_2(db)
    before = version_and_counts(db)
    assert before[0] == 2

    source = StoreSource(db)                      # the TUI, read-only: shown through views, not written
    rows = {r.run_id: r for r in source.call_rows()}
    served = source.call_data(call["id"])
    assert served.details == details and served.assistant == keep
    scenario_run = next(run for run in rows if run)
    renewal = source.call_data(rows[scenario_run].id, scenario_run)
    assert renewal.assistant is not None and renewal.assistant["name"] == "Alex"   # read from the old rows
    assert scenario_dict(renewal)["assistants"]["assistant"]["name"] == "Alex"
    source.close()
    assert version_and_counts(db) == before

    with Served(["--db", str(db)]) as server, server.client() as api:   # a writer migrates the file
        # Schema 2 cannot tell whose an assistant row was: every row stays the server's, as a restart
        # read them before (Keep and the scenario run's Alex); rows written from now on know their run.
        assert "1 stored call and 2 assistants resumed" in server.banner
        assert api.get(f"/v1/calls/{call['id']}").json() == details
        assert api.get(f"/v1/assistants/{keep['id']}").json() == keep
        assert api.get(f"/v1/assistants/{gone['id']}").status_code == 404
        listed = api.get("/v1/assistants").json()["data"]
        assert [a["id"] for a in listed if a["id"] in (keep["id"], gone["id"])] == [keep["id"]]
    after = version_and_counts(db)
    assert after[0] == 4 and after[1:] == before[1:]                   # nothing lost
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert {run for (run,) in conn.execute("SELECT DISTINCT run_id FROM assistants")} == {""}
