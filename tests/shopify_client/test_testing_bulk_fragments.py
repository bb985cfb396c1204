"""FakeShopify's bulk executor walks named fragment spreads and inline fragments on
types and interfaces, as Shopify's does: every field they select is in the JSONL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from shopify_client import BulkConnection, BulkQuery
from shopify_client.testing import FakeShopify

from .bulk_helpers import Product, client_for
from .test_bulk_run import FAST

DOCUMENT = """query ExportProducts {
  products {
    edges { node { ...ProductBits ... on Node { id } ... on Product { updatedAt } } }
  }
}
fragment ProductBits on Product { id ...Titled ...VariantList }
fragment Titled on Product { title }
fragment VariantList on Product {
  variants { edges { node { ... on ProductVariant { id sku } price } } }
}"""

SPEC: BulkQuery[Product] = BulkQuery(
    name="ExportProducts",
    document=DOCUMENT,
    connections=(BulkConnection("variants", frozenset({"ProductVariant"})),),
    record=lambda: Product,
    group_objects_argument=True,
)


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 3
        shop.bulk.children = 2
        yield shop


def test_fields_through_named_and_inline_fragments_are_written(fake: FakeShopify) -> None:
    run = client_for(fake)._bulk_start(SPEC, {}, False, FAST)
    records = list(run)
    lines = [json.loads(line) for line in fake.bulk.operations[run.id].lines]
    roots = [line for line in lines if "__parentId" not in line]
    children = [line for line in lines if "__parentId" in line]
    assert len(roots) == 3 and len(children) == 6
    # named spreads (two levels deep), an inline fragment on an interface and on the type
    assert all({"id", "title", "updatedAt"} <= set(root) for root in roots)
    # the connection inside a named fragment is a connection: children are lines
    assert all({"id", "sku", "price"} <= set(child) for child in children)
    assert all("variants" not in root for root in roots)
    assert sorted(r.id for r in records) == sorted(root["id"] for root in roots)
    assert all(len(r.variants) == 2 and r.variants[0].price for r in records)
