# orderkit — the two commands of the README, and a few helpers.
#   make lab    set up (first time) and open the workbench: JupyterLab on notebooks/, sample data
#   make test   set up (first time) and run every test: unit, doctests, notebooks (nbval), browser
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test voila setup system-deps lint refresh-notebooks catalogs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

lab: setup
	mkdir -p .workbench
	ORDERKIT_STORE=$${ORDERKIT_STORE:-$(CURDIR)/.workbench/orderkit-store.sqlite} \
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.news_url=None $(ROOT_ARGS) $(LAB_ARGS) notebooks/01_quickstart.ipynb

voila: setup
	$(BIN)/voila notebooks/03_support_playbook.ipynb $(VOILA_ARGS)

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
