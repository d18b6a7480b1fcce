# Set-up and the two jobs the README promises. Python >= 3.12 (Mesa 3.5).
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= results/demo
DEMO_REPLICATES ?= 200

.PHONY: setup demo test lint bench docs clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python >= 3.12 is required (found " + sys.version.split()[0] + "); install it or set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,sensitivity,dask,explore]"
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO_OUT)
	$(BIN)/sim compare scenarios/2023_operation_1027.toml scenarios/2025_counteroffensive.toml \
		--replicates $(DEMO_REPLICATES) --workers 2 --out $(DEMO_OUT)

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check

test: lint
	$(BIN)/python -m pytest -q

docs: $(STAMP)
	$(BIN)/python -m sim.scenario.params_doc --write docs/ODD.md \
		scenarios/2023_operation_1027.toml scenarios/2025_counteroffensive.toml

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ensemble.py

clean:
	rm -rf $(VENV) results figures
