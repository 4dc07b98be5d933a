# Hearth: day-to-day commands. Needs only python3.11 (with its venv module) on the machine.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

# Prefer an explicit python3.11; fall back to whatever python3 is.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Tests run in parallel, one process a core (pytest-xdist); TEST_WORKERS=0 runs them in one.
TEST_WORKERS ?= auto

.PHONY: help venv demo test lint clean

help:
	@echo "make venv    create .venv and install Hearth with its dev tools"
	@echo "make demo    migrate, load the demo community and serve it on http://127.0.0.1:8000"
	@echo "make test    run the test suite (PYTEST_ARGS='...' to pass options to pytest)"
	@echo "make lint    ruff check"
	@echo "make clean   remove .venv, caches and build outputs (keeps var/, the demo data)"

venv: $(STAMP)

# Re-installs whenever pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	@if [ ! -x $(VENV)/bin/python ]; then \
		echo "Creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV) || { \
			echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu: apt-get install python3-venv" >&2; \
			rm -rf $(VENV); exit 1; }; \
	fi
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[dev]"
	@touch $@

demo: export HEARTH_DEBUG ?= 1
demo: $(STAMP)
	$(VENV)/bin/hearth migrate --noinput
	$(VENV)/bin/hearth demo
	$(VENV)/bin/hearth serve

# pytest exits 5 when it collected nothing: a suite that silently runs no tests is a failure.
test: $(STAMP)
	@status=0; $(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS) || status=$$?; \
	if [ "$$status" -eq 5 ]; then \
		echo "" >&2; \
		echo "!!! make test: pytest collected NO tests (exit code 5). Treating this as a failure. !!!" >&2; \
		echo "" >&2; \
		exit 1; \
	fi; \
	exit "$$status"

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist test-results *.egg-info
	find . -path ./var -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
