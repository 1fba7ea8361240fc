# Every target bootstraps what it needs: a fresh machine with Python 3.11+ and make runs
# `make serve` (no npm: the explorer's scripts are vendored), and with Node.js too,
# `make test`, and nothing else. `make help` lists the targets from their `##` comments.
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
# The full install is two, side by side under -j: Python's (PY_STAMP: what lint, mypy and the
# docs need) and Node's (NODE_STAMP: the CDK command line, Amplify, ESLint). Targets that
# need both depend on STAMP.
PY_STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(TEST_LOCK) 2>/dev/null | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json 2>/dev/null | cksum | cut -d' ' -f1)
STAMP := $(PY_STAMP) $(NODE_STAMP)

# Every Python process make starts writes the bytecode it compiles, whatever the shell says
# (these machines set PYTHONDONTWRITEBYTECODE=1): the suite's hundreds of processes (workers,
# servers, CLI runs) then compile each module once, not each time they import it. Written
# where the sources are (.venv/, the project's __pycache__/, both ignored by git).
export PYTHONDONTWRITEBYTECODE :=

# Every target below is a command, not a file: several share their name with a folder
# (bench, docs, capacity, soak), which make would otherwise find newer than the stamps and
# skip as up to date. `make` alone lists them.
.PHONY: help lock serve-install install serve schema explorer-assets browser lint typecheck \
	pytest-collect pytest synth cfn-lint docs test docs-serve deploy \
	destroy bench capacity clean soak

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /\1\t/' | expand -t 16

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv installs the lock, downloading in parallel (a fresh clone's install takes seconds where
# pip took three minutes). The serve install compiles its bytecode too, for an `orders serve`
# started outside make; the full one leaves it to the first import (see above): compiling
# all of it took more CPU than the whole install (aws-cdk-lib alone is 33 CPU-s, and the
# stack imports a tenth of it). uv is pinned by hash itself, and pip installs it.
UV_VERSION := 0.13.9
UV_LOCK := requirements/uv.txt
UV := $(BIN)/uv
UV_INSTALL := $(UV) pip install --quiet --python $(BIN)/python

$(UV): $(BIN)/python $(UV_LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(UV_LOCK)
	touch $(UV)

$(SERVE_STAMP): $(UV) pyproject.toml $(SERVE_LOCK)
	$(UV_INSTALL) --compile-bytecode --require-hashes -r $(SERVE_LOCK)
	$(UV_INSTALL) --compile-bytecode --no-deps -e .
	rm -f $(VENV)/.serve-* && touch $(SERVE_STAMP)

$(PY_STAMP): $(UV) pyproject.toml $(TEST_LOCK)
	$(UV_INSTALL) --require-hashes -r $(TEST_LOCK)
	$(UV_INSTALL) --no-deps -e '.[dev,infra]'
	rm -f $(VENV)/.installed-* $(VENV)/.serve-* && touch $(PY_STAMP) $(SERVE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# The lock: uv's universal resolver (one lock for every Python from 3.11 and every platform,
# markers included) with the sha256 of every file. The serve lock is the test lock's
# versions of the runtime alone; uv's own pin is UV_VERSION's. Kept pins stay unless UPGRADE=1.
LOCK_FLAGS := --universal --generate-hashes --python-version 3.11 --quiet \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: $(UV) ## re-resolve requirements/*.txt from pyproject.toml (UPGRADE=1: newest allowed)
	$(UV_INSTALL) "packaging>=24"
	mkdir -p requirements
	$(UV) pip compile pyproject.toml --extra dev --extra infra $(LOCK_FLAGS) -o $(TEST_LOCK)
	$(UV) pip compile pyproject.toml -c $(TEST_LOCK) $(LOCK_FLAGS) -o $(SERVE_LOCK)
	echo "uv==$(UV_VERSION)" | $(UV) pip compile - $(LOCK_FLAGS) -o $(UV_LOCK)
	$(BIN)/python -m infra.python_lock $(TEST_LOCK) $(SERVE_LOCK)

serve-install: $(SERVE_STAMP) ## install what serving needs (the package, no extras, no npm)

install: $(STAMP) ## install everything: the dev and infra extras, the CDK command line

serve: $(SERVE_STAMP) ## run the API locally (board at http://127.0.0.1:8000/, explorer at /graphql)
	$(BIN)/orders serve

schema: $(SERVE_STAMP) ## regenerate schema.graphql from api/
	$(BIN)/orders schema

# The explorer's scripts (GraphiQL, React) are vendored in $(WEB)/explorer/vendor/, so serving
# needs no npm; they are pinned in their own small package, and this copies them in again
# after a version change there (and its NOTICE says which versions they are).
WEB := api/emulator/web
VENDOR := $(WEB)/explorer/vendor
explorer-assets: ## refresh the vendored explorer scripts from their pinned npm package (needs npm)
	npm ci --prefix $(WEB) --no-audit --no-fund --loglevel=error
	cp $(WEB)/node_modules/react/umd/react.production.min.js \
	   $(WEB)/node_modules/react-dom/umd/react-dom.production.min.js \
	   $(WEB)/node_modules/graphiql/graphiql.min.js $(WEB)/node_modules/graphiql/graphiql.min.css $(VENDOR)/
	cp $(WEB)/node_modules/react/LICENSE $(VENDOR)/LICENSE-react
	cp $(WEB)/node_modules/graphiql/LICENSE $(VENDOR)/LICENSE-graphiql

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser: $(CHROMIUM) ## install Debian's Chromium for the browser tests

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) apt-get install -y --no-install-recommends chromium

lint: $(PY_STAMP) ## ruff check and format
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(PY_STAMP) ## mypy (strict)
	$(BIN)/mypy

# Test files run side by side in PYTEST_WORKERS processes (pytest-xdist): each file stays on
# one worker, so its module-scoped moto, emulator or benchmark run is set up once
# (tests/conftest.py groups them; the CDK tests share one worker and one synthesis). Three,
# for two cores: the third keeps them busy while a test waits on a socket or a clock (a TOTP
# step is 30 s); a fourth collects the suite and starts the session's emulator once more,
# and ran the suite 25 to 35 s slower (two pairs of runs, each order once). More cores,
# more workers: PYTEST_WORKERS=N.
# PYTEST_ARGS adds pytest's own options, e.g. PYTEST_ARGS="--durations=30".
PYTEST_WORKERS ?= 3
PYTEST_ARGS ?=
# The project's own modules are compiled first: where PYTHONDONTWRITEBYTECODE is set, each of
# the suite's hundreds of processes (servers, CLI runs, killed invocations) would compile
# them again (about 0.1 s of CPU each). A module edited later is recompiled as usual.
PROJECT_PACKAGES := api resolvers harness consumers capacity bench infra tests
# Then one collection of what will run, alone, before the workers: it compiles (and pytest
# rewrites) every module a worker imports to collect, once. On a fresh clone the workers
# would otherwise each compile the same modules side by side: a cold collection of the whole
# suite is 16 CPU-s, a warm one 6. A collection error is reported by the run that follows.
# Collecting needs the Python install only, so under -j it runs while `npm ci` runs.
pytest-collect: $(PY_STAMP)
	$(BIN)/python -m compileall -q -j 0 $(PROJECT_PACKAGES) > /dev/null
	$(BIN)/pytest --collect-only -q $(PYTEST_ARGS) > /dev/null 2>&1 || true

pytest: $(STAMP) browser pytest-collect ## pytest on several workers: unit, integration, e2e (the docs' examples too), infra
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

synth: $(STAMP) ## synthesize the CDK stack into cdk.out/ (STAGE=dev|prod)
	npx --no-install cdk synth --quiet -c stage=$(STAGE) $(CDK_ARGS)

# `make test` lints both stages' templates in tests/infra/test_command_line.py, on the
# synthesis the CDK tests make anyway; this lints what `make synth` wrote.
cfn-lint: synth ## synthesize STAGE (with CDK_ARGS) and lint its template
	$(BIN)/cfn-lint cdk.out/*.template.json

# The docs site, strict: a broken link or a page's warning fails the build.
docs: $(PY_STAMP) ## build the docs site into site/ (strict: a broken link fails)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# Everything at once: the Python and Node installs beside Chromium's (they share nothing),
# then lint, mypy, the docs and pytest (itself on several workers), each as soon as what it
# needs is installed. The CDK checks are pytest's (tests/infra): each stage synthesized once
# in-process, cdk-nag failing the synthesis on any finding, cfn-lint on the templates and
# the CDK command line on the assembly; a `cdk synth` of each stage here would be the same
# jsii work again. Each check's output is printed whole when it ends.
test: ## ruff, mypy, the docs site, pytest (with CDK synth + cdk-nag + cfn-lint)
	$(MAKE) --no-print-directory -j --output-sync=target lint typecheck docs pytest

docs-serve: $(PY_STAMP) ## the docs site on http://127.0.0.1:8001/, rebuilt on every change
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001


# Extra CDK context, e.g. CDK_ARGS="-c alarmEmail=ops@example.com -c cacheTtl=60". prod needs
# an alarm destination: -c alarmEmail=ADDRESS or -c alarmTopicArn=ARN.
CDK_ARGS ?=

# Synthesized once, checked, then deployed as synthesized: infra/fixed_settings.py refuses a
# change of stateShards or queueGroups against the deployed stage (QUEUES_DRAINED=1 once every
# state queue is empty lets queueGroups change; docs/deploy-safety.md).
DEPLOY_OUT := cdk.out/deploy-$(STAGE)
deploy: $(STAMP) ## deploy to AWS (STAGE=dev|prod, CDK_ARGS="-c ..."); refuses a changed stateShards/queueGroups
	rm -rf $(DEPLOY_OUT)
	npx --no-install cdk synth --quiet -c stage=$(STAGE) $(CDK_ARGS) -o $(DEPLOY_OUT)
	$(BIN)/python -m infra.fixed_settings $(DEPLOY_OUT)/Orders-$(STAGE).template.json \
		--stack Orders-$(STAGE) $(if $(QUEUES_DRAINED),--queues-drained)
	npx --no-install cdk deploy --app $(DEPLOY_OUT) --require-approval broadening \
		--outputs-file cdk.out/outputs-$(STAGE).json

# Production data is retained and deletion-protected; tearing prod down is a console job.
destroy: $(STAMP) ## tear a dev stage down (STAGE=dev)
	@test "$(STAGE)" != prod || { echo "make destroy is for STAGE=dev only"; exit 1; }
	npx --no-install cdk destroy -c stage=$(STAGE) $(CDK_ARGS)

# The e2e tests against a deployed stage: its URL and API key come from the outputs that
# `make deploy` saved; tests that need the emulator's internals are skipped with a reason.
e2e-cloud: $(STAMP) ## the e2e tests against the deployed stage (after make deploy)
	ORDERS_E2E_OUTPUTS=cdk.out/outputs-$(STAGE).json $(BIN)/pytest tests/e2e -rs

# QUICK=1: a short run into build/bench-quick/ (what the smoke test runs).
bench: $(STAMP) ## benchmarks -> bench/results.json, bench/report.md (QUICK=1: a short run)
	$(BIN)/python -m bench $(if $(QUICK),--quick)

# AWS's published limits -> which stateShards (N) and queueGroups (G) carry 10,000 orders/s,
# checked by a seeded simulation: capacity/capacity.md, .png and .json (a few seconds).
capacity: $(STAMP) ## the capacity model: stateShards/queueGroups for a rate -> capacity/capacity.md
	$(BIN)/python -m capacity

clean: ## remove .venv, node_modules, cdk.out, site and the caches
	rm -rf $(VENV) node_modules cdk.out site .pytest_cache .mypy_cache .ruff_cache

# The reliability suite (docs/reliability.md) at full size: hostile input with many more examples,
# 2,000 orders from 32 clients, races, injected faults, killed invocations. `make test` runs
# the same tests bounded. Writes soak/REPORT.md (committed).
SOAK_TESTS := tests/unit/test_input_rules.py tests/unit/test_half_applied_writes.py \
        tests/integration/test_injected_faults.py tests/integration/test_races.py \
        tests/integration/test_crashes.py tests/e2e/test_hostile_input.py \
        tests/e2e/test_load.py tests/e2e/test_access.py
soak: $(STAMP) ## the reliability suite at full size -> soak/REPORT.md
	ORDERS_SOAK=1 ORDERS_SOAK_REPORT=soak/REPORT.md $(BIN)/pytest -p no:cacheprovider \
		--timeout=3600 -q $(SOAK_TESTS)
