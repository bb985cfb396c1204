"""Pacing over Redis costs one round trip a call (issue 24): a call's settle is kept
and carried by the limiter's next command, or sent on its own when none comes.

Commands are counted by the real redis-server (``INFO commandstats``), not by a
wrapper: what Redis saw is what the calls cost.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Iterator

import pytest
import redis

from shopify_admin import AsyncClient, Client
from shopify_client import QueryCost, _redis_scripts
from shopify_client._redis_pacing import RedisQueryCostLimiter
from shopify_client.testing import ADMIN_TOKEN, FakeShopify, LeakyBucket
from shopify_client.testing.redis_server import RedisServer
from tests.conftest import ROOT

EMPTY = {"products": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}}
SHOP = "https://x.myshopify.com/admin/api/2024-01/graphql.json"
FIGURES = QueryCost(10.0, 10.0, 1000.0, 990.0, 100.0)
CALLS = 20
#: the longest a test waits for something that happens within milliseconds
PATIENCE = 30.0


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    bucket = LeakyBucket(maximum=1000, restore_rate=100_000)  # never runs dry
    with FakeShopify(schema_dir=ROOT / "schema", bucket=bucket) as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fake.set_cost("Products", 10)
        fake.answer("Products", EMPTY)
        yield fake


@pytest.fixture
def kept_for_ever(monkeypatch: pytest.MonkeyPatch) -> None:
    """No settle is sent on its own for a minute: only commands carry them, so the
    counts below do not depend on how fast the machine runs the calls."""
    monkeypatch.setattr("shopify_client._redis_settles.SETTLE_DELAY", 60.0)


def commands(url: str) -> int:
    """Scripts Redis ran since the last reset (every pacing command is one)."""
    with redis.Redis.from_url(url) as client:
        stats = client.info("commandstats")
    return sum(
        int(stats.get(name, {}).get("calls", 0)) for name in ("cmdstat_evalsha", "cmdstat_eval")
    )


def reset(url: str) -> None:
    """Counts from zero, the script loaded (a first EVALSHA answered NOSCRIPT counts)."""
    with redis.Redis.from_url(url) as client:
        client.script_load(_redis_scripts.PACE)
        client.config_resetstat()


def in_flight(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        (key,) = client.keys("*:bucket")
        return int(client.hget(key, "ifn") or 0)


def eventually(check: object, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.002)


def test_a_sync_client_makes_one_round_trip_a_call(
    shop: FakeShopify, redis_url: str, kept_for_ever: None
) -> None:
    reset(redis_url)
    with Client(
        endpoint=shop.endpoint("admin", "2024-01"), access_token=ADMIN_TOKEN, pacing=redis_url
    ) as client:
        for _ in range(CALLS):
            client.products(first=1)
        during = commands(redis_url)
    # the first call reserves and settles at once (it learns the bucket); each of the
    # others reserves, carrying the settle before it; close() sends the last settle
    assert during == 1 + CALLS
    assert commands(redis_url) == 2 + CALLS
    assert in_flight(redis_url) == 0


def test_an_async_client_makes_one_round_trip_a_call(
    shop: FakeShopify, redis_url: str, kept_for_ever: None
) -> None:
    reset(redis_url)

    async def run() -> int:
        async with AsyncClient(
            endpoint=shop.endpoint("admin", "2024-01"), access_token=ADMIN_TOKEN, pacing=redis_url
        ) as client:
            for _ in range(CALLS):
                await client.products(first=1)
            return commands(redis_url)

    assert asyncio.run(run()) == 1 + CALLS
    assert commands(redis_url) == 2 + CALLS
    assert in_flight(redis_url) == 0


def test_concurrent_calls_share_the_commands(
    shop: FakeShopify, redis_url: str, kept_for_ever: None
) -> None:
    """Ten tasks at once: a reserve carries every settle kept before it, so a burst
    costs at most one command a call, plus the polls of calls that waited for the
    first answer."""
    reset(redis_url)

    async def run() -> None:
        async with AsyncClient(
            endpoint=shop.endpoint("admin", "2024-01"), access_token=ADMIN_TOKEN, pacing=redis_url
        ) as client:
            await client.products(first=1)  # the bucket learned: nobody polls after
            reset(redis_url)

            async def worker() -> None:
                for _ in range(5):
                    await client.products(first=1)

            await asyncio.gather(*(worker() for _ in range(10)))
            assert commands(redis_url) == 50

    asyncio.run(run())
    assert in_flight(redis_url) == 0


def limiter(url: str) -> RedisQueryCostLimiter:
    made = RedisQueryCostLimiter(url, access_token=ADMIN_TOKEN)
    made.bind(SHOP)
    return made


def test_a_kept_settle_is_sent_when_no_call_follows(redis_url: str) -> None:
    """Sync code: the limiter's thread sends it, without any other call or close."""
    one = limiter(redis_url)
    first, _ = one.reserve("Q")
    assert first is not None and first.alone
    one.settle(first, FIGURES)  # learns the bucket: sent at once
    ticket, _ = one.reserve("Q")
    assert ticket is not None and not ticket.alone
    reset(redis_url)
    one.settle(ticket, FIGURES)  # kept: no command carries it
    eventually(lambda: in_flight(redis_url) == 0, "the kept settle never reached Redis")
    assert commands(redis_url) == 1 and len(one._settles) == 0


