# The two Quick-start commands are `make serve` and `make test` (see README.md).
# Both create .venv with the system's python3 (3.11+) and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_FLAGS ?= -q
# Two test processes on two cores (pytest-xdist); `make test PYTEST_ARGS=` runs them in one.
PYTEST_ARGS ?= -n 2 --dist loadfile

.DEFAULT_GOAL := check
.PHONY: check serve test lint audit bench bench-query docs constraints install install-tests browser clean virtuoso test-virtuoso

# The venv (Python 3.11+ checked; Debian's python3-venv installed when missing).
$(BIN)/python:
	bash scripts/make-venv.sh $(PYTHON) $(VENV)

# Stamps: pip runs again only when pyproject.toml or constraints.txt change.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install $(PIP_FLAGS) -c constraints.txt -e .
	touch $@

$(VENV)/.installed-tests: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install $(PIP_FLAGS) -c constraints.txt -e '.[tests]'
	touch $@

install: $(VENV)/.installed

install-tests: $(VENV)/.installed-tests

browser:
	bash scripts/install-browser.sh

## Build the graph and serve it on the embedded Oxigraph store at http://127.0.0.1:5000/
serve: install
	$(BIN)/hamar-graph build
	$(BIN)/hamar-graph serve

## Install everything (Python packages, Chromium) and run the whole test suite
test: install-tests browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-tests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## The README's settings table, regenerated from hamar_graph.config.Settings
docs: install
	$(BIN)/python scripts/settings_table.py --write

## Pin what the venv holds: run after adding a package to pyproject.toml
constraints: install-tests
	{ sed -n '/^#/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

## Known vulnerabilities in the installed packages (pip-audit) and in our code (bandit); see SECURITY.md
audit: install-tests
	$(BIN)/python scripts/audit.py
	$(BIN)/bandit -c pyproject.toml -r hamar_graph web -q

## Our /sparql and pages against the Oxigraph server and rdflib-endpoint (benchmarks/README.md)
bench: install-tests
	$(BIN)/python -m pip install $(PIP_FLAGS) -c constraints.txt -e '.[tests,bench]'
	$(BIN)/python -m benchmarks.engines $(BENCH_ARGS)

## Issue 12's query-path targets against the Oxigraph server, with wrk (benchmarks/README.md)
bench-query: install-tests
	bash benchmarks/install-tools.sh
	$(BIN)/python -m benchmarks.query_path $(BENCH_ARGS)

## Install OpenLink Virtuoso (Debian's virtuoso-opensource) for tests/store/test_virtuoso_probe.py (docs/virtuoso.md)
virtuoso:
	bash scripts/install-virtuoso.sh

## The Virtuoso probe tests, then Virtuoso compared with the Oxigraph server (docs/virtuoso.md)
test-virtuoso: install-tests virtuoso
	$(BIN)/python -m pytest tests/store/test_virtuoso_probe.py
	$(BIN)/python -m benchmarks.virtuoso_compare --quick

check: test lint

clean:
	rm -rf dist site .pytest_cache
