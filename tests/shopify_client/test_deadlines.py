"""The deadline machinery of one attempt (shopify_client/_deadlines.py), held to the
corners a review found: the sync watchdog's thread and the per-loop async timer.

Servers are raw sockets on 127.0.0.1 that stop by themselves (raw_server.py). No
assertion is about elapsed time: a bound is shown by the call ending with its own
error while the server is still sending.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import weakref

import httpx
import pytest

from shopify_client import ConfigurationError, TransportError, _deadlines, _transport
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.raw_server import Connection, head, raw_server
from tests.shopify_client.test_transport import DATA, Drip


def _answer(conn: Connection) -> None:
    conn.send(head(length=len(DATA)) + DATA)


def test_event_loops_are_not_kept_alive_by_their_deadline_timer() -> None:
    # Each asyncio.run makes a loop; a call that ends in time leaves the loop's one
    # deadline timer pending. The registry is keyed weakly by the loop, so nothing it
    # holds may refer back to the loop, or no loop (selector, heap...) is ever freed.
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def call(url: str) -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        async with AsyncStorefrontClient(endpoint=url, access_token=STOREFRONT_TOKEN) as sf:
            assert (await sf.customer(customer_access_token="t")).customer is None

    with raw_server(_answer, lifetime=10) as server:
        for _ in range(3):
            asyncio.run(call(server.url()))
    gc.collect()
    assert [ref() for ref in loops] == [None, None, None]
    assert all(ref() not in _deadlines._LOOP_DEADLINES for ref in loops)


def test_a_huge_deadline_does_not_kill_the_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    # A phase of httpx.Timeout may be huge (pool=1e10: "wait for a connection for
    # ever"); the attempt's deadline is the largest phase. The watchdog's thread
    # must not die sleeping towards it (Condition.wait overflows past
    # threading.TIMEOUT_MAX), or no later sync attempt is ever cut by it.
    watchdog = _deadlines._Watchdog()  # this test's own: a dead one stays here
    monkeypatch.setattr(_deadlines, "_WATCHDOG", watchdog)

    # The clients refuse a timeout over a day (test below); the watchdog must survive
    # one anyway: an attempt made here directly, as the client would make it.
    attempt = _deadlines._SyncAttempt(1e10)
    for _ in range(500):  # until the thread has looked at it (or died doing so)
        thread = watchdog._thread
        if watchdog._wake_at != watchdog._IDLE or (thread and not thread.is_alive()):
            break
        time.sleep(0.01)
    attempt.done()

    # A header drip: only the watchdog can cut it (nothing reads until the headers end).
    drip = Drip("headers")
    with raw_server(drip, lifetime=8) as server:
        with (
            StorefrontClient(
                endpoint=server.url(), access_token=STOREFRONT_TOKEN, timeout=1, max_retries=0
            ) as sf,
            pytest.raises(TransportError, match="timeout=1s"),
        ):
            sf.customer(customer_access_token="t")
        assert not server.stopped  # cut by the watchdog, not by the server giving up
        assert not drip.done.is_set()


def test_a_late_watchdog_does_not_cut_the_next_call_on_the_same_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The watchdog takes an attempt past its deadline off its list, then fires it
    # outside its lock. If the attempt ended in that gap (its last read was in time),
    # its connection is back in the pool: the shutdown must not land on the next
    # call that reuses it (a mutation sent there would end "maybe sent").
    watchdog = _deadlines._Watchdog()
    monkeypatch.setattr(_deadlines, "_WATCHDOG", watchdog)
    firing = threading.Event()  # the watchdog is about to fire the first attempt
    second_sent = threading.Event()  # the second call's request reached the server
    real_fire = _deadlines._SyncAttempt.fire
    real_finish = _transport._BodyReader.finish

    def late_fire(self: _deadlines._SyncAttempt) -> None:
        if threading.current_thread().name == "shopify-client-watchdog":
            firing.set()
            second_sent.wait(5)  # fire only once the next call is on the connection
        real_fire(self)

    def slow_finish(self: _transport._BodyReader) -> bytes:
        firing.wait(5)  # the first attempt's last read was in time; now it is due
        return real_finish(self)

    monkeypatch.setattr(_deadlines._SyncAttempt, "fire", late_fire)
    monkeypatch.setattr(_transport._BodyReader, "finish", slow_finish)

    def keep_alive(conn: Connection) -> None:
        _answer(conn)  # the first request, answered at once
        request = b""
        while b"\r\n\r\n" not in request:  # the second one, on the same connection
            chunk = conn.sock.recv(65536)
            if not chunk:
                return
            request += chunk
        second_sent.set()
        conn.stop.wait(0.5)  # the late fire lands now, if it still can
        _answer(conn)

    def fresh(conn: Connection) -> None:  # a connection opened after the first
        second_sent.set()
        _answer(conn)

    scripts = iter([keep_alive])

    def script(conn: Connection) -> None:
        next(scripts, fresh)(conn)

    try:
        with (
            raw_server(script, lifetime=10) as server,
            StorefrontClient(
                endpoint=server.url(), access_token=STOREFRONT_TOKEN, timeout=0.2, max_retries=0
            ) as sf,
        ):
            sf.customer(customer_access_token="t")  # in time, or cut: either is fair
            monkeypatch.setattr(_transport._BodyReader, "finish", real_finish)
            # The next call, with a deadline far off, must not be cut by the first's.
            assert sf.customer(customer_access_token="t", timeout=30).customer is None
    finally:
        second_sent.set()


def test_async_deadlines_work_in_a_child_forked_during_a_loop_lookup() -> None:
    # Another thread's first call on a new loop holds the registry's lock for a
    # moment; a fork then copies it held. The child's own first async call must not
    # wait for ever on a lock no thread of the child will release.
    import multiprocessing
    import os

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    with raw_server(_answer, lifetime=20) as server:
        context = multiprocessing.get_context("fork")
        with _deadlines._LOOP_DEADLINES_LOCK:  # a lookup in progress at the fork
            pool = context.Pool(1)
        with pool:
            outcome = pool.apply_async(_async_call_in_child, (server.url(),))
            assert outcome.get(timeout=15) == "answered"  # a bound on a hang, not a speed


def _async_call_in_child(url: str) -> str:
    async def call() -> str:
        async with AsyncStorefrontClient(endpoint=url, access_token=STOREFRONT_TOKEN) as sf:
            await sf.customer(customer_access_token="t")
        return "answered"

    return asyncio.run(call())


@pytest.mark.parametrize(
    "timeout", [1e10, float("inf"), httpx.Timeout(5.0, pool=1e10), httpx.Timeout(5.0, read=-1)]
)
def test_a_timeout_over_a_day_is_refused_at_construction(timeout: object) -> None:
    # Past ~1e9 s a socket or lock wait raises a bare OverflowError mid-call.
    with pytest.raises(ConfigurationError, match="one day"):
        StorefrontClient(
            endpoint="https://example.myshopify.com/api/2024-10/graphql.json",
            access_token=STOREFRONT_TOKEN,
            timeout=timeout,  # type: ignore[arg-type]
        )