def test_a_kept_async_settle_is_sent_when_no_call_follows(redis_url: str) -> None:
    """A task: its loop's timer sends it while the loop runs other things."""
    one = limiter(redis_url)

    async def run() -> None:
        first = await one.acquire_async("Q")
        await one.settle_async(first, FIGURES)
        ticket = await one.acquire_async("Q")
        reset(redis_url)
        await one.settle_async(ticket, FIGURES)
        deadline = time.monotonic() + PATIENCE
        while in_flight(redis_url):
            assert time.monotonic() < deadline, "the kept settle never reached Redis"
            await asyncio.sleep(0.002)

    asyncio.run(run())
    assert commands(redis_url) == 1 and len(one._settles) == 0


def test_a_settle_kept_when_redis_froze_is_sent_when_it_answers(
    redis_url: str,
    redis_server: RedisServer,
    kept_for_ever: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The command carrying kept settles times out: the call is paced in-process
    (one WARNING), and the settles go to Redis when it answers again."""
    monkeypatch.setattr("shopify_client._redis_link.RETRY_SECONDS", 0.1)
    one = RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN, timeout=0.2)
    one.bind(SHOP)
    first, _ = one.reserve("Q")
    assert first is not None
    one.settle(first, FIGURES)
    tickets = [one.reserve("Q")[0] for _ in range(3)]
    for ticket in tickets:
        assert ticket is not None
        one.settle(ticket, FIGURES)  # kept
    with caplog.at_level(logging.WARNING, logger="shopify_client"):
        redis_server.pause()
        try:
            local, _ = one.reserve("Q")  # carries the three, times out: in-process
        finally:
            redis_server.resume()
    assert local is not None and not one.shared
    assert [r for r in caplog.records if "pacing: Redis" in r.getMessage()]
    time.sleep(0.15)  # past the retry interval
    shared, _ = one.reserve("Q")  # Redis again: the missed settles go first
    assert shared is not None and one.shared
    # only the new one is in flight: the three settled (once, if the command that
    # timed out ran after all), and the in-process reservation never counted there
    assert in_flight(redis_url) == 1


def test_a_shared_limiter_flushes_when_any_of_its_clients_closes(
    shop: FakeShopify, redis_url: str, kept_for_ever: None
) -> None:
    shared = RedisQueryCostLimiter(redis_url, access_token=ADMIN_TOKEN)
    endpoint = shop.endpoint("admin", "2024-01")
    keeper = Client(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=shared)
    with Client(endpoint=endpoint, access_token=ADMIN_TOKEN, pacing=shared) as client:
        client.products(first=1)
        client.products(first=1)
        assert in_flight(redis_url) == 1  # the second's settle is kept
    assert in_flight(redis_url) == 0
    keeper.close()


def bucket(url: str) -> dict[bytes, bytes]:
    with redis.Redis.from_url(url) as client:
        (key,) = client.keys("*:bucket")
        return client.hgetall(key)  # type: ignore[no-any-return]


def figures(available: float) -> QueryCost:
    return QueryCost(100.0, 100.0, 1000.0, available, 100.0)


def test_a_kept_settle_is_read_as_of_its_answer(redis_url: str, kept_for_ever: None) -> None:
    """Kept half a second, an answer that had the shop to itself says 500: applied
    as of then, the bucket has refilled 50 points since, as an immediate settle
    followed by the refill would say."""
    one = limiter(redis_url)
    first, _ = one.reserve("Q")
    assert first is not None
    one.settle(first, figures(1000))  # learns the bucket: sent at once
    ticket, _ = one.reserve("Q")
    assert ticket is not None and not ticket.shared
    one.settle(ticket, figures(500))  # kept
    time.sleep(0.5)
    one.flush()
    assert 550 <= float(bucket(redis_url)[b"av"]) < 1000


def test_a_grant_after_a_kept_answer_does_not_make_it_shared(
    redis_url: str, kept_for_ever: None
) -> None:
    """An answer of a call alone in flight is believed even when higher, as in-process.
    Another process's grant that came after the answer, before the kept settle
    reached Redis, changes nothing: the reading did not include it."""
    one, two = limiter(redis_url), limiter(redis_url)
    first, _ = one.reserve("Q")
    assert first is not None
    one.settle(first, figures(700))
    alone, _ = one.reserve("Q")  # model: 600 left
    assert alone is not None and not alone.shared
    one.settle(alone, figures(1000))  # kept: the bucket was full, it had it to itself
    later, _ = two.reserve("Q")  # granted after that answer: 100 more in flight
    assert later is not None
    one.flush()
    # believed: 1,000 less the later call's 100 (else min(model 500, 900) = 500)
    assert 895 <= float(bucket(redis_url)[b"av"]) <= 900
    assert int(bucket(redis_url)[b"ifn"]) == 1


def test_a_kept_answer_is_not_believed_over_a_later_call_already_settled(
    redis_url: str, kept_for_ever: None
) -> None:
    """A later call that came and went before the kept settle reached Redis spent
    points the kept reading never saw: the reading is then only taken if lower."""
    one, two = limiter(redis_url), limiter(redis_url)
    first, _ = one.reserve("Q")
    assert first is not None
    one.settle(first, figures(700))
    alone, _ = one.reserve("Q")  # model: 600 left
    assert alone is not None and not alone.shared
    one.settle(alone, figures(1000))  # kept
    later, _ = two.reserve("Q")  # model: 500 left
    assert later is not None
    two.settle(later, figures(900))
    two.flush()  # the later call settled first
    one.flush()
    assert float(bucket(redis_url)[b"av"]) <= 510  # not 1,000
    assert int(bucket(redis_url)[b"ifn"]) == 0
