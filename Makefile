# The two commands of the README: `make demo` and `make test`.
# Each creates the project's virtual environment when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# pip's own chatter and the build backend's warnings go to .venv/install.log,
# which is shown only when the installation fails.
$(BIN)/activate: setup.cfg pyproject.toml
	@echo "setting up the virtual environment in $(VENV) (once; the log: $(VENV)/install.log)" >&2
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --upgrade pip > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log >&2; exit 1; }
	@$(BIN)/pip install -e '.[test]' >> $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log >&2; exit 1; }
	@touch $(BIN)/activate

.PHONY: venv demo demo-ipd demo-fish test lint bench
venv: $(BIN)/activate

demo: venv
	$(BIN)/python -m Remote.loopback server-tests/7-in.json client-tests/7-in.json

demo-ipd: venv
	$(BIN)/python -m Remote.loopback server-tests/9-in.json client-tests/9-in.json

demo-fish: venv
	$(BIN)/python -m Remote.loopback server-tests/11-in.json client-tests/11-in.json

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (lint and format) and mypy with the settings of pyproject.toml; CI runs this before the tests.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: venv
	$(BIN)/python bench/run_all.py
