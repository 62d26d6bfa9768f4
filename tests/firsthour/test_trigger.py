"""`aployee-sim trigger` against a real webhook receiver on 127.0.0.1 (real subprocess CLI runs)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from receivers import Receiver
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

CLI = str(Path(sys.executable).with_name("aployee-sim"))
ROOT = Path(__file__).resolve().parents[2]
RECEIVED: list[dict] = []


async def reply(request: Request) -> JSONResponse:
    body = await request.json()
    RECEIVED.append(body)
    return JSONResponse({"reply": f"You said: {body['utterance']}", "state": {**body["state"], "seen": True}})


async def transfer(request: Request) -> JSONResponse:
    return JSONResponse({"action": "transfer", "target": request.query_params["to"], "state": {}})


async def forgetful(request: Request) -> JSONResponse:
    """Answers a state that keeps none of the sent keys (the mistake a replacing state invites)."""
    return JSONResponse({"reply": "Noted.", "state": {"intent": "order_status"}})


async def broken(request: Request) -> PlainTextResponse:
    return PlainTextResponse("boom", status_code=500)


async def not_json(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/reply", reply, methods=["POST"]), Route("/transfer", transfer, methods=["POST"]),
                        Route("/forgetful", forgetful, methods=["POST"]),
                        Route("/broken", broken, methods=["POST"]), Route("/text", not_json, methods=["POST"])])


@pytest.fixture(scope="module")
def hook():
    receiver = Receiver(APP)
    yield receiver.url
    receiver.stop()


def trigger(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "trigger", *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_reply_and_state_are_accepted(hook):
    done = trigger(f"{hook}/reply", "--utterance", "Where is my order?", "--state", '{"order_id": "ord_1"}')
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reply spoken: You said: Where is my order?" in done.stdout
    assert 'state replaced with: {"order_id": "ord_1", "seen": true}' in done.stdout
    sent = RECEIVED[-1]
    assert set(sent) == {"call_id", "assistant_id", "utterance", "state", "context", "timestamp"}
    # The contract's context: the recent dialogue, ending with the utterance.
    assert sent["context"] == [{"role": "user", "content": "Where is my order?"}]
    assert "  + seen: true" in done.stdout.splitlines() and "warning" not in done.stdout
    given = trigger(f"{hook}/reply", "--utterance", "Yes", "--context", '[{"role": "assistant", "content": "Hi!"}]')
    assert given.returncode == 0 and RECEIVED[-1]["context"] == [{"role": "assistant", "content": "Hi!"}]


def test_the_returned_state_is_shown_against_the_sent_one_and_a_dropped_key_warned(hook):
    done = trigger(f"{hook}/forgetful", "--state", '{"order_id": "ord_1", "customer_id": "cust_9"}')
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[lines.index('state replaced with: {"intent": "order_status"}') + 1:] == [
        '  + intent: "order_status"', '  - order_id: "ord_1"', '  - customer_id: "cust_9"',
        "warning: the answer drops order_id, customer_id: the returned state replaces the call's state, "
        "so return every key you keep"]


def test_transfer_accepted_or_refused_and_why(hook):
    ok = trigger(f"{hook}/transfer?to=%2B15550100200")
    assert ok.returncode == 0 and "transfer accepted" in ok.stdout and "+15550100200" in ok.stdout
    bad = trigger(f"{hook}/transfer?to=555-0100")
    assert bad.returncode == 1 and "rejected: invalid transfer target '555-0100'" in bad.stdout
    listed = trigger(f"{hook}/transfer?to=%2B15550100200", "--allow", "+1444*")
    assert listed.returncode == 1
    assert "transfer refused: transfer target +15550100200 is not on the assistant's transfer_allowlist" in listed.stdout


def test_failures_read_as_webhook_called_records_them(hook):
    broken = trigger(f"{hook}/broken")
    assert broken.returncode == 1 and 'webhook_called records: error "HTTP 500"' in broken.stdout
    text = trigger(f"{hook}/text")
    assert text.returncode == 1 and "rejected: invalid JSON" in text.stdout
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    down = trigger(f"http://127.0.0.1:{closed}/reason")
    assert down.returncode == 1 and "rejected: connection error" in down.stdout


def test_bad_flags_are_one_line_exit_2(hook):
    for args, message in ((["ftp://x"], "URL must start with http"),
                          ([f"{hook}/reply", "--state", "[1]"], "--state must be a JSON object"),
                          ([f"{hook}/reply", "--state", '{"a": NaN}'], "--state is not valid JSON"),
                          ([f"{hook}/reply", "--db", "nowhere.db", "--call", "c"], "no store file at nowhere.db"),
                          ([f"{hook}/reply", "--timeout", "5"], "--timeout")):
        done = trigger(*args)
        assert done.returncode == 2 and message in done.stderr and done.stderr.count("\n") == 1, (args, done.stderr)


def test_resends_a_request_recorded_in_a_store(hook, tmp_path):
    db = tmp_path / "runs.db"
    ran = subprocess.run([CLI, "run", "scenarios/renewal.scenario.yaml", "--db", str(db)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    from aployee_sim.adapters.store import Store
    with Store(db, readonly=True) as store:
        call = store.list_calls()["calls"][0]
        recorded = store.get_call(call["id"], run_id=call["run_id"]).exchanges
    done = trigger(f"{hook}/reply", "--db", str(db), "--call", call["id"], "--run", call["run_id"], "--exchange", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert RECEIVED[-1] == json.loads(json.dumps(recorded[1]["request"]))
    assert "reply spoken: You said: Yes, please renew it." in done.stdout


def test_a_call_id_of_several_runs_needs_run_and_an_unknown_run_is_named(hook, tmp_path):
    db = tmp_path / "runs.db"
    for _ in range(2):  # the same seed twice: two runs store the same call ids
        ran = subprocess.run([CLI, "run", "scenarios/renewal.scenario.yaml", "--db", str(db)], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert ran.returncode == 0, ran.stderr
    from aployee_sim.adapters.store import Store
    with Store(db, readonly=True) as store:
        rows = store.list_calls()["calls"]
    call = rows[0]["id"]
    runs = sorted(r["run_id"] for r in rows if r["id"] == call)
    assert len(runs) == 2
    ambiguous = trigger(f"{hook}/reply", "--db", str(db), "--call", call)
    assert ambiguous.returncode == 2 and ambiguous.stderr.count("\n") == 1, ambiguous.stderr
    assert f"--call {call} is stored by 2 runs" in ambiguous.stderr and "pass --run RUN_ID" in ambiguous.stderr
    assert all(run in ambiguous.stderr for run in runs)
    unknown = trigger(f"{hook}/reply", "--db", str(db), "--call", call, "--run", "run_nope")
    assert unknown.returncode == 2 and "--run run_nope: no such run in" in unknown.stderr, unknown.stderr
    chosen = trigger(f"{hook}/reply", "--db", str(db), "--call", call, "--run", runs[0])
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr
