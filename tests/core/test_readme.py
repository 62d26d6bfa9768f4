"""The README's Python API example runs as printed."""

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_python_api_example_runs():
    text = README.read_text()
    section = text[text.index("## The Python API"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    sim, call = namespace["sim"], namespace["call"]
    details = sim.call_details(call["id"])
    assert details["status"] == "completed"
    assert details["final_state"] == {"customer_id": "cust_12345", "outcome": "renewal_confirmed"}
