# Every target bootstraps what it needs: a fresh machine with Python 3.11+ and make runs
# `make serve`, and with Node.js too, `make test`, and nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAGE ?= dev
# Two installs, each with its stamp named after a hash of what it depends on: a change
# re-installs, nothing else does. Serving needs the runtime only (the package without extras,
# no npm); testing, synthesizing and deploying add the `dev` and `infra` extras and the CDK
# command line. The full install includes the serve one and stamps both, so neither
# re-installs the other.
# Both install exactly the committed lock (requirements/*.txt, hashes required), then the
# project itself without dependencies; `make lock` rewrites the lock (docs/installing.md).
SERVE_LOCK := requirements/serve.txt
TEST_LOCK := requirements/test.txt
SERVE_STAMP := $(VENV)/.serve-$(shell cat pyproject.toml $(SERVE_LOCK) 2>/dev/null | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(TEST_LOCK) package.json 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: help install serve-install serve test lock lint typecheck pytest cfn-lint synth-dev synth-prod \
        schema synth deploy destroy e2e-cloud bench capacity soak clean web-assets browser

help:
	@echo "make serve    run the API locally (board at http://127.0.0.1:8000/, explorer at /graphql)"
	@echo "make test     ruff, mypy, pytest (unit, integration, e2e, infra), CDK synth + cdk-nag + cfn-lint"
	@echo "make bench    benchmarks -> bench/results.json, bench/report.md (QUICK=1: a short run)"
	@echo "make capacity capacity model: stateShards/queueGroups for a rate -> bench/capacity.md"
	@echo "make soak     the reliability suite at full size -> soak/REPORT.md"
	@echo "make schema   regenerate schema.graphql from api/"
	@echo "make lock     re-resolve requirements/*.txt from pyproject.toml (UPGRADE=1: newest allowed)"
	@echo "make synth    synthesize the CDK stack into cdk.out/ (STAGE=dev|prod)"
	@echo "make deploy   deploy to AWS (STAGE=dev|prod)"
	@echo "make destroy  tear down (STAGE=dev)"
	@echo "make e2e-cloud  the e2e tests against the deployed stage (STAGE=dev, after make deploy)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(SERVE_STAMP): $(BIN)/python pyproject.toml $(SERVE_LOCK)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(SERVE_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.serve-* && touch $(SERVE_STAMP)

# pip and npm share nothing: npm runs while pip installs the lock, and the install waits
# for both.
$(STAMP): $(BIN)/python pyproject.toml $(TEST_LOCK) package.json
	npm ci --no-audit --no-fund --loglevel=error & npm=$$!; \
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK) \
	&& $(BIN)/python -m pip install --quiet --no-deps -e '.[dev,infra]'; pip=$$?; \
	wait $$npm && test $$pip = 0
	rm -f $(VENV)/.installed-* $(VENV)/.serve-* && touch $(STAMP) $(SERVE_STAMP)

# The lock: uv's universal resolver (one lock for every Python from 3.11 and every platform,
# markers included) with the sha256 of every file; plain pip installs it. The serve lock is
# the test lock's versions of the runtime alone. Kept pins stay unless UPGRADE=1.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
LOCK_FLAGS := --universal --generate-hashes --python-version 3.11 --quiet \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)" "packaging>=24"
	mkdir -p requirements
	$(UV) pip compile pyproject.toml --extra dev --extra infra $(LOCK_FLAGS) -o $(TEST_LOCK)
	$(UV) pip compile pyproject.toml -c $(TEST_LOCK) $(LOCK_FLAGS) -o $(SERVE_LOCK)
	$(BIN)/python -m infra.python_lock $(TEST_LOCK) $(SERVE_LOCK)

serve-install: $(SERVE_STAMP)

install: $(STAMP) web-assets

serve: $(SERVE_STAMP) web-assets
	$(BIN)/orders serve

schema: $(SERVE_STAMP)
	$(BIN)/orders schema

# The explorer's scripts (GraphiQL, React), pinned in their own small package: serving needs
# them and nothing else from npm. `npm ci` empties node_modules, so the stamp goes in last.
WEB := api/emulator/web
WEB_STAMP := $(WEB)/node_modules/.installed-$(shell cat $(WEB)/package.json $(WEB)/package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)

