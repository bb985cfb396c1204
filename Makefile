# `make` sets up .venv, installs the project, runs the drift check and the demo;
# `make test` runs the whole test suite. Only Python 3.11+ is needed beforehand.

VENV := .venv
# Windows (GNU make under Git Bash, as in the CI workflow): the venv's programs are in
# Scripts/, and the interpreter on PATH is `python`.
ifeq ($(OS),Windows_NT)
PYTHON ?= python
BIN := $(VENV)/Scripts
else
PYTHON ?= python3
BIN := $(VENV)/bin
endif
STAMP := $(VENV)/.installed

.PHONY: all install check demo generate validate test lint typecheck pytest bench soak clean corpus

all: check demo

# The editable install maps the tool's packages through an import hook that only the
# interpreter runs; mypy and pyright read plain path entries. So scripts/dev_paths.py
# writes a .pth file naming two folders: $(SRC_LINKS), links to the tool's packages
# and nothing else, and generated/, this repository's own generated clients (not part
# of the distribution). A user's module anywhere then type-checks against both
# (tests/test_typing_outside.py), and the checkout itself is not on the path: `import
# tests` (or bench, examples) from elsewhere finds nothing (tests/test_packaging.py).
PTH := shopify_graphql_typed_paths.pth
SRC_LINKS := $(VENV)/shopify-graphql-typed-src
TOOL_PACKAGES := shopify_client shopify_codegen

$(STAMP): pyproject.toml Makefile scripts/dev_paths.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[codegen,dev]'
	$(BIN)/python scripts/dev_paths.py $(PTH) $(SRC_LINKS) generated $(TOOL_PACKAGES)
	touch $(STAMP)

install: $(STAMP)

check: $(STAMP)
	$(BIN)/shopify-codegen check

demo: $(STAMP)
	$(BIN)/python examples/demo.py

validate: $(STAMP)
	$(BIN)/shopify-codegen validate

generate: $(STAMP)
	$(BIN)/shopify-codegen generate

# Regenerate the conformance corpus's golden packages (tests/conformance/expected)
# after a deliberate change to the generator; make test holds the pipeline to them.
corpus: $(STAMP)
	$(BIN)/python -m tests.conformance.corpus

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Two worker processes by default (pytest-xdist); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: check lint typecheck pytest

# Benchmarks against raw httpx and peers; prints a table, writes bench/results/latest.json.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python bench/run.py

# The reliability campaigns, long: 10,000 faulty async calls, 50 SIGKILLs per
# command, 2,000 hostile responses per property. Prints each campaign's report.
soak: $(STAMP)
	SOAK_CALLS=10000 SOAK_KILLS=50 HYPOTHESIS_EXAMPLES=2000 $(BIN)/pytest -s -q \
		tests/shopify_client/test_soak.py tests/shopify_client/test_soak_idempotent.py \
		tests/shopify_client/test_hostile_responses.py \
		tests/shopify_codegen/test_interrupted.py tests/shopify_codegen/test_hostile_inputs.py \
		tests/shopify_client/test_redaction.py tests/recorded/test_cassettes_scrubbed.py
	SOAK_DEADLINE_CALLS=20000 $(BIN)/pytest -s -q tests/shopify_client/test_soak_deadlines.py
	BULK_SOAK_RUNS=1000 $(BIN)/pytest -s -q tests/shopify_client/test_bulk_soak.py \
		tests/shopify_client/test_bulk_soak_stream.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
