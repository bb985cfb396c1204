"""Pacing over Redis: one shop's bucket model shared by every process (issue 24).

Every limiter here stands for a process of its own: limiters share nothing but the
real redis-server the ``redis_url`` fixture runs.
"""

from __future__ import annotations

import asyncio
import sys
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from shopify_admin import AsyncClient, Client
from shopify_client import (
    ConfigurationError,
    QueryCost,
    QueryCostLimiter,
    ThrottledError,
)
from shopify_client._pacing import Ticket
from shopify_client._redis_pacing import RedisQueryCostLimiter, app_id
from shopify_client.testing import ADMIN_TOKEN, FakeShopify, LeakyBucket
from tests.conftest import ROOT
from tests.shopify_client.conftest import fast_policy

EMPTY = {"products": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}
SHOP = "https://x.myshopify.com/admin/api/2024-01/graphql.json"


def cost(requested: float, available: float, actual: float | None = None) -> QueryCost:
    return QueryCost(
        requested=requested,
        actual=requested if actual is None else actual,
        maximum_available=1000.0,
        currently_available=available,
        restore_rate=100.0,
    )


def limiter(url: str, token: str = ADMIN_TOKEN) -> RedisQueryCostLimiter:
    made = RedisQueryCostLimiter(url, access_token=token)
    made.bind(SHOP)
    return made


def settle_now(
    limiter: RedisQueryCostLimiter,
    ticket: Ticket,
    figures: QueryCost | None,
    *,
    sent: bool = True,
) -> None:
    """Settle, and send it at once: a settle is kept for the limiter's next command
    (or SETTLE_DELAY), and these tests look from another limiter, or at Redis, now."""
    limiter.settle(ticket, figures, sent=sent)
    limiter.flush()


def available(url: str) -> float:
    with redis.Redis.from_url(url) as client:
        (key,) = client.keys("*:bucket")
        return float(client.hget(key, "av") or "nan")


# -- the model, shared ------------------------------------------------------------------


def test_the_first_call_goes_alone_in_every_process_until_its_answer(redis_url: str) -> None:
    one, two = limiter(redis_url), limiter(redis_url)
    first, wait = one.reserve("Products")
    assert first is not None and first.cost is None and first.alone and wait == 0
    assert two.reserve("Products") == (None, None)  # the other process waits too
    settle_now(one, first, cost(100, 900))
    second, _ = two.reserve("Products")  # the cost one learned, two knows
    assert second is not None and second.cost == 100
    assert two.reserve("Orders") == (None, None)  # unknown: 1,000, the whole bucket
    settle_now(two, second, cost(100, 1000))  # it had the shop to itself: a full bucket
    orders, _ = one.reserve("Orders")
    assert orders is not None and orders.cost == 1000


def test_a_known_cost_waits_for_the_shared_bucket(redis_url: str) -> None:
    one, two = limiter(redis_url), limiter(redis_url)
    ticket, _ = one.reserve("Q")
    assert ticket is not None
    settle_now(one, ticket, cost(300, 350))
    granted, wait = two.reserve("Q")
    assert granted is not None and wait == 0
    settle_now(two, granted, cost(300, 50))
    refused, wait = one.reserve("Q")
    assert refused is None and wait is not None
    assert 2.4 < wait <= 2.52  # (300 + 1 - 50) points at 100 a second


def test_an_older_higher_figure_from_another_process_does_not_raise_the_model(
    redis_url: str,
) -> None:
    one, two = limiter(redis_url), limiter(redis_url)
    ticket, _ = one.reserve("Q")
    assert ticket is not None
    settle_now(one, ticket, cost(100, 900))
    a, _ = one.reserve("Q")
    b, _ = two.reserve("Q")
    assert a is not None and b is not None and b.shared
    settle_now(two, b, cost(100, 700))  # b's answer says 700, minus a still in flight
    settle_now(one, a, cost(100, 800))  # a was processed first: its 800 is stale
    assert 600 <= available(redis_url) < 610


def test_refunds_and_unsent_calls_give_points_back_to_every_process(redis_url: str) -> None:
    one, two = limiter(redis_url), limiter(redis_url)
    ticket, _ = one.reserve("Q")
    assert ticket is not None
    settle_now(one, ticket, cost(400, 1000))
    a, _ = one.reserve("Q")
    b, _ = two.reserve("Q")
    assert a is not None and b is not None
    assert one.reserve("Q")[0] is None  # 200 left
    settle_now(one, a, cost(400, 980, actual=20))  # refunded 380; b not seen yet
    assert 580 <= available(redis_url) < 590
    settle_now(two, b, None, sent=False)  # never left: its 400 come back
    assert 980 <= available(redis_url) <= 1000


