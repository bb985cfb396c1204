"""The runtime calls nothing POSIX-only unconditionally (issue 20, item 8): without
``os.fork`` and ``os.register_at_fork`` (as on Windows), it imports, builds sync and
async clients, and calls, deadline watchdog included.

Run in a fresh interpreter (tests/conftest.py ``run_fresh``) with those attributes
taken off before anything imports the package; the server is a raw socket on
127.0.0.1 of this process that stops by itself.
"""

from __future__ import annotations

from tests.conftest import run_fresh
from tests.shopify_client.raw_server import Connection, head, raw_server

DATA = b'{"data": {"customer": null}}'


def answer(conn: Connection) -> None:
    conn.send(head(length=len(DATA)) + DATA)


def drip(conn: Connection) -> None:
    """Headers a byte each 0.05 s (100 s): only the watchdog's shutdown ends the call."""
    conn.drip(head(length=len(DATA), extra="X-Pad: " + "a" * 2000), 0.05)


def test_the_runtime_works_without_fork_or_register_at_fork() -> None:
    code = """
        import os
        del os.fork, os.register_at_fork  # what Windows lacks
        import asyncio, json, warnings
        warnings.simplefilter("ignore")
        from shopify_client import TransportError
        from shopify_storefront import AsyncClient, Client
        token = "t" * 32
        outcome = {}
        with Client(endpoint=%(url)r, access_token=token, max_retries=0, timeout=5) as sf:
            outcome["sync"] = sf.customer(customer_access_token="t").customer
        with Client(endpoint=%(slow)r, access_token=token, max_retries=0, timeout=0.5) as sf:
            try:
                sf.customer(customer_access_token="t")
            except TransportError as exc:  # the watchdog cut it
                outcome["deadline"] = "timeout=0.5s" in str(exc)

        async def call():
            async with AsyncClient(endpoint=%(url)r, access_token=token, timeout=5) as sf:
                return (await sf.customer(customer_access_token="t")).customer

        outcome["async"] = asyncio.run(call())
        outcome["fork"] = hasattr(os, "register_at_fork")
        print(json.dumps(outcome))
    """
    with raw_server(answer, lifetime=60) as server, raw_server(drip, lifetime=60) as slow:
        outcome = run_fresh(code % {"url": server.url(), "slow": slow.url()})
        assert not slow.stopped  # the deadline ended the slow call, not the server
    assert outcome == {"sync": None, "deadline": True, "async": None, "fork": False}
