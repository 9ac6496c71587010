# Liandong: the verbs. `make run` and `make test` are the whole set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NPM_STAMP := frontend/node_modules/.installed-stamp
export DATA_DIR ?= $(CURDIR)/.data

.PHONY: install run dev test test-backend test-frontend e2e fuzz bench lint migrate demo format client spa clean

$(STAMP): backend/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e 'backend[dev]'
	touch $(STAMP)

$(NPM_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP)

spa: $(NPM_STAMP)
	cd frontend && npm run build

run: install spa
	$(BIN)/liandong serve

# Hot reload: the API on $${API_PORT:-8000}, Vite on 5173 proxying /api to it.
dev: install
	trap 'kill 0' EXIT; PORT=$${API_PORT:-8000} $(BIN)/liandong serve & \
	  cd frontend && npm run dev

# The SPA's typed client, generated from the backend's OpenAPI document.
client: install
	cd frontend && npm run gen:client

migrate: install
	$(BIN)/liandong migrate

demo: install
	$(BIN)/liandong demo

lint: install
	cd backend && $(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy app tests scripts bench
	cd frontend && npm run lint
	cd frontend && npm run check:client

format: install
	cd backend && $(BIN)/ruff format . && $(BIN)/ruff check --fix .

test: lint test-backend test-frontend e2e fuzz

# pytest exits 5 when it collects nothing: that is a failure here, never a pass.
test-backend: install
	cd backend && $(BIN)/python -m pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "no tests were collected"; exit 1; fi; exit $$rc

test-frontend: install
	cd frontend && npm test

# The browser suite: a real Chromium against a real server on a fresh demo database.
e2e: install spa
	cd backend && $(BIN)/python scripts/e2e.py

# schemathesis against /api/v1/openapi.json, once per demo role, on a fresh demo database.
fuzz: install
	cd backend && $(BIN)/python -m scripts.fuzz

# Seeds 1M tasks and issues (BENCH_ARGS="--rows 10000000": 10M) and times every request the
# SPA's screens send, and the writes, against their floors; see docs/benchmarks.md.
bench: install
	cd backend && $(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) backend/*.egg-info frontend/node_modules frontend/dist
