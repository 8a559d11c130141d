# The two Quick-start commands are `make serve` and `make test` (see README.md).
# Both create .venv with the system's python3 (3.11+) and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_FLAGS ?= -q

.DEFAULT_GOAL := check
.PHONY: check serve test lint audit install install-tests browser clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip setuptools

install: $(BIN)/activate
	$(BIN)/pip install $(PIP_FLAGS) -c constraints.txt -e .

install-tests: $(BIN)/activate
	$(BIN)/pip install $(PIP_FLAGS) -c constraints.txt -e '.[tests]'

browser:
	bash scripts/install-browser.sh

## Build the graph and serve it on the embedded Oxigraph store at http://127.0.0.1:5000/
serve: install
	$(BIN)/hamar-graph build
	$(BIN)/hamar-graph serve

## Install everything (Python packages, Chromium) and run the whole test suite
test: install-tests browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: install-tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Known vulnerabilities in the installed packages (pip-audit) and in our code (bandit); see SECURITY.md
audit: install-tests
	$(BIN)/python scripts/audit.py
	$(BIN)/bandit -c pyproject.toml -r hamar_graph web -q

check: test lint

clean:
	rm -rf dist site .pytest_cache
