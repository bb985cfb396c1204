"""The generated bulk query ExportProducts (queries/admin_2026_04/bulk) end to end."""

from __future__ import annotations

import asyncio
import inspect
from decimal import Decimal

from shopify_admin_2026_04 import AsyncClient, Client
from shopify_admin_2026_04.export_products import (
    ExportProductsProductsEdgesNodeVariantsEdgesNode,
    ExportProductsRecord,
)
from shopify_client import BulkRun
from shopify_client.testing import ADMIN_TOKEN, FakeShopify

TRICKY = 'title:"snow \\"board\\"" \\ """ \n é 雪'


def client(fake: FakeShopify) -> Client:
    return Client(endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN)


def test_export_products_yields_typed_records_with_variant_lists() -> None:
    with FakeShopify() as fake:
        fake.bulk.roots, fake.bulk.children = 5, 3
        with client(fake) as shop:
            run = shop.export_products(query=TRICKY, poll_interval=0.001)
            assert isinstance(run, BulkRun)
            assert run.id.startswith("gid://shopify/BulkOperation/")
            records = list(run)
        operation = fake.bulk.operations[run.id]
        (start,) = [r.body for r in fake.requests if r.body and "bulkOperationRunQuery" in r.body["query"]]
    assert len(records) == 5
    for record in records:
        assert isinstance(record, ExportProductsRecord)
        assert len(record.variants) == 3
        assert all(isinstance(v, ExportProductsProductsEdgesNodeVariantsEdgesNode) for v in record.variants)
        assert all(isinstance(v.price, Decimal) for v in record.variants)
    # the variable reached the query text as a literal, exactly
    import graphql

    document = graphql.parse(operation.query)
    products = document.definitions[0].selection_set.selections[0]  # type: ignore[attr-defined]
    assert products.arguments[0].value.value == TRICKY
    assert start["variables"]["groupObjects"] is False  # the 2026-04 schema has it
    assert not operation.grouped


def test_unset_variable_leaves_the_argument_out_and_group_objects_can_be_asked() -> None:
    with FakeShopify() as fake, client(fake) as shop:
        run = shop.export_products(group_objects=True, poll_interval=0.001)
        operation = fake.bulk.operations[run.id]
        assert "query:" not in operation.query
        assert operation.grouped
        assert len(list(run)) == fake.bulk.roots


def test_resume_export_products_from_another_client() -> None:
    with FakeShopify() as fake:
        with client(fake) as first:
            operation_id = first.export_products(poll_interval=0.001).id
        with client(fake) as second:
            run = second.resume_export_products(operation_id, poll_interval=0.001)
            records = list(run)
    assert len(records) == fake.bulk.roots
    assert len({r.id for r in records}) == len(records)


def test_async_export_products() -> None:
    async def main(fake: FakeShopify) -> list[ExportProductsRecord]:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as shop:
            run = await shop.export_products(query="x", poll_interval=0.001)
            return [record async for record in run]

    with FakeShopify() as fake:
        records = asyncio.run(main(fake))
    assert len(records) == fake.bulk.roots and all(len(r.variants) == 3 for r in records)


def test_the_generated_signatures() -> None:
    start = inspect.signature(Client.export_products)
    assert list(start.parameters)[:3] == ["self", "query", "group_objects"]
    assert start.parameters["group_objects"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(Client.resume_export_products).parameters)[:2] == [
        "self",
        "operation_id",
    ]
    assert inspect.iscoroutinefunction(AsyncClient.export_products)
