"""with_response / with_response_async: each call's own response, however many run at once."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import assert_type

import pytest

from shopify_admin import AsyncClient, Client, Products
from shopify_client import CallResult, with_response, with_response_async
from shopify_client.testing import ADMIN_TOKEN, FakeShopify, query_cost
from tests.conftest import ROOT

QUERY = (ROOT / "queries" / "admin" / "products.graphql").read_text()


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(schema_dir=ROOT / "schema") as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield fake


def test_sync_result_comes_with_its_own_response(shop: FakeShopify) -> None:
    endpoint = shop.endpoint("admin", "2024-01")
    with Client(endpoint=endpoint, access_token=ADMIN_TOKEN) as client:
        page = with_response(client.products, first=3)
        assert_type(page, CallResult[Products])
        assert isinstance(page.result, Products)
        assert page.attempts == 1 and page.api_version == "2024-01"
        assert page.cost is not None and page.cost.requested == query_cost(QUERY, {"first": 3})
        assert page.request_id
        other = with_response(client.products, first=5)
    assert other.request_id != page.request_id
    assert other.cost is not None and other.cost.requested == query_cost(QUERY, {"first": 5})


def test_concurrent_tasks_each_get_their_own(shop: FakeShopify) -> None:
    endpoint = shop.endpoint("admin", "2024-01")

    async def run() -> list[CallResult[Products]]:
        async with AsyncClient(endpoint=endpoint, access_token=ADMIN_TOKEN) as client:
            await client.products(first=1)  # learn the cost: then calls overlap
            return await asyncio.gather(
                *(with_response_async(client.products, first=n) for n in range(1, 21))
            )

    results = asyncio.run(run())
    # the cost grows with first=n: each result carries the cost of its own call
    assert [r.cost.requested if r.cost else None for r in results] == [
        query_cost(QUERY, {"first": n}) for n in range(1, 21)
    ]
    assert len({r.request_id for r in results}) == 20


def test_threads_each_get_their_own(shop: FakeShopify) -> None:
    endpoint = shop.endpoint("admin", "2024-01")
    with (
        Client(endpoint=endpoint, access_token=ADMIN_TOKEN) as client,
        ThreadPoolExecutor(6) as pool,
    ):
        results = list(pool.map(lambda n: with_response(client.products, first=n), range(1, 13)))
    assert [r.cost.requested if r.cost else None for r in results] == [
        query_cost(QUERY, {"first": n}) for n in range(1, 13)
    ]


def test_a_callable_that_makes_no_call_is_refused() -> None:
    with pytest.raises(TypeError, match="not a generated client method"):
        with_response(len, [1, 2])
