"""Bulk-operation slots counted in Redis: no process submits past the shop's limit,
none waits for ever, and a dead process's slot is freed (issue 24)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
import redis

from shopify_client import ConfigurationError
from shopify_client._redis_pacing import app_id
from shopify_client._redis_slots import BulkSlots, BulkSlotsBusyError, bulk_slot_limit
from shopify_client.testing import ADMIN_TOKEN
from shopify_client.testing.redis_server import RedisServer
from tests.shopify_client.conftest import closed_port

SHOP = "x.myshopify.com"


def slots(url: str, *, limit: int = 5, lease: float = 600.0, kind: str = "query") -> BulkSlots:
    """One process's view (BulkSlots objects share nothing but Redis)."""
    return BulkSlots(
        url,
        shop=SHOP,
        access_token=ADMIN_TOKEN,
        limit=limit,
        lease=lease,
        kind=kind,  # type: ignore[arg-type]
    )


def test_the_version_sets_the_limit() -> None:
    assert bulk_slot_limit("2025-10") == 1
    assert bulk_slot_limit("2026-01") == 5 and bulk_slot_limit("2026-04") == 5


def test_processes_never_take_more_slots_than_the_limit(redis_url: str) -> None:
    one, two = slots(redis_url), slots(redis_url)
    taken = [one.acquire(), two.acquire(), one.acquire(), two.acquire(), one.acquire()]
    assert all(slot.shared for slot in taken) and one.held() == two.held() == 5
    with pytest.raises(BulkSlotsBusyError, match="5 bulk query slots") as caught:
        two.acquire(max_wait=0)
    assert caught.value.limit == 5
    taken[0].release()
    assert two.acquire(max_wait=0).shared
    assert slots(redis_url, kind="mutation").acquire(max_wait=0)  # mutations count apart


def test_a_waiting_process_gets_the_slot_another_releases(redis_url: str) -> None:
    one, two = slots(redis_url, limit=1), slots(redis_url, limit=1)
    held = one.acquire()
    released = threading.Timer(0.1, held.release)
    released.start()
    with two.acquire(max_wait=30) as slot:  # waits for the release, not for ever
        assert slot.shared and two.held() == 1
    released.join()
    assert one.held() == 0


def test_a_dead_processs_slot_is_freed_when_its_lease_expires(redis_url: str) -> None:
    dying = slots(redis_url, limit=1, lease=0.2)
    dying.acquire()  # never released: its process died
    survivor = slots(redis_url, limit=1)
    with pytest.raises(BulkSlotsBusyError):
        survivor.acquire(max_wait=0)
    assert survivor.acquire(max_wait=30).shared  # after the lease


def test_a_renewed_lease_keeps_its_slot(redis_url: str) -> None:
    owner = slots(redis_url, limit=1, lease=0.3)
    slot = owner.acquire()
    for _ in range(3):
        time.sleep(0.15)
        assert slot.renew()
    assert owner.held() == 1
    slot.release()
    assert not slot.renew()


def test_an_attached_operation_is_freed_by_any_process_that_sees_it_end(redis_url: str) -> None:
    submitter, poller = slots(redis_url, limit=1), slots(redis_url, limit=1)
    slot = submitter.acquire()
    slot.attach("gid://shopify/BulkOperation/1")
    assert slot.holder == "gid://shopify/BulkOperation/1" and poller.held() == 1
    assert poller.release_operation("gid://shopify/BulkOperation/1")  # it ended
    assert not poller.release_operation("gid://shopify/BulkOperation/1")
    assert poller.acquire(max_wait=0).shared


def test_async_processes_share_the_slots(redis_url: str) -> None:
    async def run() -> None:
        one, two = slots(redis_url, limit=2), slots(redis_url, limit=2)
        a = await one.acquire_async()
        b = await two.acquire_async()
        with pytest.raises(BulkSlotsBusyError):
            await one.acquire_async(max_wait=0)
        a.release()
        c = await two.acquire_async(max_wait=0)
        assert b.shared and c.shared

    asyncio.run(run())


def test_keys_name_the_shop_and_a_hash_of_the_token(redis_url: str) -> None:
    slots(redis_url).acquire()
    with redis.Redis.from_url(redis_url) as client:
        (key,) = client.keys("*")
        assert SHOP.encode() in key and app_id(ADMIN_TOKEN).encode() in key
        assert ADMIN_TOKEN.encode() not in key and client.ttl(key) > 0


def test_redis_down_counts_in_process_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = slots(f"redis://127.0.0.1:{closed_port()}/0", limit=2)
    with caplog.at_level(logging.WARNING, logger="shopify_client"):
        first, second = down.acquire(), down.acquire()
        assert not first.shared and not second.shared
        with pytest.raises(BulkSlotsBusyError):
            down.acquire(max_wait=0)
        second.release()
        assert down.held() == 1
    assert len([r for r in caplog.records if "Redis at" in r.getMessage()]) == 1


def test_a_frozen_redis_holds_no_acquire(redis_url: str, redis_server: RedisServer) -> None:
    frozen = slots(redis_url, limit=1)
    redis_server.pause()
    try:
        slot = frozen.acquire(max_wait=5)  # the command times out: counted in-process
    finally:
        redis_server.resume()
    assert not slot.shared


def test_bad_settings_are_refused(redis_url: str) -> None:
    with pytest.raises(ConfigurationError, match="limit"):
        slots(redis_url, limit=0)
    with pytest.raises(ConfigurationError, match="kind"):
        slots(redis_url, kind="export")
    with pytest.raises(ConfigurationError, match="lease"):
        slots(redis_url, lease=-1)
