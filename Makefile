# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench demo screenshots sample-pack clean

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

# docs/sample-pack.docx and .xlsx from the synthetic demo data, for the latest complete quarter, and a
# picture of the pack's first pages (needs LibreOffice and poppler: apt-get install
# libreoffice-writer-nogui poppler-utils).
SAMPLE_DIR := $(shell mktemp -d -u /tmp/jsw-sample-XXXXXX)
sample-pack: $(STAMP)
	mkdir -p $(SAMPLE_DIR)
	$(PY) cli.py --db sqlite:///$(SAMPLE_DIR)/demo.sqlite3 demo
	QUARTER="$$($(PY) -c 'from datetime import date, timedelta; from measures import quarter_label, parse_quarter; print(quarter_label(parse_quarter(quarter_label(date.today())) - timedelta(days=1)))')"; \
	for extension in docx xlsx; do \
	  $(PY) cli.py --db sqlite:///$(SAMPLE_DIR)/demo.sqlite3 --user "sample (synthetic demo data)" \
	    pack --quarter "$$QUARTER" --out docs/sample-pack.$$extension || exit 1; \
	done
	soffice --headless --convert-to pdf --outdir $(SAMPLE_DIR) docs/sample-pack.docx >/dev/null
	pdftoppm -r 70 -png -f 1 -l 3 $(SAMPLE_DIR)/sample-pack.pdf docs/screenshots/sample-pack-page
	rm -rf $(SAMPLE_DIR)

bench: $(STAMP)
	$(PY) bench/run_all.py

demo: $(STAMP)
	$(PY) cli.py demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
