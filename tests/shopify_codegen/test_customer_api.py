"""The Customer Account API through the tool: init, schema add, generate, check."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from shopify_codegen.download import resolve_source
from shopify_codegen.errors import CodegenError
from tests.conftest import ROOT, copy_project, run_cli

SCHEMA = ROOT / "schema" / "customer" / "2026-04.json"


def test_a_customer_project_from_init_to_check(tmp_path: Path) -> None:
    root = str(tmp_path)
    code, _, err = run_cli(
        "--root", root, "init", "--api", "customer", "--version", "2026-04",
        "--package", "shop_customer",
    )  # fmt: skip
    assert code == 0, err
    table = tomllib.loads((tmp_path / "codegen.toml").read_text())["api"]["customer"]
    assert table["pinned_version"] == "2026-04"
    example = next((tmp_path / table["queries"]).glob("*.graphql"))
    assert "query CustomerInfo" in example.read_text()
    code, _, err = run_cli(
        "--root", root, "schema", "add", "--api", "customer", "--version", "2026-04",
        "--file", str(SCHEMA), "--origin", "@shopify/hydrogen's customer-account.schema.json",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run_cli("--root", root, "generate")
    assert code == 0, err + out
    client = (tmp_path / "shop_customer" / "client.py").read_text()
    assert "def customer_info(" in client and 'api_version = "2026-04"' in client
    assert "CustomerBaseClient" in (tmp_path / "shop_customer" / "base_client.py").read_text()
    code, out, err = run_cli("--root", root, "check")
    assert code == 0, err + out


def test_the_introspection_proxy_is_not_offered_for_customer() -> None:
    with pytest.raises(CodegenError, match="proxy does not serve the customer API"):
        resolve_source("customer", "2026-04", proxy=True)


def test_download_from_a_shop_id_names_shopify_com(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPIFY_CUSTOMER_TOKEN", "shcat_abc")
    source = resolve_source("customer", "2026-04", shop="12345")
    assert source.url == "https://shopify.com/12345/account/customer/api/2026-04/graphql"
    assert source.headers["Authorization"] == "shcat_abc"
    assert "shcat_abc" not in repr(source)
    with pytest.raises(CodegenError, match="not a Shopify shop id"):
        resolve_source("customer", "2026-04", shop="your-store.myshopify.com")


def test_check_remote_skips_customer_without_its_shop_id_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled drift check has no proxy for this API: a note, not a crash."""
    from shopify_codegen import download
    from tests.conftest import copy_project
    from tests.shopify_codegen.introspection_server import IntrospectionServer

    project = copy_project(tmp_path / "project", apis=("storefront", "customer"))
    monkeypatch.delenv("SHOPIFY_SHOP", raising=False)
    monkeypatch.delenv("SHOPIFY_CUSTOMER_SHOP_ID", raising=False)
    server = IntrospectionServer(ROOT / "schema" / "storefront" / "2024-10.json")
    with server.running():
        monkeypatch.setattr(download, "PROXY_URL", server.url)
        summary = tmp_path / "summary.md"
        code, out, err = run_cli(
            "--root", str(project), "check", "--remote", "--summary", str(summary)
        )  # fmt: skip
    assert code == 0, err + out
    assert "customer (customer 2026-04) not checked" in out
    assert "SHOPIFY_CUSTOMER_SHOP_ID" in summary.read_text()
    assert "storefront@2024-10 (committed)" in out


def test_schema_diff_names_the_customer_operation_a_change_breaks(tmp_path: Path) -> None:
    sdl = (ROOT / "schema" / "customer" / "2026-04.graphql").read_text()
    start = sdl.index("type Order implements")
    changed = tmp_path / "live.graphql"
    changed.write_text(
        sdl[:start] + sdl[start:].replace("  processedAt: DateTime!", "  processedOn: DateTime!", 1)
    )
    project = copy_project(tmp_path / "project", apis=("customer",))
    code, out, err = run_cli(
        "--root", str(project), "schema", "diff", "customer@2026-04", str(changed),
        "--operations", str(project / "queries" / "customer"),
    )  # fmt: skip
    assert code == 1, err + out
    assert "CustomerOrders" in out and "BREAKS" in out
    assert "CustomerAddressCreate (" in out


def test_bump_moves_the_customer_package_to_a_new_version(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project", apis=("customer",))
    code, out, err = run_cli(
        "--root", str(project), "bump", "--api", "customer", "--version", "2026-07",
        "--schema-file", str(SCHEMA),
    )  # fmt: skip
    assert code == 0, err + out
    table = tomllib.loads((project / "codegen.toml").read_text())["api"]["customer"]
    assert table["pinned_version"] == "2026-07"
    client = (project / "generated" / "shopify_customer" / "client.py").read_text()
    assert 'api_version = "2026-07"' in client
