"""The Customer Account API through the tool: init, schema add, generate, check."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from shopify_codegen.download import resolve_source
from shopify_codegen.errors import CodegenError
from tests.conftest import ROOT, run_cli

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
