# `make` sets up .venv, installs the project, runs the drift check and the demo;
# `make test` runs the whole test suite. Only Python 3.11+ is needed beforehand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all install check demo generate validate test lint typecheck pytest bench soak clean corpus

all: check demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[codegen,dev]'
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

pytest: $(STAMP)
	$(BIN)/pytest

test: check lint typecheck pytest

# Benchmarks against raw httpx and peers; prints a table, writes bench/results/latest.json.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python bench/run.py

# The reliability campaigns, long: 10,000 faulty async calls, 50 SIGKILLs per
# command, 2,000 hostile responses per property. Prints each campaign's report.
soak: $(STAMP)
	SOAK_CALLS=10000 SOAK_KILLS=50 HYPOTHESIS_EXAMPLES=2000 $(BIN)/pytest -s -q \
		tests/shopify_client/test_soak.py tests/shopify_client/test_hostile_responses.py \
		tests/shopify_codegen/test_interrupted.py tests/shopify_codegen/test_hostile_inputs.py \
		tests/shopify_client/test_redaction.py tests/recorded/test_cassettes_scrubbed.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
