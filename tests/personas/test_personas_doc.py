"""docs/personas.md's "From Python" example runs as printed: saved as a script and run outside the
repository, it prints exactly the `text` block under it (no model: its `complete` is a function)."""

import pathlib
import re
import subprocess
import sys

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "personas.md"


def test_the_python_example_prints_what_the_doc_shows(tmp_path):
    text = DOC.read_text()
    section = text[text.index("## From Python"):text.index("## Not yet")]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```text\n(.*?)```", section[section.index(code) + len(code):], re.S).group(1)
    assert "PersonaCaller(" in code and "completed hangup_user" in shown
    (tmp_path / "example.py").write_text(code)
    done = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == shown
