"""The user's journey, end to end, in a fresh folder outside this repository.

``pip install '<this project>[codegen]'`` into a new virtual environment, then, with
nothing copied from this repository but one schema file: ``init`` in the app's
own pyproject.toml, ``schema add``, an operation of the app's own, ``generate``
into the app's dotted package, a typed call in the app's own test against the
``fake_shopify`` fixture (run by the app's pytest), plain ``mypy --strict`` on the
app's module, and a green ``check``.

The install resolves the dependencies from PyPI as a user's would (pip's cache
makes it quick after the first run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

USER_APP = FIXTURES / "user_app"
SCHEMA = ROOT / "schema" / "storefront" / "2024-10.json"

APP_MODULE = '''\
"""The app's own code, typed against its generated client."""

from decimal import Decimal

from myapp.shopify_storefront import Client, CustomerAccessTokenCreateInput


def shop_name(client: Client) -> str:
    return client.shop_name().shop.name


def login_input(email: str, password: str) -> CustomerAccessTokenCreateInput:
    return CustomerAccessTokenCreateInput(email=email, password=password)


TOTAL: Decimal = Decimal("1.00")
'''

LOGIN = """\
mutation Login($input: CustomerAccessTokenCreateInput!) {
  customerAccessTokenCreate(input: $input) {
    customerAccessToken { accessToken expiresAt }
    customerUserErrors { code field message }
  }
}
"""


def _run(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_a_fresh_app_goes_from_pip_install_to_a_typed_call_and_a_green_check(
    tmp_path: Path,
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # The wheel this repository builds, installed as a user installs it.
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(ROOT)],
        cwd=tmp_path, env=env,
    )  # fmt: skip
    (wheel,) = dist.glob("*.whl")
    _run([str(python), "-m", "pip", "install", "-q", f"{wheel}[codegen]", "pytest"], tmp_path, env)

    app = tmp_path / "myapp-project"
    app.mkdir()
    shutil.copy(USER_APP / "pyproject.toml", app / "pyproject.toml")
    (app / "myapp").mkdir()
    (app / "myapp" / "__init__.py").write_text("")
    cli = str(env_dir / "bin" / "shopify-codegen")
    _run(
        [cli, "init", "--api", "storefront", "--version", "2024-10",
         "--package", "myapp.shopify_storefront"],
        app, env,
    )  # fmt: skip
    schema_copy = tmp_path / "downloads" / "storefront-2024-10.json"
    schema_copy.parent.mkdir()
    shutil.copy(SCHEMA, schema_copy)  # the one thing taken from this repository
    _run(
        [cli, "schema", "add", "--api", "storefront", "--version", "2024-10",
         "--file", str(schema_copy)],
        app, env,
    )  # fmt: skip
    queries = app / "shopify" / "queries" / "storefront"
    shutil.copy(USER_APP / "shop_name.graphql", queries / "shop_name.graphql")
    (queries / "login.graphql").write_text(LOGIN)
    _run([cli, "generate"], app, env)
    (app / "myapp" / "shop.py").write_text(APP_MODULE)
    (app / "tests").mkdir()
    shutil.copy(USER_APP / "test_shop.py.in", app / "tests" / "test_shop.py")

    # The app's tests, with the fixture from the installed distribution's plugin.
    tests = _run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], app, env)
    assert "1 passed" in tests.stdout

    # Plain mypy --strict (no pydantic plugin) on the app, against the installed
    # packages: snake_case input fields type-check.
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent))
    assert mypy is not None
    typed = _run(
        [mypy, "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "mypy-cache"),
         "--python-executable", str(python), "myapp/shop.py"],
        app, env,
    )  # fmt: skip
    assert "Success" in typed.stdout

    check = _run([cli, "check"], app, env)
    assert "check: OK" in check.stdout
    # The CLI wrote only where the README says: the config, the queries folder,
    # .gitignore, the schema folder, the generated package and its own git-ignored
    # .shopify-codegen/ (check's recorded hashes); tests/ is the app's own.
    written = {p.relative_to(app).parts[0] for p in app.iterdir()}
    assert written == {
        "pyproject.toml",
        ".gitignore",
        "shopify",
        "myapp",
        "tests",
        ".shopify-codegen",
    }
