"""Pacing over Redis when Redis fails: unreachable, killed mid-run, frozen, restarted.

No call fails or hangs because of Redis: pacing goes in-process with one WARNING per
limiter and comes back when Redis does; a restarted Redis is rebuilt from the next
answers. These tests kill, freeze and restart the real redis-server under load.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from shopify_admin import AsyncClient, Client
from shopify_client import QueryCost
from shopify_client._redis_pacing import RedisQueryCostLimiter
from shopify_client.testing import ADMIN_TOKEN, FakeShopify, LeakyBucket
from shopify_client.testing.redis_server import RedisServer
from tests.conftest import ROOT
from tests.shopify_client.conftest import closed_port, fast_policy

EMPTY = {"products": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}
SHOP = "https://x.myshopify.com/admin/api/2024-01/graphql.json"
#: the longest any test here waits for the fake shop to reach a count of calls
PATIENCE = 60.0


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis is tried again 0.1 s after a failure (1 s by default)."""
    monkeypatch.setattr("shopify_client._redis_link.RETRY_SECONDS", 0.1)


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    bucket = LeakyBucket(maximum=1000, restore_rate=2000)
    with FakeShopify(schema_dir=ROOT / "schema", bucket=bucket) as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fake.set_cost("Products", 100)
        fake.answer("Products", EMPTY)
        yield fake


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "pacing: Redis" in r.getMessage()
    ]