def test_costs_are_learned_by_the_shape_of_the_variables_across_processes(
    redis_url: str,
) -> None:
    one, two = limiter(redis_url), limiter(redis_url)
    ticket, _ = one.reserve("Products", {"first": 100})
    assert ticket is not None
    settle_now(one, ticket, cost(102, 1000))
    small, _ = two.reserve("Products", {"first": 5})  # covered by first: 100
    assert small is not None and small.cost == 102
    settle_now(two, small, cost(7, 1000))
    exact, _ = one.reserve("Products", {"first": 5})
    assert exact is not None and exact.cost == 7
    bigger, _ = two.reserve("Products", {"first": 250})  # nothing covers it: the most
    assert bigger is None


def test_hostile_figures_are_ignored(redis_url: str) -> None:
    one = limiter(redis_url)
    ticket, _ = one.reserve("Q")
    assert ticket is not None
    settle_now(one, ticket, cost(100, 900))
    for bad in (
        QueryCost(100.0, 100.0, 1000.0, 5000.0, 100.0),  # more available than the bucket
        QueryCost(100.0, 100.0, 1000.0, 900.0, 1e-7),  # a bucket refilling for centuries
        QueryCost(float("nan"), 100.0, 1000.0, float("nan"), 100.0),
    ):
        granted, _ = one.reserve("Q")
        assert granted is not None
        settle_now(one, granted, bad)
    assert available(redis_url) <= 1000
    granted, _ = one.reserve("Q")
    assert granted is not None and granted.cost == 100


def test_keys_name_the_shop_and_a_hash_of_the_token_and_expire(redis_url: str) -> None:
    one = limiter(redis_url)
    ticket, _ = one.reserve("Products", {"query": "secret-search", "first": 3})
    assert ticket is not None
    settle_now(one, ticket, cost(5, 995))
    with redis.Redis.from_url(redis_url) as client:
        keys = client.keys("*")
        assert keys and all(b"x.myshopify.com:443" in key for key in keys)
        assert all(app_id(ADMIN_TOKEN).encode() in key for key in keys)
        dump = b" ".join(keys)
        for key in keys:
            assert 0 < client.ttl(key) <= 3600  # unused, they go
            kind = client.type(key)
            if kind == b"hash":
                dump += b" ".join(b"%s=%s" % item for item in client.hgetall(key).items())
            elif kind == b"zset":
                dump += b" ".join(client.zrange(key, 0, -1))
    assert ADMIN_TOKEN.encode() not in dump and b"secret-search" not in dump


def test_another_token_is_another_bucket(redis_url: str) -> None:
    one, other = limiter(redis_url), limiter(redis_url, token="shpat_" + "b" * 32)
    first, _ = one.reserve("Q")
    assert first is not None and first.alone
    second, _ = other.reserve("Q")  # another app's bucket: its first call goes alone too
    assert second is not None and second.alone


def test_a_reservation_whose_process_died_is_freed_when_its_lease_ends(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shopify_client._redis_wire.CHORES_SECONDS", 0.0)  # every call
    dying = RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN, lease=0.2)
    dying.bind(SHOP)
    first, _ = dying.reserve("Q")
    assert first is not None  # never settled: its process died
    survivor = limiter(redis_url)
    assert survivor.reserve("Q") == (None, None)  # one in flight, bucket unknown
    time.sleep(0.3)  # the lease ends (on Redis's clock)
    granted, _ = survivor.reserve("Q")
    assert granted is not None and granted.alone


# -- clients: construction ----------------------------------------------------------------


def test_pacing_takes_a_url_or_a_client_object(redis_url: str) -> None:
    with Client(shop="x.myshopify.com", access_token=ADMIN_TOKEN, pacing=redis_url) as admin:
        assert isinstance(admin.pacing, RedisQueryCostLimiter) and admin.pacing.shared
        assert ADMIN_TOKEN not in repr(admin.pacing)
    sync_redis = redis.Redis.from_url(redis_url)
    with Client(shop="x.myshopify.com", access_token=ADMIN_TOKEN, pacing=sync_redis) as admin:
        assert isinstance(admin.pacing, RedisQueryCostLimiter)
    async_redis = redis.asyncio.Redis.from_url(redis_url)
    AsyncClient(shop="x.myshopify.com", access_token=ADMIN_TOKEN, pacing=async_redis)
    with pytest.raises(ConfigurationError, match=r"redis\.Redis or a Redis URL"):
        Client(shop="x.myshopify.com", access_token=ADMIN_TOKEN, pacing=async_redis)
    sync_redis.close()


def test_a_string_that_is_not_a_redis_url_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="Redis URL"):
        Client(shop="x.myshopify.com", access_token=ADMIN_TOKEN, pacing="localhost:6379")


def test_without_the_redis_package_the_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis raises ImportError
    with pytest.raises(ConfigurationError, match=r"shopify-graphql-typed\[redis\]") as caught:
        Client(shop="x.myshopify.com", access_token=ADMIN_TOKEN, pacing="redis://127.0.0.1/0")
    assert caught.value.__cause__ is None


