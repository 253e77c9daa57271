# Knock Router: `make run` (demo server) and `make test` (whole suite), each from a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python >= 3.12 on PATH (pyenv shims resolve .python-version).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 python; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	command -v $$p; break; fi; done)

.PHONY: help run test test-unit test-e2e lint check smoke setup migrate clean

help:
	@echo "make run    set up .venv, migrate, seed a demo workspace, serve on http://$(HOST):$(PORT)/"
	@echo "make test   set up .venv, migrate, run the whole test suite"
	@echo "make lint   ruff check + ruff format --check"
	@echo "make imports  import direction between the apps (lint-imports, contracts in pyproject.toml)"
	@echo "make check  Django deploy checks under production settings + OpenAPI schema validation"
	@echo "make smoke  production smoke test (DEBUG=0, collectstatic, uvicorn workers, Postgres, Redis)"
	@echo "make fuzz   schemathesis against a running server on a fresh database (DATABASE_URL to pick one)"

$(VENV)/.installed: requirements.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Knock Router needs Python >= 3.12, and none was found on PATH" \
		     "(tried python3.14, python3.13, python3.12, python3, python)."; \
		echo "Install Python 3.12 or newer (or set PYTHON=/path/to/python3.12) and run make again."; \
		exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# A local .env for development: DEBUG on and a generated secret key. Never used in production.
.env:
	@echo "DEBUG=1" > .env
	@echo "SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" >> .env
	@echo "Wrote .env (DEBUG=1 and a random SECRET_KEY) for local development."

setup: $(VENV)/.installed .env
	@mkdir -p staticfiles

migrate: setup
	$(PY) manage.py migrate --noinput -v 0

run: migrate
	@$(PY) manage.py seed_demo
	@echo ""
	@echo "Knock Router is running at http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@echo "  console:  http://$(HOST):$(PORT)/   login: demo / knock-demo"
	@echo "  live traffic: .venv/bin/python manage.py simulate_leads --rate 2/s --count 200"
	@echo "  API docs: http://$(HOST):$(PORT)/api/docs/"
	@$(PY) manage.py autoclose_chats --schedule  # the periodic auto-close, run by the worker
	@$(PY) manage.py prune_slack_seen --schedule  # forgets old Slack events / clicks
	@$(PY) manage.py db_worker --interval 1 --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(VENV)/bin/daphne -b $(HOST) -p $(PORT) knock.asgi:application

test: migrate test-unit test-e2e

# The unit suite runs on TEST_WORKERS pytest-xdist processes (2: this project's CI machine
# has 2 cores; TEST_WORKERS=auto for one per core, TEST_WORKERS=0 for one process). Each
# worker has its own test database (test_<name>_gw0, _gw1) and Redis prefix (knock/test_settings.py).
TEST_WORKERS ?= 2

test-unit:
	$(VENV)/bin/pytest --ignore=tests/e2e -n $(TEST_WORKERS)

# Browser tests (Playwright driving Debian's /usr/bin/chromium) run as their own
# pytest process: Playwright's event loop and the async tests must not share one.
test-e2e:
	$(VENV)/bin/pytest tests/e2e

# One direction of imports (docs/architecture.md): routing/ never imports crm/,
# notifications/ or calendars/, lazily or not. Contracts: [tool.importlinter] in pyproject.toml.
.PHONY: imports
imports: setup
	$(VENV)/bin/lint-imports --no-cache

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup
	DEBUG=0 SECRET_KEY=ci-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n') ALLOWED_HOSTS=knock.example.com \
		$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

# Production smoke test: collectstatic, uvicorn --workers 2 + db_worker with DEBUG=0 on
# PostgreSQL and Redis (DATABASE_URL/REDIS_URL of this machine), every console page, the API
# docs, a public link page, a 404, a routed chat and its feed event (tests/smoke/prod_smoke.py).
smoke: setup
	$(PY) tests/smoke/prod_smoke.py

# API fuzzing: schemathesis --checks all (fixed seed, FUZZ_EXAMPLES per operation) against
# daphne on a fresh database: SQLite in a temp dir, or $$DATABASE_URL (that database is
# dropped and created again). Non-zero on any server error or schema mismatch (tests/fuzz/run.py).
.PHONY: fuzz
fuzz: setup
	$(PY) tests/fuzz/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Benchmarks, separate from `make test`: the bench-only packages go into .venv
# (never requirements.txt); bench/run.py checks PostgreSQL (127.0.0.1:5432) and
# Redis (127.0.0.1:6379), recreates its own database (knock_bench, or BENCH_DATABASE_URL
# and BENCH_REDIS_URL to keep runs apart), starts the
# servers it needs and writes docs/benchmarks.md (raw figures: bench/last-run.json).
.PHONY: bench
bench: $(VENV)/.bench-installed
	@mkdir -p staticfiles
	$(PY) bench/run.py

$(VENV)/.bench-installed: $(VENV)/.installed bench/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	@touch $@
