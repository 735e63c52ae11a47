# Everything the demo and the tests need is installed from here, on a fresh clone:
# the virtualenv with the package and its pinned test tools, and the Pulumi CLI
# with the YAML language host (built from Go modules when not already on PATH at the pinned version).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := $(CURDIR)/.venv
STAMP := $(VENV)/.installed
# The repository's own environment, pinned exactly (pyproject.toml declares ranges).
CONSTRAINTS := constraints/dev.txt
export PATH := $(CURDIR)/.tools/bin:$(VENV)/bin:$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION := true

.PHONY: help venv pulumi-cli node redis lint test test-fast compat sdk-check demo bench upgrade-baseline clean

help:
	@echo "make demo   - pulumi up the quickstart (Python and YAML) against the embedded ilert emulator"
	@echo "make test   - ruff, mypy and the whole pytest suite (unit, gRPC, real engine)"
	@echo "make bench  - the bulk-deployment benchmarks (benchmarks/README.md)"
	@echo "make compat - the unit, gRPC and policy suites on the lowest and newest supported dependencies"
	@echo "make sdk-check - generate the TypeScript and Go SDKs from the plugin's schema and compile them"

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@echo "==> creating $(VENV) and installing pulumi-ilert-contacts with its test tools"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c $(CONSTRAINTS) -e '.[test,bench]'
	@touch $@

venv: $(STAMP)

pulumi-cli:
	@bash tools/pulumi-cli/install.sh
	@bash tools/pulumi-yaml/install.sh

# node and npm, for the generated TypeScript SDK (tests/sdk): Debian's packages where missing.
node:
	@bash tools/sdk-check/install-node.sh

# redis-server, for the fleet rate-budget tests and bench (tests start their own): Debian's package where missing.
redis:
	@bash tools/redis/install.sh

lint: venv
	ruff check .
	mypy

test: venv pulumi-cli node redis lint
	pytest
	@bash scripts/compat.sh

# The unit, gRPC and policy suites on the lowest and on the newest supported dependencies
# (constraints/lowest.txt, constraints/newest.txt), each from the built wheel.
compat: venv redis
	@bash scripts/compat.sh

test-fast: venv redis lint
	pytest -m "not e2e and not reliability"

sdk-check: venv pulumi-cli node
	@bash tools/sdk-check/check.sh

demo: venv pulumi-cli
	@bash scripts/demo.sh

bench: venv pulumi-cli redis
	python benchmarks/run.py

# Record the stacks a release writes, for the upgrade tests of every later version:
#   make upgrade-baseline REF=v0.2.0
upgrade-baseline: venv pulumi-cli
	python tests/upgrade/record_baseline.py --ref $(or $(REF),HEAD)

clean:
	rm -rf .pulumi-state .demo .compat benchmarks/results
