"""Put a store file back into an older schema's shape, with that version's own table definitions,
so the migration and read-only tests read what an older aployee-sim really wrote."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from aployee_sim.adapters.store import Store
from aployee_sim.contract.exchanges import WebhookExchange

SCHEMA_3_EXCHANGES = """
CREATE TABLE exchanges (
    run_id TEXT NOT NULL DEFAULT '',
    call_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    sent_ms INTEGER NOT NULL,
    url TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, call_id, seq)
) WITHOUT ROWID;
"""


def as_schema_3(db: Path) -> None:
    """The file as schema 3 held it: each exchange row the projected dict `GET /_sim/webhooks` shows
    (a webhook's request with its context lines, an MCP tool call's `"kind": "mcp"`), no kind column."""
    rows = []
    with Store(db, readonly=True) as store:
        with store.read() as conn:
            keys = conn.execute("SELECT DISTINCT run_id, call_id FROM exchanges").fetchall()
        for run, call_id in keys:
            stored = store.get_call(call_id, run_id=run)
            for seq, (made, view) in enumerate(zip(stored.made, stored.exchanges, strict=True)):
                url = made.url if isinstance(made, WebhookExchange) else made.server
                rows.append((run, call_id, seq, made.sent_ms, url, json.dumps(view)))
    assert rows, "the file holds no exchange to convert"
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.executescript("DROP TABLE exchanges;" + SCHEMA_3_EXCHANGES)
        conn.executemany("INSERT INTO exchanges (run_id, call_id, seq, sent_ms, url, data) VALUES (?, ?, ?, ?, ?, ?)",
                         rows)
        conn.execute("PRAGMA user_version = 3")