def test_a_shared_redis_limiter_refuses_another_apps_client(redis_url: str) -> None:
    with Client(shop="x.myshopify.com", access_token=ADMIN_TOKEN, pacing=redis_url) as admin:
        shared = admin.pacing
        assert shared is not None
        with pytest.raises(ConfigurationError, match="another app"):
            Client(shop="x.myshopify.com", access_token="shpat_" + "c" * 32, pacing=shared)


# -- clients against a shop that models the bucket -------------------------------------------


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    # 4 workers x 15 calls of 100 points on a bucket of 1,000 restoring 500 a second
    bucket = LeakyBucket(maximum=1000, restore_rate=2000)
    with FakeShopify(schema_dir=ROOT / "schema", bucket=bucket) as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fake.set_cost("Products", 100)
        fake.answer("Products", EMPTY)
        yield fake


def _workers(shop: FakeShopify, pacing: list[object], calls: int, in_flight: int) -> int:
    """Each pacing value is one worker (its own client and limiter); THROTTLED errors."""
    endpoint = shop.endpoint("admin", "2024-01")

    def worker(value: object) -> int:
        failed = 0
        with (
            Client(
                endpoint=endpoint,
                access_token=ADMIN_TOKEN,
                pacing=value,  # type: ignore[arg-type]
                retry_policy=fast_policy(0),
            ) as client,
            ThreadPoolExecutor(in_flight) as pool,
        ):
            for outcome in pool.map(lambda _: _attempt(client), range(calls)):
                failed += outcome
        return failed

    with ThreadPoolExecutor(len(pacing)) as pool:
        return sum(pool.map(worker, pacing))


def _attempt(client: Client) -> int:
    try:
        client.products(first=1)
    except ThrottledError:
        return 1
    return 0


def test_workers_with_limiters_of_their_own_meet_throttled(shop: FakeShopify) -> None:
    """The issue's measure: each worker believes it has the bucket to itself."""
    failed = _workers(shop, [QueryCostLimiter() for _ in range(4)], calls=15, in_flight=5)
    assert shop.bucket.throttled > 0 and failed > 0


def test_workers_sharing_redis_never_meet_throttled(shop: FakeShopify, redis_url: str) -> None:
    failed = _workers(shop, [redis_url] * 4, calls=15, in_flight=5)
    assert failed == 0 and shop.bucket.throttled == 0
    assert shop.executed["Products"] == 60


def test_async_clients_sharing_redis_never_meet_throttled(
    shop: FakeShopify, redis_url: str
) -> None:
    endpoint = shop.endpoint("admin", "2024-01")

    async def worker() -> None:
        async with AsyncClient(
            endpoint=endpoint,
            access_token=ADMIN_TOKEN,
            pacing=redis_url,
            retry_policy=fast_policy(0),
        ) as client:
            await asyncio.gather(*(client.products(first=1) for _ in range(15)))

    async def run() -> None:
        await asyncio.gather(*(worker() for _ in range(4)))

    asyncio.run(run())  # a ThrottledError would fail the test
    assert shop.bucket.throttled == 0 and shop.executed["Products"] == 60


def test_sync_and_async_workers_share_one_bucket(shop: FakeShopify, redis_url: str) -> None:
    endpoint = shop.endpoint("admin", "2024-01")

    async def run() -> None:
        async with AsyncClient(
            endpoint=endpoint,
            access_token=ADMIN_TOKEN,
            pacing=redis_url,
            retry_policy=fast_policy(0),
        ) as client:
            await asyncio.gather(*(client.products(first=1) for _ in range(20)))

    with ThreadPoolExecutor(1) as pool:
        sync_side = pool.submit(_workers, shop, [redis_url, redis_url], 10, 4)
        asyncio.run(run())
        assert sync_side.result() == 0
    assert shop.bucket.throttled == 0 and shop.executed["Products"] == 40


def test_without_redis_server_the_tests_fail_naming_the_package() -> None:
    """CI runs these tests; a machine without the server fails them, never skips."""
    from shopify_client.testing.redis_server import RedisServer, RedisServerMissingError

    with pytest.raises(RedisServerMissingError, match="Debian package redis-server"):
        RedisServer(binary="no-such-redis-server")


def test_an_async_limiter_reloads_the_scripts_redis_lost(redis_url: str) -> None:
    """SCRIPT FLUSH (as a restart does): the next EVALSHA answers NOSCRIPT, the script
    is loaded again and the call stays shared, no fallback."""
    shared = limiter(redis_url)

    async def run() -> None:
        ticket = await shared.acquire_async("Products", {"first": 1})
        await shared.settle_async(ticket, cost(10, 990), answered=True)
        with redis.Redis.from_url(redis_url) as client:
            client.script_flush()
        ticket = await shared.acquire_async("Products", {"first": 1})
        await shared.settle_async(ticket, cost(10, 980), answered=True)

    asyncio.run(run())
    assert shared.failures == 0 and shared.shared
