# Liandong: the verbs. `make run` and `make test` are the whole set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export DATA_DIR ?= $(CURDIR)/.data

.PHONY: install run test lint migrate demo bootstrap format clean

$(STAMP): backend/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e 'backend[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/liandong serve

migrate: install
	$(BIN)/liandong migrate

demo: install
	$(BIN)/liandong demo

lint: install
	cd backend && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy app tests

format: install
	cd backend && $(BIN)/ruff format . && $(BIN)/ruff check --fix .

# pytest exits 5 when it collects nothing: that is a failure here, never a pass.
test: install lint
	cd backend && $(BIN)/python -m pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "no tests were collected"; exit 1; fi; exit $$rc

clean:
	rm -rf $(VENV) backend/*.egg-info
