"""The deadline machinery of one attempt (shopify_client/_transport.py), held to the
corners a review found: the sync watchdog's thread and the per-loop async timer.

Servers are raw sockets on 127.0.0.1 that stop by themselves (raw_server.py). No
assertion is about elapsed time: a bound is shown by the call ending with its own
error while the server is still sending.
"""

from __future__ import annotations

import asyncio
import gc
import weakref

from shopify_client import _transport
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from tests.shopify_client.raw_server import Connection, head, raw_server
from tests.shopify_client.test_transport import DATA


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
    assert all(ref() not in _transport._LOOP_DEADLINES for ref in loops)
