"""The README as a new user reads it. Its integrator tests run as printed: each `python` block of "#### The tests", saved
next to the two example files in a folder outside the repository, passes under a real pytest."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_integrator_tests_run_as_printed(tmp_path):
    text = (ROOT / "README.md").read_text()
    section = text[text.index("#### The tests"):text.index("## The fake Aployee server")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    for name in ("example_client.py", "example_webhook.py"):
        (tmp_path / name).write_text((ROOT / "tests" / "integrators" / name).read_text())
    for index, code in enumerate(blocks):
        (tmp_path / f"test_readme_{index}.py").write_text(code)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                           str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_readme_run_output_counts_the_bundled_library():
    """The README's `aployee-sim run` output ends with as many passes as the library has scenarios."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("$ aployee-sim run"):]
    passed = int(re.search(r"^(\d+) passed, 0 failed$", section, re.M).group(1))
    assert passed == len(list((ROOT / "scenarios").glob("*.scenario.yaml")))
