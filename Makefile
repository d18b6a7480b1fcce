# Set-up and the two jobs the README promises. Python >= 3.12 (Mesa 3.5).
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= results/demo
DEMO_REPLICATES ?= 200
FIG_OUT ?= results/figures
FIG_REPLICATES ?= 40
WHY_REPLICATES ?= 16
WHY_PERMUTATIONS ?= 8
BENCH_ARGS ?=
CF := scenarios/counterfactuals

SCORE_OUT ?= results/scores
SCORE_REPLICATES ?= 40
SCORE_DATES := --at 2023-12-31 --at 2024-06-30 --at 2024-12-31 --at 2025-06-01 --at 2025-12-28

.PHONY: setup demo figures scores calibration test lint bench docs clean

# The package and what a run needs (make demo), then every extra (make setup, make test).
# setuptools' banner about editable installs is silenced: it warns of nothing here.
CORE := $(VENV)/.installed-core
$(CORE): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python >= 3.12 is required (found " + sys.version.split()[0] + "); install it or set PYTHON=/path/to/python3.12")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e .
	@echo "compiling the model's kernels for this machine (once, about a minute)"
	$(BIN)/python -m sim.run.warm
	@touch $(CORE)

$(STAMP): pyproject.toml $(CORE)
	PYTHONWARNINGS=ignore $(BIN)/pip install --quiet -e ".[test,sensitivity,dask,explore,calibrate,discover]"
	@touch $(STAMP)

setup: $(STAMP)

demo: $(CORE)
	rm -rf $(DEMO_OUT)
	$(BIN)/sim compare scenarios/2023_operation_1027.toml scenarios/2025_counteroffensive.toml \
		--replicates $(DEMO_REPLICATES) --workers 2 --out $(DEMO_OUT)

# The figures the README shows, from fresh runs (docs/figures/).
figures: $(STAMP)
	rm -rf $(FIG_OUT)
	$(BIN)/sim compare scenarios/2023_operation_1027.toml scenarios/2025_counteroffensive.toml \
		--replicates $(FIG_REPLICATES) --workers 2 --quiet --out $(FIG_OUT)/2023_2025
	$(BIN)/sim compare scenarios/2025_counteroffensive.toml $(CF)/2025_no_conscription.toml \
		$(CF)/2025_no_drones_air.toml $(CF)/2025_no_ceasefires.toml $(CF)/2025_no_embargo.toml \
		$(CF)/2025_no_election.toml \
		--replicates $(FIG_REPLICATES) --workers 2 --quiet --out $(FIG_OUT)/2025_levers
	$(BIN)/sim attribute scenarios/2023_operation_1027.toml scenarios/2025_counteroffensive.toml \
		--replicates $(WHY_REPLICATES) --permutations $(WHY_PERMUTATIONS) --workers 2 --quiet \
		--out $(FIG_OUT)/why
	mkdir -p docs/figures
	cp $(FIG_OUT)/2023_2025/fan_townships_junta.png docs/figures/fan_townships_junta_2023_2025.png
	cp $(FIG_OUT)/2025_levers/differences.png docs/figures/differences_2025_levers.png
	$(BIN)/sim attribute $(CF)/replay_frozen.toml scenarios/replay_2023_2025.toml \
		--replicates $(WHY_REPLICATES) --workers 2 --quiet --out $(FIG_OUT)/why_replay
	cp $(FIG_OUT)/why/attribution.png docs/figures/attribution_2023_to_2025.png
	cp $(FIG_OUT)/why_replay/attribution.png docs/figures/attribution_inside_replay.png
	# one replicate of 2025 on the map (a frame of `sim animate`), and the explorer in headless Chromium
	$(BIN)/sim run scenarios/2025_counteroffensive.toml --replicates 1 --workers 1 --quiet \
		--out $(FIG_OUT)/animation > /dev/null
	$(BIN)/sim animate $(FIG_OUT)/animation --out docs/figures/animation_frame.png --day 120
	SIM_EXPLORER_SCREENSHOT=$(CURDIR)/docs/figures/explorer.png \
		$(BIN)/python -m pytest -q -rs tests/test_explore.py -k browser

# The recorded scoring run the ODD's validation section reports (docs/scores/): the replay, its
# null model and the replay with the 2023 conditions held, scored against the record.
scores: $(STAMP)
	rm -rf $(SCORE_OUT)
	$(BIN)/sim run scenarios/replay_2023_2025.toml --replicates $(SCORE_REPLICATES) --workers 2 --quiet \
		--out $(SCORE_OUT)/replay > /dev/null
	$(BIN)/sim run scenarios/replay_2023_2025.toml --null --replicates $(SCORE_REPLICATES) --workers 2 --quiet \
		--out $(SCORE_OUT)/null > /dev/null
	$(BIN)/sim run scenarios/counterfactuals/replay_frozen.toml --replicates $(SCORE_REPLICATES) --workers 2 \
		--quiet --out $(SCORE_OUT)/frozen > /dev/null
	$(BIN)/sim score $(SCORE_OUT)/replay $(SCORE_DATES) --null $(SCORE_OUT)/null --frozen $(SCORE_OUT)/frozen \
		--out $(SCORE_OUT)/scored > $(SCORE_OUT)/scores.txt
	mkdir -p docs/scores
	{ echo "# Scores of the replay against the record"; echo; \
	  echo "Written by \`make scores\` ($(SCORE_REPLICATES) replicates each) at commit $$(git rev-parse --short HEAD) on $$(date -u +%F)."; \
	  echo "Command: \`sim score $(SCORE_OUT)/replay $(SCORE_DATES) --null $(SCORE_OUT)/null --frozen $(SCORE_OUT)/frozen\`"; \
	  echo; echo '```'; cat $(SCORE_OUT)/scores.txt; echo '```'; } > docs/scores/replay.md
	cp $(SCORE_OUT)/scored/reliability.png $(SCORE_OUT)/scored/skill_by_date.png docs/scores/

# The fit the scenario files' posterior comes from (scenarios/fits/2024-06-30.parquet) and its
# figures (docs/figures/): the rules fitted to the record up to 30 Jun 2024 (docs/ODD.md, 9);
# about an hour on two cores. Ctrl-C keeps the finished generations: rerun with
# CALIBRATION_ARGS=--resume to go on.
CALIBRATION_ARGS ?=
calibration: $(STAMP)
	$(BIN)/sim calibrate --particles 1000 --seed 2024 --out $(FIG_OUT)/fit $(CALIBRATION_ARGS)
	mkdir -p docs/figures scenarios/fits
	cp $(FIG_OUT)/fit/posterior.parquet scenarios/fits/2024-06-30.parquet
	cp $(FIG_OUT)/fit/posterior.png $(FIG_OUT)/fit/pairs.png $(FIG_OUT)/fit/predictive.png docs/figures/

lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check

test: lint
	$(BIN)/python -m pytest -q -rs

docs: $(STAMP)
	$(BIN)/python -m sim.scenario.params_doc --write docs/ODD.md \
		scenarios/2023_operation_1027.toml scenarios/2025_counteroffensive.toml

# everything, with the scaling curve over worker counts (long); e.g. BENCH_ARGS=--quick or --scaling-only
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ensemble.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) results figures
