"""The generated bulk mutation ImportProducts (queries/admin_2026_04/bulk) end to end."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from shopify_admin_2026_04 import AsyncClient, Client, ImportProducts, ImportProductsVariables
from shopify_admin_2026_04.input_types import ProductCreateInput
from shopify_client import BulkMutationResult, BulkMutationRun
from shopify_client.testing import ADMIN_TOKEN, FakeShopify


def echo(variables: dict[str, Any]) -> dict[str, Any]:
    return {"productCreate": {"product": {"title": variables["product"]["title"]}}}


def client(fake: FakeShopify) -> Client:
    return Client(endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN)


def items(count: int) -> list[ImportProductsVariables]:
    return [
        ImportProductsVariables(product=ProductCreateInput(title=f"Snow \"board\" {i} é"))
        for i in range(count)
    ]


def test_import_products_gives_typed_results_in_input_order() -> None:
    with FakeShopify() as fake:
        fake.answer("ImportProducts", echo)
        with client(fake) as shop:
            run = shop.import_products(iter(items(12)), poll_interval=0.001, max_file_bytes=400)
            assert isinstance(run, BulkMutationRun)
            results = list(run)
            resumed = shop.resume_import_products(run.ids, run.part_lines, poll_interval=0.001)
            again = [r.line for r in resumed]
        sent = [
            json.loads(line)
            for upload in fake.bulk.mutations.uploads.values()
            if upload.path is not None
            for line in upload.path.read_text(encoding="utf-8").splitlines()
        ]
    assert len(run.ids) > 1
    assert [r.line for r in results] == list(range(12)) == again
    for result in results:
        assert isinstance(result, BulkMutationResult)
        assert isinstance(result.data, ImportProducts)
        assert result.data.product_create is not None
        assert result.data.product_create.product is not None
        assert result.data.product_create.product.title == f'Snow "board" {result.line} é'
    # unset fields of ProductCreateInput are left out of each line
    assert sent[0] == {"product": {"title": 'Snow "board" 0 é'}}


def test_async_import_products() -> None:
    async def main() -> list[int]:
        with FakeShopify() as fake:
            fake.answer("ImportProducts", echo)
            async with AsyncClient(
                endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
            ) as shop:
                run = await shop.import_products(items(5), poll_interval=0.001)
                return [r.line async for r in run]

    assert asyncio.run(main()) == list(range(5))
