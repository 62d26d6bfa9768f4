"""`aployee-sim init` as a new user meets it: in an empty folder outside the repository, then
`aployee-sim run` and `pytest` there, both real subprocesses with this virtual environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from aployee_sim import goldens

CLI = str(Path(sys.executable).with_name("aployee-sim"))


def sh(*command: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    return subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


def test_init_then_run_and_pytest_pass(tmp_path):
    made = sh(CLI, "init", "starter", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "starter"
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == [
        "pytest.ini", "scenarios/handoff.scenario.yaml", "scenarios/my_webhook.scenario.yaml",
        "scenarios/order_status.scenario.yaml", "tests/conftest.py", "tests/test_webhook.py", "webhook.py"]
    assert "cd starter && aployee-sim run" in made.stdout
    ran = sh(CLI, "run", cwd=project)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "3 passed, 0 failed" in ran.stdout
    tested = sh(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "6 passed" in tested.stdout       # 3 scenarios + 3 Python tests (both fixtures)


def test_init_never_overwrites_without_force(tmp_path):
    (tmp_path / "webhook.py").write_text("# mine\n")
    refused = sh(CLI, "init", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "not overwriting" in refused.stderr and "webhook.py" in refused.stderr and "--force" in refused.stderr
    assert (tmp_path / "webhook.py").read_text() == "# mine\n" and not (tmp_path / "scenarios").exists()
    forced = sh(CLI, "init", "--force", cwd=tmp_path)
    assert forced.returncode == 0 and "def decide" in (tmp_path / "webhook.py").read_text()


def test_import_points_a_regression_at_the_starters_webhook_by_default(tmp_path):
    """The URL `import` writes when not told is the one `init`'s scenario suggests for webhook.py."""
    assert sh(CLI, "init", cwd=tmp_path).returncode == 0
    suggested = "# webhook_url: http://127.0.0.1:8000/reason\n"
    assert suggested in (tmp_path / "scenarios" / "my_webhook.scenario.yaml").read_text()
    assert 'Route("/reason"' in (tmp_path / "webhook.py").read_text()
    (tmp_path / "call.json").write_text(json.dumps(goldens.load("call_details")))  # the Calls page's record
    imported = sh(CLI, "import", "call.json", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert '    webhook_url: "http://127.0.0.1:8000/reason"\n' in imported.stdout, imported.stdout


def test_the_commented_webhook_url_calls_the_users_own_server(tmp_path):
    """Following my_webhook.scenario.yaml's instructions runs it against webhook.py over real HTTP."""
    assert sh(CLI, "init", cwd=tmp_path).returncode == 0
    scenario = tmp_path / "scenarios" / "my_webhook.scenario.yaml"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    text = scenario.read_text()
    stub, own = "    webhook_url: https://hooks.example.test/reason\n", "    # webhook_url: http://127.0.0.1:8000/reason\n"
    assert stub in text and own in text
    text = text.replace(stub, "").replace(own, f"    webhook_url: http://127.0.0.1:{port}/reason\n")
    text = text[:text.index("webhooks:\n")] + text[text.index("calls:\n"):]
    scenario.write_text(text)
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "webhook:app", "--port", str(port),
                               "--log-level", "warning"], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.post(f"http://127.0.0.1:{port}/reason", json={"utterance": "hi", "state": {}}, timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "webhook.py did not start"
                time.sleep(0.1)
        ran = sh(CLI, "run", "scenarios/my_webhook.scenario.yaml", cwd=tmp_path)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    finally:
        server.terminate()
        server.wait(10)
    # With the webhook gone, the same scenario fails: it really called the server.
    gone = sh(CLI, "run", "scenarios/my_webhook.scenario.yaml", cwd=tmp_path)
    assert gone.returncode == 1, gone.stdout
