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


# -- the bounds of a walk, through the generated helpers (issue 21, item 1) --------------

#: a scripted shop stops saying hasNextPage after this many pages, so that a helper
#: that would page for ever fails its test instead of hanging it
GIVE_UP = 60


def scripted(cursor: Any, *, items: int = 1) -> Any:
    """An override answering every page with ``items`` items and ``cursor(page, after)``,
    and hasNextPage true until GIVE_UP pages were asked for."""
    asked: list[str | None] = []

    def answer(variables: dict[str, Any]) -> dict[str, Any]:
        asked.append(variables.get("after"))
        nodes = [
            {"id": f"gid://shopify/Product/{len(asked) * 10 + i}", "title": "t", "handle": "h"}
            for i in range(items)
        ]
        connection = {
            "nodes": nodes,
            "edges": [{"cursor": "x", "node": node} for node in nodes],
            "pageInfo": {
                "hasNextPage": len(asked) < GIVE_UP,
                "endCursor": cursor(len(asked), variables.get("after")),
            },
        }
        return {"products": connection, "collection": {"products": connection}}

    answer.asked = asked  # type: ignore[attr-defined]
    return answer


SHAPES = [
    pytest.param("ByNodes", "iter_by_nodes", {}, "products", id="nodes"),
    pytest.param("ByEdges", "iter_by_edges", {"query": "q"}, "products", id="edges"),
    pytest.param("Nested", "iter_nested", {"handle": "h"}, "collection.products", id="nested"),
]
BAD_CURSORS = [
    pytest.param(lambda page, after: "A", "already sent", id="repeated"),
    pytest.param(lambda page, after: "B" if after == "A" else "A", "already sent", id="A-B-A"),
    pytest.param(lambda page, after: None, "no endCursor", id="null"),
]


def walk(module: Any, shop: FakeShopify, helper: str, args: dict[str, Any], **caps: Any) -> Any:
    """The items of one walk, sync and async (the same answers for both)."""
    endpoint = shop.endpoint("storefront", "2024-10")
    with module.Client(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
        return list(getattr(client, helper)(**args, **caps))


def walk_async(
    module: Any, shop: FakeShopify, helper: str, args: dict[str, Any], **caps: Any
) -> Any:
    import asyncio

    endpoint = shop.endpoint("storefront", "2024-10")

    async def collect() -> list[Any]:
        async with module.AsyncClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
            return [item async for item in getattr(client, helper)(**args, **caps)]

    return asyncio.run(collect())


FLAVOURS = [pytest.param(walk, id="sync"), pytest.param(walk_async, id="async")]


@pytest.mark.parametrize("run", FLAVOURS)
@pytest.mark.parametrize(("operation", "helper", "args", "where"), SHAPES)
@pytest.mark.parametrize(("cursor", "message"), BAD_CURSORS)
def test_a_bad_cursor_is_an_invalid_response_for_every_shape(
    package: Any,
    shop: FakeShopify,
    run: Any,
    operation: str,
    helper: str,
    args: dict[str, Any],
    where: str,
    cursor: Any,
    message: str,
) -> None:
    from shopify_client import InvalidResponseError

    module, _ = package
    answer = scripted(cursor)
    shop.answer(operation, answer)
    with pytest.raises(InvalidResponseError, match=message) as caught:
        run(module, shop, helper, args)
    assert caught.value.path == f"{where}.pageInfo.endCursor"
    assert len(answer.asked) <= 3  # not GIVE_UP: the walk stopped at the bad page
    assert operation in str(caught.value)


@pytest.mark.parametrize("run", FLAVOURS)
@pytest.mark.parametrize(("operation", "helper", "args", "where"), SHAPES)
def test_empty_pages_cannot_hold_the_caller_for_ever(
    package: Any,
    shop: FakeShopify,
    monkeypatch: pytest.MonkeyPatch,
    run: Any,
    operation: str,
    helper: str,
    args: dict[str, Any],
    where: str,
) -> None:
    from shopify_client import InvalidResponseError, _pages

    monkeypatch.setattr(_pages, "MAX_EMPTY_PAGES", 4)  # the real bound: tests/shopify_client
    module, _ = package
    answer = scripted(lambda page, after: f"c{page}", items=0)
    shop.answer(operation, answer)
    with pytest.raises(InvalidResponseError, match="in a row with no item"):
        run(module, shop, helper, args)
    assert len(answer.asked) == 4


@pytest.mark.parametrize("run", FLAVOURS)
def test_zero_caps_send_nothing_and_yield_nothing(
    package: Any, shop: FakeShopify, run: Any
) -> None:
    module, _ = package
    shop.answer("ByNodes", pages(3))
    for caps in ({"max_items": 0}, {"max_pages": 0}):
        assert run(module, shop, "iter_by_nodes", {}, **caps) == []
    assert shop.requests == []


@pytest.mark.parametrize("flavour", ["Client", "AsyncClient"])
@pytest.mark.parametrize(
    ("caps", "message"),
    [
        ({"max_pages": "2"}, "max_pages .* not str"),
        ({"max_items": 1.5}, "max_items .* not float"),
        ({"max_items": -1}, "max_items .* not -1"),
        ({"max_pages": -1}, "max_pages .* not -1"),
    ],
)
def test_bad_caps_fail_at_the_call_before_any_request(
    package: Any, shop: FakeShopify, flavour: str, caps: dict[str, Any], message: str
) -> None:
    from shopify_client import ShopifyError

    module, _ = package
    client = getattr(module, flavour)(
        endpoint=shop.endpoint("storefront", "2024-10"), access_token=STOREFRONT_TOKEN
    )
    with pytest.raises(ShopifyError, match=message) as caught:
        client.iter_by_nodes(**caps)  # not iterated: the call itself refuses
    assert isinstance(caught.value, TypeError | ValueError)
    assert shop.requests == []
