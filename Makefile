# Switchboard: `make run` serves the app, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.install-stamp
# The benchmark's extra packages (matplotlib for its plots, gunicorn as a second web server to try);
# the smoke test in `make test` draws the plots too.
BENCH_STAMP := $(VENV)/.bench-install-stamp
FRONTEND_STAMP := frontend/dist/index.html
# The test OpenID provider (Node) the sign-in tests start.
OIDC_PROVIDER_STAMP := tests/support/oidc_provider/node_modules/.package-lock.json
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/package.json frontend/package-lock.json frontend/vite.config.ts -type f 2>/dev/null)
PORT ?= 8000
# The machine's PostgreSQL and Redis, for the second pass of `make test` (skipped when unreachable).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/switchboard
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test test-frontend test-embedded test-services lint frontend bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV)/ (first run, or pyproject.toml changed)…"
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

$(FRONTEND_STAMP): $(FRONTEND_SOURCES)
	@echo "Building the browser app…"
	@# `npm install` (not `npm ci`): npm 11 refuses `ci` over the platform-specific optional packages
	@# its own lock file leaves out; with the lock committed, `install` installs exactly what it names.
	cd frontend && npm install --no-audit --no-fund --loglevel=error && npm run build

frontend: $(FRONTEND_STAMP)

$(OIDC_PROVIDER_STAMP): tests/support/oidc_provider/package.json tests/support/oidc_provider/package-lock.json
	cd tests/support/oidc_provider && npm install --no-audit --no-fund --loglevel=error
	@touch $@

run: $(STAMP) $(FRONTEND_STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Switchboard on http://127.0.0.1:$(PORT)/  (API docs: http://127.0.0.1:$(PORT)/api/docs/)"
	$(VENV)/bin/uvicorn hub.asgi:application --host 127.0.0.1 --port $(PORT) --no-access-log

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

# The browser tests drive the built app, so the build comes first.
test: lint test-frontend test-embedded test-services

test-frontend: $(FRONTEND_STAMP)
	@echo "== Front-end component tests (Vitest) =="
	cd frontend && npm test

test-embedded: $(STAMP) $(BENCH_STAMP) $(FRONTEND_STAMP) $(OIDC_PROVIDER_STAMP)
	@echo "== Tests on the embedded default (SQLite, in-process broker) =="
	env -u DATABASE_URL -u REDIS_URL -u BROKER_URL $(PY) -m pytest

test-services: $(STAMP) $(BENCH_STAMP) $(FRONTEND_STAMP) $(OIDC_PROVIDER_STAMP)
	@if $(PY) -c "import socket; [socket.create_connection(('127.0.0.1', p), 1).close() for p in (5432, 6379)]" 2>/dev/null; then \
		echo "== Tests on PostgreSQL + Redis with worker processes =="; \
		DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DRAMATIQ_NAMESPACE=switchboard-test-$$$$ $(PY) -m pytest; \
	else \
		echo "== PostgreSQL or Redis is not reachable on 127.0.0.1: the second pass is skipped =="; \
	fi

# Switchboard beside Node-RED and n8n (installed by the bench into its scratch folder, outside the
# repository): about 10–15 minutes. `make bench BENCH_ARGS="--systems switchboard --seconds 5"` for less.
bench: $(STAMP) $(BENCH_STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var
