# Two set-up commands on a fresh clone: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,voice]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/aployee-sim run scenarios/

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q -n 2 --dist loadgroup

bench: $(STAMP)
	$(PY) -m pip install -q simpy
	$(PY) bench/engine_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
