"""The fake_shopify fixture, as an app's own pytest run sees it (pytest11 entry point)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shopify_client.testing import FakeShopify, MissingSchemaError
from tests.conftest import ROOT

APP_TEST = """
import httpx
import pytest

from shopify_client.testing import LeakyBucket


def test_answers_from_the_apps_schema(fake_shopify):
    url = fake_shopify.endpoint("storefront", "2024-10")
    answer = httpx.post(
        url,
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Storefront-Access-Token": fake_shopify.storefront_token},
    ).json()
    assert isinstance(answer["data"]["shop"]["name"], str)
    assert fake_shopify.bucket.maximum == 2000  # Shopify's Standard plan


@pytest.mark.fake_shopify(bucket=LeakyBucket.for_plan("plus"))
def test_a_marker_picks_a_faster_bucket(fake_shopify):
    assert fake_shopify.bucket.maximum > 2000
"""

CONFIG = """\
[project]
name = "app"
version = "0"

[tool.shopify-codegen]
schema_dir = "shopify/schema"

[tool.shopify-codegen.api.storefront]
pinned_version = "2024-10"
queries = "shopify/queries/storefront"
package = "app_storefront"
"""


def _app(tmp_path: Path, *, with_schema: bool) -> Path:
    app = tmp_path / "app"
    (app / "tests").mkdir(parents=True)
    (app / "pyproject.toml").write_text(CONFIG)
    (app / "tests" / "test_app.py").write_text(APP_TEST)
    if with_schema:
        (app / "shopify" / "schema" / "storefront").mkdir(parents=True)
        shutil.copy(
            ROOT / "schema" / "storefront" / "2024-10.json",
            app / "shopify" / "schema" / "storefront" / "2024-10.json",
        )
    return app


def _pytest(app: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=app,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_fixture_answers_from_the_apps_own_schemas(tmp_path: Path) -> None:
    done = _pytest(_app(tmp_path, with_schema=True))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_a_missing_schema_is_an_error_naming_the_version_and_the_folder(tmp_path: Path) -> None:
    app = _app(tmp_path, with_schema=False)
    (app / "shopify" / "schema").mkdir(parents=True)
    done = _pytest(app)
    assert done.returncode != 0
    assert "MissingSchemaError: FakeShopify has no storefront 2024-10 schema" in done.stdout
    assert str((app / "shopify" / "schema").resolve()) in done.stdout
    assert "shopify-codegen schema add --api storefront --version 2024-10" in done.stdout


def test_a_request_for_a_version_without_a_schema_is_named_after_the_test(
    tmp_path: Path,
) -> None:
    with FakeShopify(schema_dir=tmp_path) as fake:
        httpx.post(
            fake.endpoint("admin", "2026-04"),
            json={"query": "{ shop { name } }"},
            headers={"X-Shopify-Access-Token": fake.admin_token},
        )
        (missing,) = fake.missing_schemas()
    assert isinstance(missing, MissingSchemaError)
    assert (missing.api, missing.version, missing.schema_dir) == ("admin", "2026-04", tmp_path)
    assert f"no admin/2026-04.json in {tmp_path}" in str(missing)
    with FakeShopify(schema_dir=tmp_path) as fake, pytest.raises(MissingSchemaError):
        fake.require_schema("storefront", "2024-10")
