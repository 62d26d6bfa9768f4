"""The README's Python API example runs as printed: saved as a script and run outside the
repository, it prints exactly the `text` block under it."""

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_python_api_example_prints_what_the_readme_shows(tmp_path):
    section = README.read_text()[README.read_text().index("## The Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", section[section.index(code) + len(code):], re.S).group(1)
    assert "completed {'customer_id': 'cust_12345', 'outcome': 'renewal_confirmed'}" in shown
    (tmp_path / "example.py").write_text(code)
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == shown
