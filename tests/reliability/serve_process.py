"""A real `aployee-sim serve` subprocess on a free loopback port, that a test can stop or `kill -9`.

    with Served(["--db", str(db), "--seed", "0"]) as served:
        with served.client() as api:       # an httpx client with the key, base URL = the server root
            api.post("/v1/assistants", json={"name": "Alex"})
        served.kill()                      # SIGKILL: no flush, no clean shutdown

Reusable by every reliability test (it only needs the printed banner of `serve`).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx

KEY = "reliability-key"


class Served:
    def __init__(self, args: list[str], *, key: str = KEY, startup_lines: int = 20) -> None:
        started = time.monotonic()
        env = {**os.environ, "APLOYEE_KEY": key, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "aployee_sim.cli", "serve", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert self.proc.stdout is not None
        lines = []
        for _ in range(startup_lines):
            line = self.proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        found = re.search(r"base URL:\s+(\S+)", "".join(lines))
        if found is None:
            self.proc.kill()
            self.proc.wait(15)
            stderr = self._stderr()  # read before `kill()` closes the pipes
            self._close()
            raise AssertionError(f"serve did not start: {''.join(lines)}\n{stderr}")
        self.banner = "".join(lines)
        self.root_url = found.group(1).removesuffix("/v1")
        self.started_in = time.monotonic() - started  # seconds until it listened (imports, reading the store)
        self.key = key

    def client(self, timeout: float = 10.0) -> httpx.Client:
        return httpx.Client(base_url=self.root_url, headers={"Authorization": f"Bearer {self.key}"}, timeout=timeout)

    def kill(self) -> None:
        """`kill -9`: the process gets no chance to flush or close anything."""
        self._end(signal.SIGKILL)

    def stop(self) -> int:
        """A clean stop (SIGTERM), as Ctrl-C or a service manager would; returns the exit code."""
        self._end(signal.SIGTERM)
        return self.proc.returncode

    def _end(self, how: signal.Signals) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(how)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:  # it ignored SIGTERM: a bug, but never leave it running
            self.proc.kill()
            self.proc.wait(5)
        self._close()

    def _stderr(self) -> str:
        return self.proc.stderr.read() if self.proc.stderr and not self.proc.stderr.closed else ""

    def _close(self) -> None:
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None and not stream.closed:
                stream.close()

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
