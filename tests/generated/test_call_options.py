"""Per-call options are typed: mypy catches a misspelt or mistyped option."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shopify_codegen.config import load_config
from tests.conftest import PROJECT, ROOT

SNIPPET = """
from shopify_admin import AsyncClient as AdminAsync
from shopify_storefront import Client


def call(client: Client, admin: AdminAsync) -> None:
    client.customer(customer_access_token="x", timeot=3)
    client.customer(customer_access_token="x", timeout="3")
    client.customer(customer_access_token="x", timeout=3, headers={"X-Trace": "1"})
    client.iter_products(first=5, max_items=10, timeout=2.5)
    admin.iter_products(first=250, query="status:active", headers={"X-Trace": "1"})
"""


def test_mypy_checks_the_options_of_every_generated_method(tmp_path: Path) -> None:
    module = tmp_path / "caller.py"
    module.write_text(SNIPPET)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(module)],
        cwd=ROOT,  # the project's mypy settings
        # PROJECT's generated packages first on mypy's path (another copy's, when
        # TESTS_PROJECT_ROOT names one)
        env={**os.environ, "MYPYPATH": str(load_config(PROJECT).generated_dir)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout
    assert f'{module.name}:7: error: Unexpected keyword argument "timeot"' in errors[0]
    assert f'{module.name}:8: error: Argument "timeout"' in errors[1]
