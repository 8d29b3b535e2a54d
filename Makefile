# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench demo screenshots clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) cli.py demo --if-empty
	$(PY) -m streamlit run dashboard.py

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

screenshots: $(STAMP)
	SCREENSHOTS=docs $(PY) -m pytest tests/e2e -q

bench: $(STAMP)
	$(PY) bench/run_all.py

demo: $(STAMP)
	$(PY) cli.py demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
