# kbgen developer entry points. Quick start: `make demo`, then `make test`.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
KBGEN  := $(VENV)/bin/kbgen
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck unit system-deps bench clean help

help:
	@echo "make demo   - create .venv, install kbgen, capture the bundled tickets and serve the site"
	@echo "make test   - install everything the suite needs and run linters plus the whole suite"
	@echo "make bench  - run the benchmarks (QUICK=1 for the short run) and write docs/benchmarks.md"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(KBGEN) demo --dir demo-kb

# Debian's chromium (browser tests) and postgresql (collector storage tests);
# the script explains what to do when it cannot install them itself.
system-deps:
	@bash scripts/install-system-deps.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check kbgen tests bench
	$(VENV)/bin/ruff format --check kbgen tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: $(STAMP) system-deps lint typecheck unit

bench: $(STAMP)
	$(PY) -m bench $(if $(QUICK),--quick,)

clean:
	rm -rf $(VENV) site demo-kb .kbgen .pytest_cache .mypy_cache .ruff_cache test-artifacts
