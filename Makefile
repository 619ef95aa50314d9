# Dialtone: `make dev` runs the API locally, `make test` runs every check.
# Both create .venv on first use and install the pinned toolchain into it.

export SAM_CLI_TELEMETRY := 0

# Python 3.13 (the Lambda runtime): python3.13 on PATH if it runs (a pyenv shim may not),
# else one installed by pyenv.
PYTHON ?= $(shell for p in "$$(command -v python3.13)" $$(ls -d "$$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)"/versions/3.13*/bin/python3.13 2>/dev/null); do \
	[ -n "$$p" ] && "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { echo "$$p"; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# The console's browser tests drive Debian's chromium (Playwright cannot fetch its own here).
CHROMIUM ?= chromium

.PHONY: help venv browser test lint typecheck unit pytest sam-validate sam-build openapi openapi-check audit fuzz load bench dev dev-reset clean

help:
	@echo "make dev    run the whole API locally (embedded AWS endpoint, demo data)"
	@echo "make dev-reset  the same, forgetting the state saved by the last run"
	@echo "make test   lint, type-check, test, sam validate --lint, sam build and the dependency audit"
	@echo "make bench  print the performance figures and write BENCHMARKS.md"
	@echo "make fuzz   schemathesis against openapi.json on the local stack, for FUZZ_SECONDS (600)"
	@echo "make load   the local stack under load: LOAD_USERS readers and writers, a LOAD_BATCH batch dialed"
	@echo "make openapi  write openapi.json from the routes' declarations, and the SDK from it"

$(STAMP): requirements-dev.txt $(wildcard layers/*/requirements.txt) pyproject.toml clients/python/pyproject.toml
	@test -n "$(PYTHON)" || { echo "Dialtone needs Python 3.13 (the Lambda runtime): install python3.13, or run 'pyenv install 3.13'" >&2; exit 1; }
	$(BIN)/python -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3 setuptools==80.9.0 wheel==0.45.1
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e clients/python
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

browser:
	@command -v $(CHROMIUM) >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The unit tests first, alone (they forbid sockets in their process); then the integration and
# e2e tests in PYTEST_WORKERS processes (pytest-xdist), a test file at a time each, every
# process with its own embedded endpoint and local stack.
PYTEST_WORKERS ?= 2

pytest: $(STAMP) browser
	$(BIN)/pytest tests/unit
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile tests/integration tests/e2e

sam-validate: $(STAMP)
	$(BIN)/sam validate --lint --template-file template.yaml

sam-build: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sam build --template-file template.yaml --build-dir .aws-sam/build

# openapi.json is generated from the routes, never edited, and the SDK's generated package from
# openapi.json: `make test` fails when either is stale.
openapi: $(STAMP)
	$(BIN)/python -m tools.openapi
	$(BIN)/python -m tools.sdk

openapi-check: $(STAMP)
	$(BIN)/python -m tools.openapi --check

# The pinned requirements against known vulnerabilities (pip-audit, which asks PyPI): fails on
# one a newer version fixes. When PyPI's vulnerability data cannot be read for the pins (a
# machine that reaches the package index only, as CI's does), it says so in capitals and
# passes; AUDIT_IF_UNREACHABLE=fail makes that a failure, where the data can be reached.
AUDIT_IF_UNREACHABLE ?= warn

audit: $(STAMP)
	$(BIN)/python -m tools.audit --if-unreachable $(AUDIT_IF_UNREACHABLE)

test: lint typecheck openapi-check pytest sam-validate sam-build audit

# The long run of the contract fuzzing that `make test` runs bounded (tests/e2e/test_fuzz.py).
FUZZ_SECONDS ?= 600
FUZZ_EXAMPLES ?= 200

fuzz: $(STAMP)
	$(BIN)/python -m tools.fuzz --max-time $(FUZZ_SECONDS) --max-examples $(FUZZ_EXAMPLES)

# The local stack under load, bounded: 20 users for a minute, and a 1,000-number batch drained
# at 1 call a second (about 17 minutes); LOAD_BATCH=60 for a short run (tools/load.py).
LOAD_USERS ?= 20
LOAD_SECONDS ?= 60
LOAD_BATCH ?= 1000

load: $(STAMP)
	$(BIN)/python -m tools.load --users $(LOAD_USERS) --seconds $(LOAD_SECONDS) --batch $(LOAD_BATCH)

bench: $(STAMP)
	$(BIN)/python -m bench

dev: $(STAMP)
	$(BIN)/python -m local

dev-reset: $(STAMP)
	$(BIN)/python -m local --reset

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .dialtone
