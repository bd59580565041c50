# orderkit — the two commands of the README, and a few helpers.
#   make lab    set up (first time) and open the workbench: JupyterLab on notebooks/, sample data
#   make test   set up (first time) and run every test: unit, doctests, notebooks (nbval), browser
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)

STORE := $${ORDERKIT_STORE:-$(CURDIR)/.workbench/orderkit-store.sqlite}
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings

.PHONY: lab test voila app-playbook app-dashboard app-training setup system-deps lint \
	refresh-notebooks catalogs bench clean

$(STAMP): pyproject.toml jupyter/overrides.json $(wildcard share/jupyter/voila/templates/orderkit/*)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# JupyterLab's own settings for this environment: no news pop-up, no update check
	mkdir -p $(LAB_SETTINGS) && cp jupyter/overrides.json $(LAB_SETTINGS)/overrides.json
	touch $(STAMP)

setup: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

lab: setup
	mkdir -p .workbench
	ORDERKIT_STORE=$(STORE) \
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.news_url=None $(ROOT_ARGS) $(LAB_ARGS) notebooks/01_quickstart.ipynb

# The apps: Voila serves one app notebook on its own port (stop it with Ctrl+C). They open the
# same store as `make lab`, so what one records the others show on their next refresh.
PLAYBOOK_PORT ?= 8866
DASHBOARD_PORT ?= 8867
TRAINING_PORT ?= 8868
TRAINING_APP ?= $(firstword $(wildcard apps/training.ipynb) notebooks/06_training_drills.ipynb)
define run_app
	mkdir -p .workbench
	@echo "$(1) on http://localhost:$(2)/ — stop it with Ctrl+C"
	ORDERKIT_STORE=$(STORE) $(BIN)/voila $(1) --template=orderkit --no-browser --port=$(2) \
		--Voila.ip=127.0.0.1 $(VOILA_ARGS)
endef

app-playbook: setup
	$(call run_app,apps/playbook.ipynb,$(PLAYBOOK_PORT))

app-dashboard: setup
	$(call run_app,apps/dashboard.ipynb,$(DASHBOARD_PORT))

app-training: setup
	$(call run_app,$(TRAINING_APP),$(TRAINING_PORT))

voila: app-playbook

test: setup system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check orderkit tests benchmarks

catalogs: setup
	$(BIN)/python scripts/catalogs.py

refresh-notebooks: setup
	$(BIN)/python scripts/refresh_notebooks.py

bench: setup
	$(BIN)/python benchmarks/import_report.py && $(BIN)/python benchmarks/export_report.py && $(BIN)/python benchmarks/store_save.py && $(BIN)/python benchmarks/simulate.py && $(BIN)/python benchmarks/widgets.py

clean:
	rm -rf $(VENV) .workbench artifacts
