"""Cost-aware pacing of Admin calls: the shop's bucket never runs dry, whoever calls."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from shopify_admin import AsyncClient, Client
from shopify_client import ConfigurationError, QueryCost, QueryCostLimiter, ThrottledError
from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify, LeakyBucket
from shopify_storefront import Client as StorefrontClient
from tests.conftest import ROOT
from tests.shopify_client.conftest import fast_policy

EMPTY = {"products": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}


def cost(requested: float, available: float, actual: float | None = None) -> QueryCost:
    return QueryCost(
        requested=requested,
        actual=requested if actual is None else actual,
        maximum_available=1000.0,
        currently_available=available,
        restore_rate=100.0,
    )


# -- the model --------------------------------------------------------------------------


def test_the_first_call_goes_alone_until_its_answer_reports_the_bucket() -> None:
    limiter = QueryCostLimiter()
    first, wait = limiter.reserve("Products")
    assert first is not None and first.cost is None and first.alone and wait == 0
    assert limiter.reserve("Products") == (None, None)  # nothing else starts: only an
    assert limiter.reserve("Orders") == (None, None)  # answer can tell the bucket
    limiter.settle(first, cost(100, 900))
    assert limiter.known_costs == {"Products": 100}
    second, wait = limiter.reserve("Products")
    assert second is not None and second.cost == 100
    # Orders' cost is unknown: it reserves the most a query may cost, 1,000 points,
    # which is the whole bucket here: it waits until nothing is in flight
    assert limiter.reserve("Orders") == (None, None)
    limiter.settle(second, cost(100, 1000))  # it had the shop to itself: a full bucket
    orders, _ = limiter.reserve("Orders")
    assert orders is not None and orders.cost == 1000


def test_a_known_cost_waits_for_the_bucket_to_hold_it() -> None:
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Q")
    assert ticket is not None
    limiter.settle(ticket, cost(300, 350))
    granted, wait = limiter.reserve("Q")
    assert granted is not None and wait == 0  # 350 >= 300 (+ margin)
    limiter.settle(granted, cost(300, 50))
    refused, wait = limiter.reserve("Q")
    assert refused is None and wait is not None
    assert 2.4 < wait <= 2.52  # (300 + 1 - 50) points at 100 a second, give or take the clock


def test_an_older_higher_figure_does_not_raise_the_model() -> None:
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Q")
    assert ticket is not None
    limiter.settle(ticket, cost(100, 900))
    a, _ = limiter.reserve("Q")
    b, _ = limiter.reserve("Q")
    assert a is not None and b is not None and b.shared
    limiter.settle(b, cost(100, 700))  # b's answer says 700, minus a still in flight
    limiter.settle(a, cost(100, 800))  # a was processed first: its 800 is stale
    available = limiter.available
    assert available is not None and 600 <= available < 610  # refilling 100 a second


def test_a_full_bucket_does_not_refill_over_calls_still_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shopify takes a call's cost when the call reaches it: while a granted call is on
    its way, a full bucket stays full, and the model must not refill over it."""
    clock = [1000.0]
    monkeypatch.setattr("shopify_client._pacing.time.monotonic", lambda: clock[0])
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Q")
    assert ticket is not None
    limiter.settle(ticket, cost(300, 1000))  # alone: a full bucket of 1,000
    granted = [limiter.reserve("Q")[0] for _ in range(3)]  # 900 points on their way
    assert all(granted)
    clock[0] += 60.0  # a minute at 100 a second: Shopify's bucket is full, and they
    # have not reached it yet, so at most 1,000 - 900 can be granted on top of them
    available = limiter.available
    assert available is not None and available <= 100
    assert limiter.reserve("Q")[0] is None


def test_calls_in_flight_that_fill_the_bucket_make_others_poll_not_spin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While granted calls hold all but less than a call's cost of the bucket, no
    refill can grant another: the wait is a poll for their answers, not the few
    hundred microseconds the missing margin would take to refill (which had every
    waiting task spin while a slow answer was on its way)."""
    clock = [1000.0]
    monkeypatch.setattr("shopify_client._pacing.time.monotonic", lambda: clock[0])
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Q")
    assert ticket is not None
    limiter.settle(ticket, cost(100, 1000))
    in_flight = [limiter.reserve("Q")[0] for _ in range(9)]  # 900 on their way
    assert all(in_flight)
    clock[0] += 5.0  # the model is back at its ceiling, 1,000 - 900 = 100 < 100 + margin
    for _ in range(3):
        assert limiter.reserve("Q") == (None, None)  # only an answer can help
    first = in_flight[0]
    assert first is not None
    limiter.settle(first, cost(100, 900))
    clock[0] += 1.0
    assert limiter.reserve("Q")[0] is not None


def test_a_call_that_costs_the_whole_bucket_goes_once_the_bucket_is_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shopify runs a query whose cost equals the bucket's maximum on a full bucket;
    the model must grant it then, not wait for a point more than the bucket holds."""
    clock = [1000.0]
    monkeypatch.setattr("shopify_client._pacing.time.monotonic", lambda: clock[0])
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Big")
    assert ticket is not None
    limiter.settle(ticket, cost(1000, 0))
    refused, wait = limiter.reserve("Big")
    assert refused is None and wait == pytest.approx(10.0)  # 1,000 points at 100 a second
    assert wait is not None
    clock[0] += wait
    granted, wait = limiter.reserve("Big")
    assert granted is not None and wait == 0


