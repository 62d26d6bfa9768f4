"""DNS rebinding (issue 22, item 9): a real `serve` answers only Host names a local client uses.

A page on `evil.example` that makes its name resolve to 127.0.0.1 gets the visitor's browser to
send its requests to the simulator with `Host: evil.example`; those are refused with a 403 in the
error envelope, before the API key is looked at. `--allow-host NAME` adds names; `--host 0.0.0.0`
warns that the API is exposed.
"""

from __future__ import annotations

import httpx
import pytest
from serve_process import Served

from aployee_sim.server.hosts import host_name


def get(served: Served, host: str, *, key: bool = True) -> httpx.Response:
    headers = {"Host": host, **({"Authorization": f"Bearer {served.key}"} if key else {})}
    with httpx.Client(base_url=served.root_url, timeout=10) as client:
        return client.get("/v1/health", headers=headers)


def assert_refused(response: httpx.Response, host: str) -> None:
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "forbidden" and error["details"] == {"field": "host"}
    assert error["message"].startswith(f"The Host header {host!r} is not a name this server answers to")
    assert "--allow-host NAME" in error["message"]


def test_only_local_host_names_are_answered_unless_allowed():
    with Served([]) as served:
        port = served.root_url.rsplit(":", 1)[1]
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "localhost.", "sim.test"):
            assert_refused(get(served, host), host)
        assert_refused(get(served, "evil.example", key=False), "evil.example")  # before the key: not a 401
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", "[::1]:1", "127.0.0.1"):
            assert get(served, host).status_code == 200, host
    with Served(["--allow-host", "sim.test", "--allow-host", "10.0.0.7"]) as served:
        assert get(served, "sim.test:8765").status_code == 200
        assert get(served, "10.0.0.7").status_code == 200
        assert get(served, f"localhost:{port}").status_code == 200
        assert_refused(get(served, "evil.example"), "evil.example")


def test_any_host_with_a_star():
    with Served(["--allow-host", "*"]) as served:
        assert get(served, "evil.example").status_code == 200


def test_listening_beyond_loopback_warns_that_the_api_is_exposed():
    with Served(["--host", "0.0.0.0"]) as served:
        assert get(served, "evil.example").status_code == 403  # the guard holds there too
        served.proc.terminate()
        _, stderr = served.proc.communicate(timeout=15)
    assert "aployee-sim: warning: listening on 0.0.0.0: the API is exposed to every machine" in stderr
    assert "pass --allow-host NAME" in stderr
    with Served([]) as served:  # loopback: no warning
        served.proc.terminate()
        _, stderr = served.proc.communicate(timeout=15)
    assert "warning" not in stderr


@pytest.mark.parametrize(("header", "name"), [("localhost:8765", "localhost"), ("[::1]:80", "[::1]"), ("[::1]", "[::1]"),
                                              ("Sim.Test", "sim.test"), ("a:b", "a:b"), ("", "")])
def test_host_name_drops_the_port(header, name):
    assert host_name(header) == name


def test_a_port_in_allow_host_is_refused_in_one_line():
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "aployee_sim.cli", "serve", "--allow-host", "sim.test:80"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["aployee-sim: error: argument --allow-host: give the name without a port, "
                                        "got 'sim.test:80' (any port is answered)"]