def when(shop: FakeShopify, calls: int, action: Callable[[], None]) -> threading.Thread:
    """Run ``action`` once the shop has executed ``calls`` calls (or PATIENCE passed)."""

    def watch() -> None:
        deadline = time.monotonic() + PATIENCE
        while shop.executed.get("Products", 0) < calls and time.monotonic() < deadline:
            time.sleep(0.005)
        action()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_unreachable_at_start_paces_in_process_with_one_warning(
    shop: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"redis://127.0.0.1:{closed_port()}/0"
    endpoint = shop.endpoint("admin", "2024-01")
    with (
        caplog.at_level(logging.INFO, logger="shopify_client"),
        Client(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=url) as client,
        ThreadPoolExecutor(5) as pool,
    ):
        list(pool.map(lambda _: client.products(first=1), range(30)))
        limiter = client.pacing
        assert isinstance(limiter, RedisQueryCostLimiter)
        assert not limiter.shared and limiter.failures >= 1
    assert shop.executed["Products"] == 30 and shop.bucket.throttled == 0  # in-process pacing
    (warning,) = warnings_of(caplog)
    assert (
        f"127.0.0.1:{url.split(':')[2].split('/')[0]}" in warning and "ConnectionError" in warning
    )


def test_killed_and_restarted_under_load_no_call_fails(
    shop: FakeShopify, redis_url: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = shop.endpoint("admin", "2024-01")
    limiters: list[RedisQueryCostLimiter] = []

    def worker(_: int) -> int:
        with (
            Client(
                endpoint=endpoint,
                access_token=ADMIN_TOKEN,
                pacing=redis_url,
                # THROTTLED while each paces on its own: retried after the refill
            ) as client,
            ThreadPoolExecutor(5) as pool,
        ):
            assert isinstance(client.pacing, RedisQueryCostLimiter)
            limiters.append(client.pacing)
            return sum(1 for _ in pool.map(lambda _: client.products(first=1), range(25)))

    kill = when(shop, 20, redis_server.stop)
    restart = when(shop, 50, redis_server.start)
    with caplog.at_level(logging.INFO, logger="shopify_client"), ThreadPoolExecutor(4) as pool:
        done = sum(pool.map(worker, range(4)))  # any exception would fail the test
    kill.join(PATIENCE)
    restart.join(PATIENCE)
    assert done == 100 and shop.executed["Products"] >= 100
    assert 1 <= len(warnings_of(caplog)) <= 4  # at most one per limiter
    assert all(limiter.failures for limiter in limiters)
    # Back: the next call of any worker is paced through the restarted Redis, whose
    # model was rebuilt from the answers since.
    with Client(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=redis_url) as client:
        client.products(first=1)
        assert isinstance(client.pacing, RedisQueryCostLimiter) and client.pacing.shared
    with redis.Redis.from_url(redis_url) as client_redis:
        (key,) = client_redis.keys("*:bucket")
        bucket = client_redis.hgetall(key)
    assert float(bucket[b"max"]) == 1000 and float(bucket[b"rate"]) == 2000
    assert int(bucket[b"ifn"]) == 0  # nothing counted in flight for ever


def test_async_clients_survive_a_kill_and_a_restart(
    shop: FakeShopify, redis_url: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = shop.endpoint("admin", "2024-01")

    async def worker() -> int:
        async with AsyncClient(
            endpoint=endpoint,
            access_token=ADMIN_TOKEN,
            pacing=redis_url,
            retry_policy=fast_policy(8),
        ) as client:
            await asyncio.gather(*(client.products(first=1) for _ in range(30)))
            assert isinstance(client.pacing, RedisQueryCostLimiter)
            return client.pacing.failures

    async def run() -> list[int]:
        return await asyncio.gather(*(worker() for _ in range(3)))

    kill = when(shop, 25, redis_server.stop)
    restart = when(shop, 55, redis_server.start)
    with caplog.at_level(logging.WARNING, logger="shopify_client"):
        failures = asyncio.run(run())
    kill.join(PATIENCE)
    restart.join(PATIENCE)
    assert shop.executed["Products"] >= 90 and all(failures)
    assert 1 <= len(warnings_of(caplog)) <= 3


def test_a_frozen_redis_holds_no_call(
    shop: FakeShopify, redis_url: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGSTOP: connections open, nothing answers. Each command's timeout ends it."""
    endpoint = shop.endpoint("admin", "2024-01")
    with (
        caplog.at_level(logging.WARNING, logger="shopify_client"),
        Client(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=redis_url) as client,
        ThreadPoolExecutor(4) as pool,
    ):
        client.products(first=1)  # connected, shared
        redis_server.pause()
        try:
            list(pool.map(lambda _: client.products(first=1), range(20)))
        finally:
            redis_server.resume()
        assert isinstance(client.pacing, RedisQueryCostLimiter) and not client.pacing.shared
        (warning,) = warnings_of(caplog)
        assert "TimeoutError" in warning
        time.sleep(0.15)  # past the retry interval: the next call tries Redis again
        client.products(first=1)
        assert client.pacing.shared
    assert shop.executed["Products"] == 22


def test_a_frozen_redis_holds_no_async_call(
    shop: FakeShopify, redis_url: str, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The asyncio client made from the URL: its socket timeouts alone end each
    command (no asyncio.timeout on top of them)."""
    endpoint = shop.endpoint("admin", "2024-01")

    async def run() -> bool:
        async with AsyncClient(
            endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=redis_url
        ) as client:
            await client.products(first=1)  # connected, shared
            redis_server.pause()
            try:
                await asyncio.gather(*(client.products(first=1) for _ in range(10)))
            finally:
                redis_server.resume()
            assert isinstance(client.pacing, RedisQueryCostLimiter)
            return client.pacing.shared

    with caplog.at_level(logging.WARNING, logger="shopify_client"):
        assert asyncio.run(run()) is False
    (warning,) = warnings_of(caplog)
    assert "TimeoutError" in warning
    assert shop.executed["Products"] == 11


def test_settles_missed_while_redis_froze_are_sent_when_it_answers(
    redis_url: str, redis_server: RedisServer
) -> None:
    limiter = RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN, timeout=0.2)
    limiter.bind(SHOP)
    figures = QueryCost(100.0, 100.0, 1000.0, 900.0, 100.0)
    first, _ = limiter.reserve("Q")
    assert first is not None
    limiter.settle(first, figures)
    tickets = [limiter.reserve("Q")[0] for _ in range(3)]
    assert all(tickets)
    redis_server.pause()
    try:
        for ticket in tickets:
            assert ticket is not None
            limiter.settle(ticket, figures)  # kept for the next command
        limiter.flush()  # the three in one command, which times out
    finally:
        redis_server.resume()
    assert not limiter.shared
    with redis.Redis.from_url(redis_url) as client:
        (key,) = client.keys("*:bucket")
        # Redis heard of some of the three: a command that timed out on this side was
        # still in Redis's socket and may have run when it woke; the settles went in one
        # command, or in two when the off-path sender (2 ms) took the first one alone
        assert 0 <= int(client.hget(key, "ifn") or 0) <= 3
        time.sleep(0.15)
        granted, _ = limiter.reserve("Q")  # Redis again: the missed settles go first
        assert granted is not None and limiter.shared
        # only the new one is in flight: settling the first twice counted once
        assert int(client.hget(key, "ifn") or 0) == 1


def test_a_restarted_redis_is_rebuilt_from_the_next_answers(
    redis_url: str, redis_server: RedisServer
) -> None:
    one = RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN)
    one.bind(SHOP)
    first, _ = one.reserve("Q")
    assert first is not None
    one.settle(first, QueryCost(100.0, 100.0, 1000.0, 900.0, 100.0))
    in_flight, _ = one.reserve("Q")
    assert in_flight is not None and in_flight.cost == 100
    redis_server.stop()
    redis_server.start()  # nothing in it
    time.sleep(0.15)
    one.reserve("Q")  # fails once (its connection was reset), or learns the bucket afresh
    time.sleep(0.15)
    # a call granted before the restart settles into the empty Redis: its reading
    # rebuilds the bucket, and the cost learned before is learned again
    one.settle(in_flight, QueryCost(100.0, 100.0, 1000.0, 700.0, 100.0))
    with redis.Redis.from_url(redis_url) as client:
        (key,) = client.keys("*:bucket")
        assert float(client.hget(key, "max") or 0) == 1000
        assert float(client.hget(key, "av") or 2000) <= 800
    two = RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN)
    two.bind(SHOP)
    granted, _ = two.reserve("Q")
    assert granted is not None and granted.cost == 100


def test_while_redis_is_down_each_limiter_paces_on_its_share_of_the_bucket(
    redis_url: str, redis_server: RedisServer
) -> None:
    """Limiters that shared the bucket in Redis each take 1/n of it when it is gone
    (n as Redis last counted them), so that together they stay within it."""
    limiters = [RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN) for _ in range(4)]
    for one in limiters:
        one.bind(SHOP)
    figures = QueryCost(100.0, 100.0, 1000.0, 1000.0, 100.0)
    for one in limiters:
        ticket, _ = one.reserve("Q")
        assert ticket is not None
        one.settle(ticket, figures)
    redis_server.stop()
    one = limiters[-1]  # the last to reserve heard of all four
    ticket, _ = one.reserve("Q")  # Redis fails: in-process, from its warm model
    assert ticket is not None and not one.shared
    one.settle(ticket, figures)
    available = one.available
    assert available is not None and 240 <= available <= 250  # a quarter of 1,000


def test_a_redis_password_appears_in_no_log_nor_repr(caplog: pytest.LogCaptureFixture) -> None:
    url = f"redis://user:s3cret-pass@127.0.0.1:{closed_port()}/0"
    limiter = RedisQueryCostLimiter(url, access_token=ADMIN_TOKEN)
    limiter.bind(SHOP)
    with caplog.at_level(logging.DEBUG, logger="shopify_client"):
        ticket, _ = limiter.reserve("Q")  # Redis fails: in-process
    assert ticket is not None and not limiter.shared
    shown = repr(limiter) + " ".join(r.getMessage() for r in caplog.records)
    assert "Redis at" in shown
    assert "s3cret-pass" not in shown and ADMIN_TOKEN not in shown
