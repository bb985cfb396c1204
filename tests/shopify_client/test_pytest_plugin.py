"""The fake_shopify fixture, as an app's own pytest run sees it (pytest11 entry point)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shopify_client.testing import FakeShopify, MissingSchemaError, UnreadableSchemaError
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


def _pytest_from(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_fixture_finds_the_apps_config_when_pytest_runs_from_another_folder(
    tmp_path: Path,
) -> None:
    """`pytest /path/to/app/tests` from elsewhere: the config is found from the rootdir
    and the test file, not only from the working folder."""
    app = _app(tmp_path, with_schema=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = _pytest_from(elsewhere, "--rootdir", str(app), str(app / "tests"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    done = _pytest_from(elsewhere, str(app / "tests"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_config_anywhere_fails_at_set_up_naming_where_it_looked(tmp_path: Path) -> None:
    app = _app(tmp_path, with_schema=True)
    (app / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n')
    done = _pytest_from(app, "tests")
    assert done.returncode != 0
    assert "2 errors" in done.stdout, done.stdout
    assert "MissingSchemaError: FakeShopify has no schemas: no shopify-codegen config" in (
        done.stdout
    )
    assert str(app.resolve()) in done.stdout
    assert "GraphQLError" not in done.stdout


def test_an_html_schema_file_fails_at_set_up_naming_the_file(tmp_path: Path) -> None:
    app = _app(tmp_path, with_schema=True)
    schema = app / "shopify" / "schema" / "storefront" / "2024-10.json"
    schema.write_text("<!DOCTYPE html><html><body>Log in</body></html>")
    done = _pytest_from(app, "tests")
    assert done.returncode != 0
    assert "2 errors" in done.stdout, done.stdout
    assert "UnreadableSchemaError: FakeShopify cannot answer from the storefront 2024-10" in (
        done.stdout
    )
    assert "it looks like an HTML page" in done.stdout
    assert "RemoteProtocolError" not in done.stdout + done.stderr
    assert "JSONDecodeError" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("<html>proxy login</html>", "it looks like an HTML page"),
        ('{"data": {"__schema": ', "it is not JSON"),
        ('{"errors": [{"message": "Access denied"}]}', "not an introspection result"),
        ('{"__schema": {"types": []}}', "does not build a schema"),
    ],
)
def test_a_request_answered_from_an_unreadable_schema_is_an_error_body_not_a_crash(
    tmp_path: Path, content: str, reason: str
) -> None:
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "2026-04.json").write_text(content)
    with FakeShopify(schema_dir=tmp_path) as fake:
        answer = httpx.post(
            fake.endpoint("admin", "2026-04"),
            json={"query": "{ shop { name } }"},
            headers={"X-Shopify-Access-Token": fake.admin_token},
        )
        (broken,) = fake.missing_schemas()
        with pytest.raises(UnreadableSchemaError) as raised:
            fake.require_schema("admin", "2026-04")
    assert answer.status_code == 200
    (error,) = answer.json()["errors"]
    assert reason in error["message"]
    assert isinstance(broken, UnreadableSchemaError)
    assert isinstance(broken, MissingSchemaError)
    assert (broken.api, broken.version, broken.path) == (
        "admin",
        "2026-04",
        tmp_path / "admin" / "2026-04.json",
    )
    assert reason in str(raised.value)
    assert str(tmp_path / "admin" / "2026-04.json") in str(raised.value)


def test_the_fake_gives_each_apis_endpoint_and_refuses_an_unknown_one() -> None:
    with FakeShopify() as fake:
        customer = fake.endpoint("customer", "2026-04")
        assert customer == fake.customer.graphql_endpoint("2026-04")
        assert "/account/customer/api/2026-04/graphql" in customer
        assert fake.endpoint("admin", "2026-04").endswith("/admin/api/2026-04/graphql.json")
        with pytest.raises(ValueError, match="not 'customers'"):
            fake.endpoint("customers", "2026-04")  # type: ignore[arg-type]
