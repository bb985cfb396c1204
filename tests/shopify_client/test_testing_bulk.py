"""FakeShopify's bulk executor (``testing/_bulk.py``): the JSONL it makes, and that it
reads the schema once per selection, not once per node."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from shopify_client.testing import FakeShopify, _bulk

QUERY = """query Export {
  products {
    edges {
      node {
        __typename id title handle: title createdAt status
        seo { title }
        ... on Node { id }
        variants(first: 5) { nodes { id sku inventoryQuantity price } }
      }
    }
  }
}"""


@pytest.fixture(scope="module")
def schema() -> Iterator[Any]:
    with FakeShopify() as fake:
        yield fake.bulk._schemas.schema("admin", "2026-04")


def test_the_lines_are_shopifys_compact_json_in_file_order(schema: Any) -> None:
    lines = _bulk._order(_bulk._Executor(schema, 2, 2).run(QUERY), True, random.Random(7))
    first = "gid://shopify/Product/1"
    assert lines[:3] == [
        json.dumps(
            {
                "__typename": "Product",
                "id": first,
                "title": "title 1",
                "handle": "title 1",
                "createdAt": "2026-01-02T00:00:00Z",
                "status": "ACTIVE",
                "seo": {"title": "title 1"},
            },
            separators=(",", ":"),
        ),
        '{"id":"gid://shopify/ProductVariant/2","sku":"sku 2","inventoryQuantity":2,'
        f'"price":"2.00","__parentId":"{first}"}}',
        '{"id":"gid://shopify/ProductVariant/3","sku":"sku 3","inventoryQuantity":3,'
        f'"price":"3.00","__parentId":"{first}"}}',
    ]
    assert len(lines) == 6 and lines[3].startswith(
        '{"__typename":"Product","id":"gid://shopify/Product/4"'
    )


def test_the_schema_is_read_once_per_selection_not_once_per_node(
    schema: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 140,000-line file took 7.5 s when every node walked the schema again."""
    calls = 0
    walk = _bulk._Executor._connection_node

    def counted(self: Any, graphql_type: Any, field_node: Any) -> Any:
        nonlocal calls
        calls += 1
        return walk(self, graphql_type, field_node)

    monkeypatch.setattr(_bulk._Executor, "_connection_node", counted)
    seen = []
    for roots in (3, 300):
        calls = 0
        lines = _bulk._Executor(schema, roots, 4).run(QUERY)
        assert len(lines) == roots
        seen.append(calls)
    assert seen[0] == seen[1], seen
