# 红图 Hongtu: the two commands of the README.
#   make run   virtual environment, install, offline map assets, sample store; start the app
#              (make run PORT=8600 ADDRESS=0.0.0.0: another port / listening address)
#   make test  the same plus test tools and Debian packages (Chromium, CJK fonts, PostGIS); run
#              the whole test suite
# Both are idempotent: stamp files under .venv/ skip what is already done.

SHELL := /bin/bash
.DELETE_ON_ERROR:

PYTHON ?= python3
PORT ?= 8501
ADDRESS ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
STAMPS := $(VENV)/.hongtu-stamps
SAMPLE := data/sample.gpkg
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
PYTEST_ARGS ?=  # e.g. make test PYTEST_ARGS="tests/test_offline_assets.py -x"
# `make test` leaves out the slow tests (offline bundle build, nginx with two servers: many
# minutes each); `make test-all` runs them too.
PYTEST_MARKS ?= not slow
# Two pytest workers (pytest-xdist), whole test files per worker, the longest files first
# (tests/fixtures_budget.py orders them; --no-loadscope-reorder keeps that order): 655 s for the
# suite on a quiet 2-core machine. PYTEST_WORKERS=3 runs three, PYTEST_WORKERS=0 one process.
PYTEST_WORKERS ?= 2

.PHONY: run test test-all bundle

run: $(STAMPS)/install $(SAMPLE)
	$(BIN)/python scripts/vendor_assets.py
	$(BIN)/hongtu serve --port $(PORT) --address $(ADDRESS)

test: $(STAMPS)/install-test
	bash scripts/setup_system.sh
	$(BIN)/python scripts/vendor_assets.py
	$(BIN)/python -m pytest -m "$(PYTEST_MARKS)" -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=25 $(PYTEST_ARGS)

test-all:
	$(MAKE) test PYTEST_MARKS=""

# The offline bundle for an intranet server (needs PyPI and npm while building; see README).
bundle: $(STAMPS)/install $(SAMPLE)
	bash scripts/build_bundle.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMPS)/install: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	@mkdir -p $(@D) && touch $@

$(STAMPS)/install-test: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]'
	@mkdir -p $(@D) && touch $@ $(STAMPS)/install

$(SAMPLE): $(wildcard geo/sample/*.py) | $(STAMPS)/install
	$(BIN)/hongtu sample --out $(SAMPLE)
