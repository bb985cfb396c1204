"""The README's installation (`make`: an editable install) type-checks from anywhere.

setuptools' editable install maps the packages (generated/ above all) through an import
hook that only the interpreter runs; mypy reads path entries, so without the Makefile's
path file a user's module outside the project sees `import-not-found`, and with
`ignore_missing_imports` every client silently becomes `Any`. This test writes a user's
module to a folder outside the project and runs the installed mypy from there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

USER_MODULE = """\
from typing import assert_type

from shopify_admin import AsyncClient as AdminClient
from shopify_admin import StorefrontAccessTokenCreate, StorefrontAccessTokenInput
from shopify_client import ShopifyError, StorefrontBaseClient
from shopify_storefront import (
    Client,
    CustomerAccessTokenCreate,
    CustomerAccessTokenCreateInput,
)


def login(client: Client, email: str, password: str) -> CustomerAccessTokenCreate:
    result = client.customer_access_token_create(
        input=CustomerAccessTokenCreateInput(email=email, password=password)
    )
    assert_type(result, CustomerAccessTokenCreate)
    return result


async def new_token(client: AdminClient) -> StorefrontAccessTokenCreate:
    return await client.storefront_access_token_create(input=StorefrontAccessTokenInput(title="t"))


def is_client(value: object) -> bool:
    return isinstance(value, StorefrontBaseClient) and not isinstance(value, ShopifyError)
"""

# A deliberate error: only reported if the clients' types are really seen (with `Any`
# everywhere, this return would pass).
BROKEN = """

def broken(client: Client) -> int:
    return client.customer(customer_access_token="t")
"""


def run_mypy(folder: Path) -> subprocess.CompletedProcess[str]:
    mypy = Path(sys.executable).with_name("mypy")  # .venv/bin/mypy under `make test`
    env = {k: v for k, v in os.environ.items() if k not in {"MYPYPATH", "PYTHONPATH"}}
    return subprocess.run(
        [str(mypy), "--strict", "--no-incremental", "user_module.py"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_module_outside_the_project_type_checks_against_the_installed_clients(
    tmp_path: Path,
) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT.resolve())
    (tmp_path / "user_module.py").write_text(USER_MODULE)
    result = run_mypy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found in 1 source file" in result.stdout


def test_a_type_error_in_that_module_is_reported(tmp_path: Path) -> None:
    (tmp_path / "user_module.py").write_text(USER_MODULE + BROKEN)
    result = run_mypy(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "import-not-found" not in result.stdout
    (error,) = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert 'Incompatible return value type (got "Customer", expected "int")' in error


def test_a_misspelled_package_name_is_reported_not_typed_as_any(tmp_path: Path) -> None:
    """The packages load names lazily (PEP 562 ``__getattr__``); a type checker that
    saw that hook would accept any name as ``Any``, and a typo would pass --strict."""
    (tmp_path / "user_module.py").write_text(
        "from shopify_storefront import Custmer\n"
        "import shopify_admin\n\n"
        "x: int = shopify_admin.NoSuchName\n\n\n"
        "def f(value: Custmer) -> None:\n"
        "    print(value)\n"
    )
    result = run_mypy(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Module "shopify_storefront" has no attribute "Custmer"' in result.stdout
    assert 'Module has no attribute "NoSuchName"' in result.stdout
