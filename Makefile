# `make` sets up .venv, installs the project, runs the drift check and the demo;
# `make test` runs the whole test suite. Only Python 3.11+ is needed beforehand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all install check demo generate validate test lint typecheck pytest bench clean

all: check demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[codegen,dev]'
	touch $(STAMP)

install: $(STAMP)

check: $(STAMP)
	$(BIN)/shopify-codegen check

demo: $(STAMP)
	$(BIN)/python -m shopify_client.demo

validate: $(STAMP)
	$(BIN)/shopify-codegen validate

generate: $(STAMP)
	$(BIN)/shopify-codegen generate

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

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
