"""Helpers shared by the server tests (a module with a unique name: every test folder has a conftest)."""

from __future__ import annotations

import httpx

from aployee_sim.server.thread import ServerThread

KEY = "test-key"


def client_for(srv: ServerThread, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=srv.root_url, headers={"Authorization": f"Bearer {srv.api_key}", **headers},
                        timeout=10, trust_env=False)


def make_assistant(api: httpx.Client, **fields) -> dict:
    response = api.post("/v1/assistants", json={"name": "Alex", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def make_call(api: httpx.Client, assistant_id: str, to: str = "+15551234567", **fields) -> dict:
    response = api.post("/v1/calls", json={"assistant_id": assistant_id, "to": to, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def assert_error(response: httpx.Response, status: int, code: str, field: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert body["error"]["code"] == code and body["error"]["message"]
    if field is not None:
        assert body["error"]["details"].get("field") == field, body
    return body["error"]


class ServeProcess:
    """`aployee-sim serve --port 0` in a subprocess, with the URL and key it printed."""

    def __init__(self, *args: str, key: str = "proc-key") -> None:
        import os
        import re
        import subprocess
        import sys

        env = {**os.environ, "APLOYEE_KEY": key, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "aployee_sim.cli", "serve", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: list[str] = []
        for _ in range(20):
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C"):
                break
        text = "\n".join(self.lines)
        found = re.search(r"base URL:\s+(\S+)", text)
        if found is None:
            self.stop()
            raise AssertionError(f"serve did not start: {text}\n{self.proc.stderr.read()}")
        self.base_url = found.group(1)
        self.root_url = self.base_url.removesuffix("/v1")
        self.key = key
        self.org_id = re.search(r"organization id:\s+(\S+)", text).group(1)

    def stop(self) -> int:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode

    def __enter__(self) -> ServeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
