"""Pagination helpers: which operations get ``iter_<method>``, and why the others do not."""

from __future__ import annotations

import dataclasses
import json
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from shopify_client import UnsupportedVersionWarning
from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify
from shopify_codegen.config import load_config
from shopify_codegen.generate import generate_package
from tests.conftest import ROOT, copy_project

FITS = {
    "by_nodes.graphql": """
query ByNodes($first: Int = 2, $after: String) {
  products(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id title }
  }
}""",
    "by_edges.graphql": """
query ByEdges($after: String, $query: String) {
  products(first: 2, after: $after, query: $query) {
    edges { cursor node { id handle } }
    pageInfo { endCursor hasNextPage }
  }
}""",
    "nested.graphql": """
query Nested($handle: String!, $after: String) {
  collection(handle: $handle) {
    id
    products(first: 2, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id }
    }
  }
}""",
}
MISFITS = {
    "no_page_info.graphql": (
        "query NoPageInfo($after: String) { products(first: 2, after: $after) { nodes { id } } }",
        "does not select pageInfo",
    ),
    "two_connections.graphql": (
        """query TwoConnections($after: String) {
  products(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } }
  collections(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } }
}""",
        "taken by several fields",
    ),
    "after_in_fragment.graphql": (
        """query InFragment($after: String) { ...Page }
fragment Page on QueryRoot {
  products(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } }
}""",
        "used inside a fragment",
    ),
    "required_after.graphql": (
        """query RequiredAfter($after: String!) {
  products(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } }
}""",
        "not a nullable String",
    ),
}


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # The operations live in a folder of their own inside a project (the tooling
    # reads no operations folder outside its project).
    project = copy_project(tmp_path_factory.mktemp("paged") / "project", apis=("storefront",))
    queries = project / "queries" / "paged"
    queries.mkdir()
    for name, text in FITS.items():
        (queries / name).write_text(text)
    for name, (text, _) in MISFITS.items():
        (queries / name).write_text(text)
    config = load_config(project)
    api = dataclasses.replace(config.api("storefront"), queries=queries, package="paged_storefront")
    target = tmp_path_factory.mktemp("out")
    generated = generate_package(config, api, target)
    sys.path.insert(0, str(target))
    try:
        import paged_storefront  # type: ignore[import-not-found]

        yield paged_storefront, dict(generated.pagination)
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.startswith("paged_storefront")]:
            del sys.modules[name]


def test_fitting_operations_get_a_helper_and_misfits_a_reason(package: Any) -> None:
    module, report = package
    assert report["ByNodes"] == "iter_by_nodes"
    assert report["ByEdges"] == "iter_by_edges"
    assert report["Nested"] == "iter_nested"
    for name, (_, reason) in MISFITS.items():
        operation = {
            "no_page_info.graphql": "NoPageInfo",
            "two_connections.graphql": "TwoConnections",
            "after_in_fragment.graphql": "InFragment",
            "required_after.graphql": "RequiredAfter",
        }[name]
        assert report[operation].startswith("no helper: "), operation
        assert reason in report[operation]
        assert not hasattr(module.Client, f"iter_{operation}")
    assert not any(n.startswith("iter_") and "page_info" in n for n in dir(module.Client))
    assert not hasattr(module.Client, "iter_no_page_info")
    assert not hasattr(module.AsyncClient, "iter_two_connections")


def pages(total: int) -> Any:
    """An operation override serving ``total`` pages of two items each."""

    def answer(variables: dict[str, Any]) -> dict[str, Any]:
        page = int(variables.get("after") or 0)
        items = [
            {"id": f"gid://shopify/Product/{page * 2 + i}", "title": "t", "handle": "h"}
            for i in range(2)
        ]
        connection = {
            "nodes": items,
            "edges": [{"cursor": str(page), "node": item} for item in items],
            "pageInfo": {"hasNextPage": page + 1 < total, "endCursor": str(page + 1)},
        }
        return {"products": connection, "collection": {"products": connection}}

    return answer


def ids(items: Any) -> list[str]:
    return [item.id.rsplit("/", 1)[1] for item in items]


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(schema_dir=ROOT / "schema") as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedVersionWarning)
        yield fake


def test_iterates_every_page_in_order_sync(package: Any, shop: FakeShopify) -> None:
    module, _ = package
    for operation in ("ByNodes", "ByEdges", "Nested"):
        shop.answer(operation, pages(3))
    endpoint = shop.endpoint("storefront", "2024-10")
    with module.Client(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
        assert ids(client.iter_by_nodes()) == ["0", "1", "2", "3", "4", "5"]
        assert ids(client.iter_by_edges(query="status:active")) == ["0", "1", "2", "3", "4", "5"]
        assert ids(client.iter_nested(handle="frontpage")) == ["0", "1", "2", "3", "4", "5"]
    sent = [
        r.body["variables"]
        for r in shop.requests
        if r.body and r.body.get("operationName") == "ByEdges"
    ]
    assert sent == [
        {"query": "status:active"},
        {"after": "1", "query": "status:active"},
        {"after": "2", "query": "status:active"},
    ]


def test_caps_stop_early(package: Any, shop: FakeShopify) -> None:
    module, _ = package
    shop.answer("ByNodes", pages(10))
    endpoint = shop.endpoint("storefront", "2024-10")
    with module.Client(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
        assert ids(client.iter_by_nodes(max_items=3)) == ["0", "1", "2"]
        before = len(shop.requests)
        assert ids(client.iter_by_nodes(max_pages=2)) == ["0", "1", "2", "3"]
        assert len(shop.requests) - before == 2


def test_async_helper_is_an_async_iterator(package: Any, shop: FakeShopify) -> None:
    import asyncio

    module, _ = package
    shop.answer("Nested", pages(2))
    endpoint = shop.endpoint("storefront", "2024-10")

    async def collect() -> list[str]:
        async with module.AsyncClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
            return ids([item async for item in client.iter_nested(handle="frontpage")])

    assert asyncio.run(collect()) == ["0", "1", "2", "3"]


def test_a_missing_connection_parent_ends_the_walk(package: Any, shop: FakeShopify) -> None:
    module, _ = package
    shop.answer("Nested", {"collection": None})
    endpoint = shop.endpoint("storefront", "2024-10")
    with module.Client(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
        assert list(client.iter_nested(handle="gone")) == []


def test_generate_json_reports_the_helpers_of_the_project() -> None:
    from tests.conftest import fixture_project, run_cli

    project = fixture_project()
    code, out, _ = run_cli("--root", str(project), "check", "--json")
    assert code == 0, out
    admin_products = (project / "generated" / "shopify_admin" / "client.py").read_text()
    assert "def iter_products(" in admin_products
    assert json.loads(out)["ok"] is True


def test_the_readme_admin_loop_type_checks_as_written() -> None:
    from shopify_admin import Client, ProductsProductsEdgesNode

    def titles(admin: Client) -> list[str]:
        out = []
        for product in admin.iter_products(first=250, query="status:active"):
            item: ProductsProductsEdgesNode = product  # mypy holds the item type
            out.append(item.title)
        return out

    with FakeShopify(schema_dir=ROOT / "schema") as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedVersionWarning)
        fake.answer("Products", pages(2))
        endpoint = fake.endpoint("admin", "2024-01")
        with Client(endpoint=endpoint, access_token=ADMIN_TOKEN) as admin:
            assert len(titles(admin)) == 4