def test_a_refund_and_an_unsent_call_give_points_back() -> None:
    limiter = QueryCostLimiter()
    ticket, _ = limiter.reserve("Q")
    assert ticket is not None
    limiter.settle(ticket, cost(400, 1000))
    a, _ = limiter.reserve("Q")
    b, _ = limiter.reserve("Q")
    assert a is not None and b is not None
    assert limiter.reserve("Q")[0] is None  # 200 left
    # Shopify charged a 400, refunded 380 and has not seen b yet: it reports 980
    limiter.settle(a, cost(400, 980, actual=20), sent=True)
    available = limiter.available
    assert available is not None and 580 <= available < 590
    limiter.settle(b, None, sent=False)  # never left: its 400 come back
    available = limiter.available
    assert available is not None and 980 <= available <= 1000


# -- against a shop that models the bucket ------------------------------------------------


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    bucket = LeakyBucket(maximum=1000, restore_rate=4000)
    with FakeShopify(schema_dir=ROOT / "schema", bucket=bucket) as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fake.set_cost("Products", 100)
        fake.answer("Products", EMPTY)
        yield fake


def test_many_concurrent_async_calls_never_meet_throttled(shop: FakeShopify) -> None:
    async def run() -> None:
        endpoint = shop.endpoint("admin", "2024-01")
        async with AsyncClient(endpoint=endpoint, access_token=ADMIN_TOKEN) as client:
            await asyncio.gather(*(client.products(first=1) for _ in range(120)))

    asyncio.run(run())  # a ThrottledError would fail the test
    assert shop.bucket.throttled == 0
    assert shop.executed["Products"] == 120 and shop.bucket.spent == 120 * 100


def test_threads_sharing_one_sync_client_never_meet_throttled(shop: FakeShopify) -> None:
    endpoint = shop.endpoint("admin", "2024-01")
    with (
        Client(endpoint=endpoint, access_token=ADMIN_TOKEN) as client,
        ThreadPoolExecutor(8) as pool,
    ):
        list(pool.map(lambda _: client.products(first=1), range(80)))
    assert shop.bucket.throttled == 0


def test_one_limiter_shared_by_a_sync_and_an_async_client(shop: FakeShopify) -> None:
    limiter = QueryCostLimiter()
    endpoint = shop.endpoint("admin", "2024-01")

    async def run() -> None:
        async with AsyncClient(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=limiter) as a:
            with Client(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=limiter) as s:
                assert a.pacing is limiter and s.pacing is limiter
                loop = asyncio.get_running_loop()
                with ThreadPoolExecutor(4) as pool:
                    sync_calls = [
                        loop.run_in_executor(pool, lambda: s.products(first=1)) for _ in range(40)
                    ]
                    await asyncio.gather(*(a.products(first=1) for _ in range(40)), *sync_calls)

    asyncio.run(run())
    assert shop.bucket.throttled == 0 and shop.executed["Products"] == 80


def test_without_pacing_the_same_load_is_throttled(shop: FakeShopify) -> None:
    async def run() -> int:
        endpoint = shop.endpoint("admin", "2024-01")
        failed = 0
        async with AsyncClient(
            endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=False, retry_policy=fast_policy()
        ) as client:
            assert client.pacing is None
            for result in await asyncio.gather(
                *(client.products(first=1) for _ in range(120)), return_exceptions=True
            ):
                failed += isinstance(result, ThrottledError)
        return failed

    asyncio.run(run())
    assert shop.bucket.throttled > 0  # what pacing spares Shopify


def test_pacing_is_an_admin_option_and_checked() -> None:
    with pytest.raises(ConfigurationError, match="pacing"):
        Client(shop="x.myshopify.com", access_token=ADMIN_TOKEN, pacing="yes")
    with pytest.raises(TypeError):
        StorefrontClient(shop="x.myshopify.com", access_token=STOREFRONT_TOKEN, pacing=True)  # type: ignore[call-arg]
    with StorefrontClient(shop="x.myshopify.com", access_token=STOREFRONT_TOKEN) as storefront:
        assert storefront.pacing is None
    with Client(shop="x.myshopify.com", access_token=ADMIN_TOKEN) as admin:
        assert isinstance(admin.pacing, QueryCostLimiter)
