"""The limiter's cost estimates are keyed by operation and variables' shape (issue 21,
item 11): a larger call is never estimated from a smaller one."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import warnings
from collections.abc import Iterator

import pytest

from shopify_admin import AsyncClient, ProductSortKeys, StorefrontAccessTokenInput
from shopify_client import QueryCost, QueryCostLimiter, ThrottledError
from shopify_client._costs import MAX_SIZES, MAX_SKELETONS, CostTable, cost_key
from shopify_client._variables import UNSET
from shopify_client.testing import ADMIN_TOKEN, FakeShopify, LeakyBucket
from tests.conftest import ROOT
from tests.shopify_client.conftest import fast_policy


def cost(requested: float, available: float = 1000.0) -> QueryCost:
    return QueryCost(requested, requested, 1000.0, available, 100.0)


# -- keys ---------------------------------------------------------------------------------


def test_sizes_make_the_key_and_strings_do_not() -> None:
    five = cost_key("Products", {"first": 5, "after": None, "query": "status:active"})
    more = cost_key("Products", {"first": 100, "after": "cursor-1", "query": "vendor:Acme"})
    assert five is not None and more is not None
    assert five[0] == more[0] == "Products"
    assert five[2] == (5,) and more[2] == (100,)
    # null and a string are different shapes (a cursor vs none); two cursors are not
    later = cost_key("Products", {"first": 100, "after": "cursor-2", "query": "x"})
    assert later == more and five[1] != more[1]


def test_unset_is_left_out_and_booleans_lists_models_count() -> None:
    assert cost_key("Q", {"first": UNSET, "sortKey": ProductSortKeys.TITLE}) == cost_key(
        "Q", {"sortKey": ProductSortKeys.ID}
    )
    with_images = cost_key("Q", {"withImages": True})
    without = cost_key("Q", {"withImages": False})
    assert with_images != without  # @include(if:) takes a part in or out
    assert with_images is not None and with_images[2] == ()
    ids = cost_key("Q", {"ids": ["gid://1", "gid://2", "gid://3"]})
    assert ids is not None and ids[2] == (3,)  # nodes(ids:) counts by length
    model = cost_key("Q", {"input": StorefrontAccessTokenInput(title="a")})
    same = cost_key("Q", {"input": StorefrontAccessTokenInput(title="b")})
    assert model == same and model != cost_key("Q", {"input": {"title": "a"}})
    others = cost_key(
        "Q", {"a": 1.5, "b": decimal.Decimal("2"), "c": dt.date(2024, 1, 1), "d": None}
    )
    assert others is not None and others[2] == ()


def test_variables_too_big_to_key_have_none() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(40):
        node["x"] = {}
        node = node["x"]  # type: ignore[assignment]
    assert cost_key("Q", deep) is None
    assert cost_key("Q", {f"v{i}": i for i in range(1000)}) is None
    assert cost_key("Q", {"ids": list(range(100_000))}) is not None  # a list counts whole


def test_an_estimate_is_a_larger_or_equal_call_of_the_same_shape() -> None:
    table = CostTable()
    small = cost_key("Products", {"first": 5})
    large = cost_key("Products", {"first": 100})
    middle = cost_key("Products", {"first": 50})
    larger = cost_key("Products", {"first": 250})
    assert small and large and middle and larger
    table.learn(small, 7)
    assert table.estimate(small) == 7
    assert table.estimate(large) is None  # never from the smaller call
    table.learn(large, 102)
    assert table.estimate(middle) == 102  # an upper bound
    assert table.estimate(larger) is None
    assert table.by_operation() == {"Products": 102}


def test_the_table_is_bounded() -> None:
    table = CostTable()
    for i in range(MAX_SKELETONS * 3):
        key = cost_key(f"Op{i}", {"first": 1})
        assert key is not None
        table.learn(key, 1)
    for size in range(MAX_SIZES * 3):
        key = cost_key("Products", {"first": size})
        assert key is not None
        table.learn(key, size)
    assert len(table._costs) <= MAX_SKELETONS
    assert all(len(sizes) <= MAX_SIZES for sizes in table._costs.values())
    assert len(table._by_operation) <= MAX_SKELETONS + 1


# -- the limiter --------------------------------------------------------------------------


def test_a_larger_call_reserves_at_least_its_cost() -> None:
    """One cost per operation name reserved 7 points for a call that costs 102."""
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Products", {"first": 5})
    assert ticket is not None
    limiter.settle(ticket, cost(7))
    small, _ = limiter.reserve("Products", {"first": 5})
    assert small is not None and small.cost == 7
    limiter.settle(small, cost(7))
    large, _ = limiter.reserve("Products", {"first": 100})
    assert large is None or (large.cost is not None and large.cost >= 102)


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    bucket = LeakyBucket(maximum=1000, restore_rate=4000)
    with FakeShopify(schema_dir=ROOT / "schema", bucket=bucket) as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield fake


def test_mixing_small_and_large_pages_meets_no_throttled(shop: FakeShopify) -> None:
    """Issue 21: first=5 and first=100 mixed gave 16 ThrottledErrors in 30 calls (no
    retries), with pacing on; FakeShopify counts cost from first= as Shopify does."""

    async def run() -> list[object]:
        endpoint = shop.endpoint("admin", "2024-01")
        async with AsyncClient(
            endpoint=endpoint, access_token=ADMIN_TOKEN, retry_policy=fast_policy(0)
        ) as client:
            await client.products(first=5)  # the small call's cost is learned first
            calls = (client.products(first=n) for n in [5, 100] * 15)
            return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(run())
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert shop.bucket.throttled == 0
    assert not any(isinstance(r, ThrottledError) for r in results)


def test_one_operation_name_with_two_documents_is_two_costs(shop: FakeShopify) -> None:
    """execute() (or two generated packages) may send one operation name with other
    documents: first: 5 and first: 100 as literals, with no variables at all."""
    small = "query Products { products(first: 5) { edges { node { id } } } }"
    large = "query Products { products(first: 100) { edges { node { id } } } }"

    async def run() -> list[object]:
        endpoint = shop.endpoint("admin", "2024-01")
        async with AsyncClient(
            endpoint=endpoint, access_token=ADMIN_TOKEN, retry_policy=fast_policy(0)
        ) as client:
            await client.execute(small, "Products")
            calls = (client.execute(q, "Products") for q in [small, large] * 15)
            return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(run())
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert shop.bucket.throttled == 0


def test_the_document_is_part_of_the_key() -> None:
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Products", document="query A")
    assert ticket is not None
    limiter.settle(ticket, cost(7))
    again, _ = limiter.reserve("Products", document="query A")
    assert again is not None and again.cost == 7
    limiter.settle(again, cost(7))
    other, _ = limiter.reserve("Products", document="query B")
    assert other is None or (other.cost is not None and other.cost >= 1000)