web-assets: $(WEB_STAMP)

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser: $(CHROMIUM)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y --no-install-recommends chromium

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Test files run side by side in PYTEST_WORKERS processes (pytest-xdist): each file stays on
# one worker, so its module-scoped moto, emulator or benchmark run is set up once
# (tests/conftest.py groups them; the CDK tests share one worker and one synthesis). Most
# tests wait on a subprocess or a socket, so more workers than cores pays.
PYTEST_WORKERS ?= 4
pytest: $(STAMP) web-assets browser
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup

synth: $(STAMP)
	npx --no-install cdk synth --quiet -c stage=$(STAGE) $(CDK_ARGS)

# Each stage synthesizes into its own directory, so the two run side by side under -j.
cfn-lint: synth-dev synth-prod
	$(BIN)/cfn-lint cdk.out/dev/*.template.json cdk.out/prod/*.template.json

synth-dev synth-prod: synth-%: $(STAMP)
	rm -rf cdk.out/$*
	npx --no-install cdk synth --quiet -c stage=$* -o cdk.out/$*

# Installs first, then every check at once: lint, mypy, pytest (itself on several workers)
# and the two synths share nothing. Each check's output is printed whole when it ends.
test: $(STAMP) web-assets browser
	$(MAKE) --no-print-directory -j --output-sync=target lint typecheck pytest cfn-lint

# Extra CDK context, e.g. CDK_ARGS="-c alarmEmail=ops@example.com -c cacheTtl=60".
CDK_ARGS ?=

# Synthesized once, checked, then deployed as synthesized: infra/fixed_settings.py refuses a
# change of stateShards or queueGroups against the deployed stage (QUEUES_DRAINED=1 once every
# state queue is empty lets queueGroups change; docs/deploy-safety.md).
DEPLOY_OUT := cdk.out/deploy-$(STAGE)
deploy: $(STAMP)
	rm -rf $(DEPLOY_OUT)
	npx --no-install cdk synth --quiet -c stage=$(STAGE) $(CDK_ARGS) -o $(DEPLOY_OUT)
	$(BIN)/python -m infra.fixed_settings $(DEPLOY_OUT)/Orders-$(STAGE).template.json \
		--stack Orders-$(STAGE) $(if $(QUEUES_DRAINED),--queues-drained)
	npx --no-install cdk deploy --app $(DEPLOY_OUT) --require-approval broadening \
		--outputs-file cdk.out/outputs-$(STAGE).json

# Production data is retained and deletion-protected; tearing prod down is a console job.
destroy: $(STAMP)
	@test "$(STAGE)" != prod || { echo "make destroy is for STAGE=dev only"; exit 1; }
	npx --no-install cdk destroy -c stage=$(STAGE) $(CDK_ARGS)

# The e2e tests against a deployed stage: its URL and API key come from the outputs that
# `make deploy` saved; tests that need the emulator's internals are skipped with a reason.
e2e-cloud: $(STAMP)
	ORDERS_E2E_OUTPUTS=cdk.out/outputs-$(STAGE).json $(BIN)/pytest tests/e2e -rs

# QUICK=1: a short run into build/bench-quick/ (what the smoke test runs).
bench: $(STAMP)
	$(BIN)/python -m bench $(if $(QUICK),--quick)

# AWS's published limits -> which stateShards (N) and queueGroups (G) carry 10,000 orders/s,
# checked by a seeded simulation: bench/capacity.md, .png and .json (a few seconds).
capacity: $(STAMP)
	$(BIN)/python -m bench.capacity

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache

# The reliability suite (issue 9) at full size: hostile input with many more examples,
# 2,000 orders from 32 clients, races, injected faults, killed invocations. `make test` runs
# the same tests bounded. Writes soak/REPORT.md (committed).
SOAK_TESTS := tests/unit/test_input_rules.py tests/unit/test_half_applied_writes.py \
        tests/integration/test_injected_faults.py tests/integration/test_races.py \
        tests/integration/test_crashes.py tests/e2e/test_hostile_input.py \
        tests/e2e/test_load.py tests/e2e/test_access.py
soak: $(STAMP)
	ORDERS_SOAK=1 ORDERS_SOAK_REPORT=soak/REPORT.md $(BIN)/pytest -p no:cacheprovider \
		--timeout=3600 -q $(SOAK_TESTS)
