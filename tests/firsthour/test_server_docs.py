"""docs/server.md's Calls page section, run as printed: the real `aployee-sim serve` and real curl.

The only change to the docs' text is the port: the server listens on a free port instead of
8765, so the test can run next to anything else. Every command's output must equal the docs.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("aployee-sim"))
DOCS_PORT = "127.0.0.1:8765"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def console_blocks() -> list[list[tuple[str, str]]]:
    """Each ```console block of the section as (command, expected output) pairs."""
    text = (ROOT / "docs" / "server.md").read_text()
    section = text[text.index("## The Calls page, against the simulator"):]
    section = section[:section.index("\n## ", 1)]
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", section, re.S):
        pairs: list[tuple[str, str]] = []
        lines = body.splitlines()
        while lines:
            command = [lines.pop(0)[2:]]
            while _unfinished("\n".join(command)):
                command.append(lines.pop(0))
            output = []
            while lines and not lines[0].startswith("$ "):
                output.append(lines.pop(0))
            pairs.append(("\n".join(command), "\n".join(output)))
        blocks.append(pairs)
    return blocks


def _unfinished(command: str) -> bool:
    return command.endswith("\\") or command.count("'") % 2 == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_calls_page_commands_give_the_documented_output(tmp_path):
    serving, calls = console_blocks()
    assert [c for c, _ in serving] == ["export APLOYEE_KEY=sk_test_123",
                                       "aployee-sim serve --config calls-page --clock manual"]
    port = free_port()
    here = f"127.0.0.1:{port}"
    env = {**os.environ, "APLOYEE_KEY": "sk_test_123"}
    args = serving[1][0].split()[1:]
    server = subprocess.Popen([CLI, *args, "--port", str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        banner = []
        deadline = time.monotonic() + 20
        while len(banner) < 6:
            assert time.monotonic() < deadline and server.poll() is None, server.stderr.read() if server.stderr else ""
            banner.append(server.stdout.readline().rstrip("\n"))
        assert "\n".join(banner) == serving[1][1].replace(DOCS_PORT, here)
        prelude = calls[0][0].replace(DOCS_PORT, here)
        assert calls[0][1] == "" and "H=http://127.0.0.1:8765" in calls[0][0]
        for command, expected in calls[1:]:
            done = subprocess.run(["bash", "-c", f"{prelude}\n{command}"], env=env, capture_output=True,
                                  text=True, timeout=30, cwd=tmp_path)
            assert done.returncode == 0, done.stderr
            assert done.stdout.strip() == expected.replace(DOCS_PORT, here), command
        assert len(calls) == 9
    finally:
        server.terminate()
        server.wait(10)


def test_every_curl_of_the_calls_page_is_in_the_docs_verbatim():
    """The page's own commands (host replaced by $H) appear unchanged in the section."""
    commands = [c for block in console_blocks() for c, _ in block]
    page = ['curl $H/v1/calls \\\n-H "Authorization: Bearer $APLOYEE_KEY" \\\n-H "Content-Type: application/json" '
            '\\\n-d \'{\n"assistant_id": "asst_xyz789",\n"to": "+15551234567",\n"from": "+15559876543",\n'
            '"initial_state": {\n"customer_id": "cust_12345",\n"campaign": "renewal_outreach"\n}\n}\'',
            'curl $H/v1/calls/call_abc123 \\\n-H "Authorization: Bearer $APLOYEE_KEY"',
            'curl $H/v1/calls/call_abc123/live-state \\\n-H "Authorization: Bearer $APLOYEE_KEY"',
            'curl "$H/v1/calls?assistant_id=asst_xyz789&status=completed&limit=10" \\\n'
            '-H "Authorization: Bearer $APLOYEE_KEY"']
    for command in page:
        assert command in commands
