"""A user's modules type-check from outside the project: plain mypy --strict and pyright.

Two ways a user's code meets generated clients, both in a folder outside the project:

* the installed clients: setuptools' editable install maps packages through an import
  hook that only the interpreter runs; type checkers read path entries, so without the
  Makefile's path file a user's module sees ``import-not-found`` (and with
  ``ignore_missing_imports`` every client silently becomes ``Any``);
* the app's own package (``myapp.shopify_admin``), here the conformance corpus's
  generated packages copied in: inputs are built with their Python names
  (``MetafieldsSetInput(owner_id=...)``), which type checkers accept only because the
  generated fields carry ``validation_alias``/``serialization_alias`` rather than
  ``alias`` (pydantic's ``dataclass_transform`` names the ``__init__`` parameter after
  ``alias``).

No pydantic mypy plugin, no configuration but pyright's strict mode. pyright is
basedpyright's build of it: it ships Node.js as a wheel and runs offline. One run per
checker covers every module; ``broken.py`` holds deliberate errors, each of which must be
reported (with ``Any`` everywhere they would all pass).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "conformance" / "expected"

INSTALLED_CLIENTS = """\
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

# The app's own generated packages, with inputs whose GraphQL names are camelCase.
APP_MODULE = """\
from typing import assert_type

from myapp.shopify_admin import Client, MetafieldsSet, MetafieldsSetInput
from myapp.shopify_storefront import AsyncClient, CartInput, CartLineInput, CartLinesAdd


def stock_metafield(product_id: str, stock: int) -> MetafieldsSetInput:
    return MetafieldsSetInput(
        owner_id=product_id, key="stock", namespace="app", type_="number_integer", value=str(stock)
    )


def set_stock(client: Client, product_id: str) -> MetafieldsSet:
    result = client.metafields_set(metafields=[stock_metafield(product_id, 3)])
    assert_type(result, MetafieldsSet)
    owner: str = stock_metafield(product_id, 3).owner_id
    print(owner)
    return result


async def add_line(client: AsyncClient, cart_id: str, variant_id: str) -> CartLinesAdd:
    line = CartLineInput(merchandise_id=variant_id, quantity=2)
    print(CartInput(lines=[line], discount_codes=["SPRING"]))
    return await client.cart_lines_add(cart_id=cart_id, lines=[line])
"""

# Each line marked `# expect: WORD` must draw an error that names WORD.
BROKEN = """\
import shopify_admin
from myapp.shopify_admin import MetafieldsSetInput
from shopify_storefront import Client
from shopify_storefront import Custmer  # expect: Custmer


def broken(client: Client) -> int:
    return client.customer(customer_access_token="t")  # expect: Customer


x: int = shopify_admin.NoSuchName  # expect: NoSuchName


def by_graphql_name(product_id: str) -> MetafieldsSetInput:
    return MetafieldsSetInput(ownerId=product_id, key="k", value="1")  # expect: ownerId


def wrong_type(value: MetafieldsSetInput) -> int:
    return value.owner_id  # expect: str


def uses(value: Custmer) -> None:
    print(value)
"""

MODULES = {"installed_clients.py": INSTALLED_CLIENTS, "app_module.py": APP_MODULE}


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int  # 1-based
    message: str


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"MYPYPATH", "PYTHONPATH"}}


def _tool(name: str) -> str:
    """The venv's own ``name`` (.venv/bin/<name>, or Scripts\\<name>.exe on Windows)."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found is not None, f"{name} is not installed beside {sys.executable}"
    return found


def run_mypy(folder: Path) -> list[Diagnostic]:
    done = subprocess.run(
        [_tool("mypy"), "--strict", "--no-incremental", *MODULES, "broken.py"],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    found = []
    for line in done.stdout.splitlines():
        match = re.match(r"(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*)", line)
        if match:
            found.append(Diagnostic(match["file"], int(match["line"]), match["message"]))
    assert found or done.returncode == 0, done.stdout + done.stderr
    return found


def run_pyright(folder: Path) -> list[Diagnostic]:
    (folder / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "strict"}))
    done = subprocess.run(
        [
            _tool("basedpyright"),
            "--outputjson",
            "--pythonpath",
            sys.executable,
            *MODULES,
            "broken.py",
        ],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    report = json.loads(done.stdout)
    return [
        Diagnostic(
            Path(d["file"]).name, d["range"]["start"]["line"] + 1, d["message"].split("\n")[0]
        )
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]


CHECKERS = {"mypy": run_mypy, "pyright": run_pyright}


@pytest.fixture(scope="module")
def user_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("user_app")
    assert not folder.resolve().is_relative_to(ROOT.resolve())
    app = folder / "myapp"
    app.mkdir()
    (app / "__init__.py").write_text("")
    for api in ("admin", "storefront"):
        shutil.copytree(
            CORPUS / f"corpus_{api}",
            app / f"shopify_{api}",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    for name, text in MODULES.items():
        (folder / name).write_text(text)
    (folder / "broken.py").write_text(BROKEN)
    return folder


@pytest.fixture(scope="module")
def checked(user_folder: Path) -> dict[str, list[Diagnostic]]:
    """Each checker's errors over the user's folder (one run each)."""
    return {name: run(user_folder) for name, run in CHECKERS.items()}


@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_the_users_modules_type_check(checker: str, checked: dict[str, list[Diagnostic]]) -> None:
    """Installed clients, and the app's own aliased inputs built by Python name."""
    diagnostics = checked[checker]
    assert [d for d in diagnostics if d.file != "broken.py"] == []


@pytest.mark.parametrize("checker", sorted(CHECKERS))
def test_each_deliberate_error_is_reported(
    checker: str, checked: dict[str, list[Diagnostic]]
) -> None:
    diagnostics = checked[checker]
    expected = {
        number: line.rsplit("# expect: ", 1)[1]
        for number, line in enumerate(BROKEN.splitlines(), start=1)
        if "# expect: " in line
    }
    broken = [d for d in diagnostics if d.file == "broken.py"]
    for number, word in expected.items():
        on_line = [d.message for d in broken if d.line == number]
        assert any(word in message for message in on_line), (number, word, broken)
    # nothing reported through import-not-found (which would mean Any everywhere)
    assert not [
        d
        for d in diagnostics
        if "import-not-found" in d.message or "could not be resolved" in d.message
    ]


def test_mypy_names_each_error_as_a_user_would_read_it(
    checked: dict[str, list[Diagnostic]],
) -> None:
    """The exact wording for three of them, and no other error (mypy is not strict
    about an unknown import's later uses, so each error stands alone)."""
    diagnostics = checked["mypy"]
    messages = {d.line: d.message for d in diagnostics}
    assert (
        messages[8]
        == 'Incompatible return value type (got "Customer", expected "int")  [return-value]'
    )
    assert messages[4].startswith('Module "shopify_storefront" has no attribute "Custmer"')
    assert messages[15].startswith('Unexpected keyword argument "ownerId" for "MetafieldsSetInput"')
    assert sorted({d.line for d in diagnostics}) == [4, 8, 11, 15, 19]
