"""`aployee-sim serve`: what it prints, the Calls page's curl flow against it, --db, and user mistakes."""

from __future__ import annotations

import socket

import httpx
import pytest
from server_helpers import ServeProcess

from aployee_sim.cli import main

CALLS_PAGE_BODY = '''{
"assistant_id": "asst_xyz789",
"to": "+15551234567",
"from": "+15559876543",
"initial_state": {
"customer_id": "cust_12345",
"campaign": "renewal_outreach"
}
}'''


def test_serve_prints_url_key_and_org_and_serves_the_calls_page_flow(tmp_path):
    db = tmp_path / "calls.db"
    with ServeProcess("--db", str(db), "--seed", "7", key="calls-page-key") as proc:
        assert any("API key:         calls-page-key" in line for line in proc.lines)
        assert proc.base_url.startswith("http://127.0.0.1:") and proc.base_url.endswith("/v1")
        headers = {"Authorization": "Bearer calls-page-key"}
        with httpx.Client(headers=headers, trust_env=False, timeout=10) as api:
            assistant = api.post(f"{proc.base_url}/assistants", json={"name": "Alex"}).json()
            body = CALLS_PAGE_BODY.replace("asst_xyz789", assistant["id"])  # the page's body, verbatim
            created = api.post(f"{proc.base_url}/calls", headers={"Content-Type": "application/json"},
                               content=body.encode())
            assert created.status_code == 201
            call_id = created.json()["id"]
            for _ in range(500):
                details = api.get(f"{proc.base_url}/calls/{call_id}").json()
                if details["status"] == "completed":
                    break
            assert details["status"] == "completed"
            assert api.get(f"{proc.base_url}/calls/{call_id}/live-state").status_code == 200
            listed = api.get(f"{proc.base_url}/calls?assistant_id={assistant['id']}&status=completed&limit=10")
            assert [c["id"] for c in listed.json()["data"]] == [call_id]
        assert proc.stop() == 0
    from aployee_sim.adapters.store import Store

    stored = Store(str(db)).get_call(call_id)
    assert stored.details() == details


@pytest.mark.parametrize("args,message", [
    (["--plan", "gold"], "--plan: unknown plan 'gold'"),
    (["--config", "/nonexistent/sim.yaml"], "--config: /nonexistent/sim.yaml"),
])
def test_serve_usage_errors(capsys, args, message):
    assert main(["serve", "--port", "0", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("aployee-sim: error: ") and message in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["--clock", "fast"], ["--speed", "0"], ["--speed", "nan"]])
def test_serve_rejects_bad_flag_values(capsys, args):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "0", *args])
    assert exited.value.code == 2 and "Traceback" not in capsys.readouterr().err


def test_serve_on_a_busy_port(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["serve", "--port", str(busy.getsockname()[1])]) == 2
    assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err
