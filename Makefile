# The two commands of the README: `make demo` and `make test`.
# Each creates the project's virtual environment when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/activate: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/activate

.PHONY: venv demo test bench
venv: $(BIN)/activate

demo: venv
	$(BIN)/python -m Remote.loopback server-tests/7-in.json client-tests/7-in.json

test: venv
	$(BIN)/python -m pytest

bench: venv
	$(BIN)/python bench/run_all.py
