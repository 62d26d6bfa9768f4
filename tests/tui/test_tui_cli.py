"""`aployee-sim tui` argument and start-up errors: one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import socket

import pytest

from aployee_sim.cli import main


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(("argv", "message"), [
    (["--db", "{tmp}/missing.db"], "no store file at"),
    (["--db", "{tmp}"], "is a folder, not a store file"),
    (["--url", "http://127.0.0.1:{port}", "--key", "k"], "cannot reach the simulator at http://127.0.0.1:"),
    (["--url", "ftp://example.test", "--key", "k"], "--url must start with http:// or https://"),
    (["--url", "http://127.0.0.1:{port}"], "--url needs the server's API key"),
    (["--db", "x.db", "--url", "http://127.0.0.1:1"], "either --db FILE or --url BASE_URL"),
    (["--attach", "call_x"], "--attach needs --url"),
])
def test_start_up_mistakes(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("APLOYEE_KEY", raising=False)
    port = _closed_port()
    code = main(["tui", *(a.format(tmp=tmp_path, port=port) for a in argv)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("aployee-sim: error: ") and message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_bad_speed_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["tui", "--speed", "0"])
    assert exit_info.value.code == 2
    assert "expected a positive number" in capsys.readouterr().err
