"""One attempt is bounded in time (the whole of it) and bytes, and never follows a redirect.

Servers here are raw sockets on 127.0.0.1 that stop by themselves (raw_server.py).
No assertion is about elapsed time: a bound is shown by the call ending with its
own error while the server is still sending.
"""

from __future__ import annotations

import asyncio
import functools
import gzip
import threading
import tracemalloc
from collections.abc import Callable

import httpx
import pytest

from shopify_client import (
    HTTPStatusError,
    InvalidResponseError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
)
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.raw_server import Connection, head, raw_server

DATA = b'{"data": {"customer": null}}'


def client(url: str, **options: object) -> StorefrontClient:
    return StorefrontClient(endpoint=url, access_token=STOREFRONT_TOKEN, max_retries=0, **options)  # type: ignore[arg-type]


def async_client(url: str, **options: object) -> AsyncStorefrontClient:
    return AsyncStorefrontClient(
        endpoint=url,
        access_token=STOREFRONT_TOKEN,
        max_retries=0,
        **options,  # type: ignore[arg-type]
    )


class Drip:
    """A script that drips its answer a byte at a time; ``done`` is set if it ever
    finished (it should not: the client must give up first)."""

    def __init__(self, where: str, every: float = 0.05) -> None:
        self.where = where
        self.every = every
        self.done = threading.Event()

    def __call__(self, conn: Connection) -> None:
        body = DATA + b" " * 4000  # 4 KB at 20 bytes a second: over 3 minutes
        if self.where == "body":
            if conn.send(head(length=len(body))) and conn.drip(body, self.every):
                self.done.set()
        # 2 KB of headers at 20 bytes a second: over 100 s.
        elif conn.drip(head(length=len(body), extra="X-Pad: " + "a" * 2000), self.every) and (
            conn.send(body)
        ):
            self.done.set()


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_slow_drip_is_cut_at_the_whole_attempt_deadline(where: str) -> None:
    # Each byte arrives well within timeout=1, so httpx's per-read timeout never fires.
    drip = Drip(where)
    with raw_server(drip, lifetime=10) as server:
        with client(server.url(), timeout=1) as sf, pytest.raises(TransportError) as info:
            sf.customer(customer_access_token="t")
        assert not server.stopped  # cut by the client, not by the server giving up
        assert not drip.done.is_set()
    assert "timed out" in str(info.value)
    assert "timeout=1s" in str(info.value)


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_slow_drip_is_cut_at_the_deadline_async(where: str) -> None:
    drip = Drip(where)

    async def call(url: str) -> None:
        async with async_client(url, timeout=1) as sf:
            await sf.customer(customer_access_token="t")

    with raw_server(drip, lifetime=10) as server:
        with pytest.raises(TransportError) as info:
            asyncio.run(call(server.url()))
        assert not server.stopped
        assert not drip.done.is_set()
    assert "timed out" in str(info.value)


def test_a_shorter_deadline_set_after_a_longer_one_still_fires_async() -> None:
    # One timer serves every attempt of a loop: a later, shorter deadline moves it.
    drip = Drip("body")

    async def run(url: str) -> None:
        async with async_client(url, timeout=60) as sf:
            slow = asyncio.create_task(sf.customer(customer_access_token="t"))
            await asyncio.sleep(0.2)  # its 60 s deadline holds the loop's timer
            with pytest.raises(TransportError, match="timeout=1s"):
                await sf.customer(customer_access_token="t", timeout=1)
            assert not slow.done()  # its own deadline is still far
            slow.cancel()
            with pytest.raises(asyncio.CancelledError):
                await slow

    with raw_server(drip, lifetime=10) as server:
        asyncio.run(run(server.url()))
        assert not server.stopped


def test_after_an_async_deadline_the_task_is_not_left_cancelled() -> None:
    async def run(url: str) -> None:
        task = asyncio.current_task()
        assert task is not None
        async with async_client(url, timeout=1) as sf:
            with pytest.raises(TransportError, match="timed out"):
                await sf.customer(customer_access_token="t")
        assert task.cancelling() == 0  # the deadline's cancel was taken back
        await asyncio.sleep(0.05)  # and nothing is pending for the next await

    with raw_server(Drip("body"), lifetime=10) as server:
        asyncio.run(run(server.url()))


def test_a_cancel_from_outside_is_not_mistaken_for_the_deadline() -> None:
    async def run(url: str) -> None:
        async with async_client(url, timeout=30) as sf:
            call = asyncio.create_task(sf.customer(customer_access_token="t"))
            await asyncio.sleep(0.2)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            # an enclosing asyncio.timeout shorter than the client's stays the caller's
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.3):
                    await sf.customer(customer_access_token="t")

    with raw_server(Drip("body"), lifetime=10) as server:
        asyncio.run(run(server.url()))


def test_a_per_call_timeout_bounds_that_call() -> None:
    drip = Drip("body")
    with raw_server(drip, lifetime=10) as server, client(server.url(), timeout=60) as sf:
        with pytest.raises(TransportError, match="timeout=1s"):
            sf.customer(customer_access_token="t", timeout=1)
        assert not server.stopped
        assert not drip.done.is_set()


def test_a_drip_on_a_mutation_is_not_resent() -> None:
    drip = Drip("body")
    with raw_server(drip, lifetime=10) as server:
        sf = StorefrontClient(endpoint=server.url(), access_token=STOREFRONT_TOKEN, timeout=1)
        with sf, pytest.raises(TransportError) as info:
            sf.execute("mutation M { x }", "M")
        assert len(server.requests) == 1
    assert info.value.request_sent is True


def endless(conn: Connection) -> None:
    """A chunked body that never ends."""
    if not conn.send(head(extra="Transfer-Encoding: chunked")):
        return
    piece = b" " * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    for _ in range(100_000):  # 6.5 GB: far past any cap
        if not conn.send(chunk):
            return


def huge(conn: Connection) -> None:
    size = 600 * 1024 * 1024
    if not conn.send(head(length=size)):
        return
    piece = b" " * 1024 * 1024
    for _ in range(600):
        if not conn.send(piece):
            return


@functools.cache
def bomb() -> bytes:
    """100 MB of JSON whitespace, about 100 KB gzipped (made once, when first needed)."""
    return gzip.compress(DATA + b" " * (100 * 1024 * 1024), compresslevel=9)


def gzip_bomb(conn: Connection) -> None:
    conn.send(head(extra="Content-Encoding: gzip", length=len(bomb())) + bomb())


@pytest.mark.parametrize("script", [endless, huge, gzip_bomb], ids=["endless", "600MB", "gzip"])
def test_a_body_past_max_response_bytes_is_a_typed_error(
    script: Callable[[Connection], None],
) -> None:
    bomb()  # made before measuring memory
    with (
        raw_server(script, lifetime=20) as server,
        client(server.url(), max_response_bytes=2_000_000) as sf,
    ):
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError) as info:
                sf.customer(customer_access_token="t")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert info.value.limit == 2_000_000
    assert info.value.status_code == 200
    assert isinstance(info.value, InvalidResponseError)
    # Nothing near the body's size was ever held: reading stopped at the cap.
    assert peak < 12_000_000


def test_the_default_cap_is_64_mb_and_a_gzip_bomb_stays_below_it() -> None:
    bomb()
    with raw_server(gzip_bomb, lifetime=20) as server, client(server.url()) as sf:
        assert sf.max_response_bytes == 64 * 1024 * 1024
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError):
                sf.customer(customer_access_token="t")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 3 * 64 * 1024 * 1024


def test_the_cap_holds_for_async_clients() -> None:
    async def call(url: str) -> None:
        async with async_client(url, max_response_bytes=2_000_000) as sf:
            await sf.customer(customer_access_token="t")

    with raw_server(endless, lifetime=20) as server, pytest.raises(ResponseTooLargeError):
        asyncio.run(call(server.url()))


def test_a_body_within_the_cap_parses_gzip_and_deflate() -> None:
    import zlib

    for coding, data in [
        ("gzip", gzip.compress(DATA)),
        ("deflate", zlib.compress(DATA)),
        ("deflate", zlib.compress(DATA, wbits=-15)),  # raw deflate, no zlib wrapper
        ("identity", DATA),
    ]:

        def answer(conn: Connection, coding: str = coding, data: bytes = data) -> None:
            conn.send(head(extra=f"Content-Encoding: {coding}", length=len(data)) + data)

        with raw_server(answer) as server, client(server.url(), max_response_bytes=100) as sf:
            assert sf.customer(customer_access_token="t").customer is None


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, gzip", "compress"])
def test_an_encoding_the_client_did_not_ask_for_is_an_invalid_response(coding: str) -> None:
    def answer(conn: Connection) -> None:
        conn.send(head(extra=f"Content-Encoding: {coding}", length=len(DATA)) + DATA)

    with (
        raw_server(answer) as server,
        client(server.url()) as sf,
        pytest.raises(InvalidResponseError, match="Content-Encoding"),
    ):
        sf.customer(customer_access_token="t")
    assert b"accept-encoding: gzip, deflate" in server.requests[0].lower()


@pytest.mark.parametrize("charset", ["base64", "zlib", "hex", "no-such-codec"])
def test_a_bytes_codec_charset_is_not_an_assertion_error(charset: str) -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            500, headers={"Content-Type": f"text/plain; charset={charset}"}, content=b"oops!"
        )
    )
    sf = StorefrontClient(
        endpoint="https://s.myshopify.com/api/2024-10/graphql.json",
        access_token=STOREFRONT_TOKEN,
        max_retries=0,
        http_client=httpx.Client(transport=transport),
    )
    with sf, pytest.raises(ServerError, match="oops!"):
        sf.customer(customer_access_token="t")


# -- redirects ------------------------------------------------------------------


class Elsewhere:
    """The host a redirect points to: it must receive nothing."""

    def __call__(self, conn: Connection) -> None:
        conn.send(head(length=len(DATA)) + DATA)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_never_followed_even_by_a_following_client(status: int) -> None:
    with raw_server(Elsewhere()) as other:
        target = other.url("/steal")

        def redirect(conn: Connection) -> None:
            conn.send(head(f"{status} Moved", extra=f"Location: {target}", length=0))

        with raw_server(redirect) as server:
            http = httpx.Client(follow_redirects=True)
            sf = client(server.url(), http_client=http)
            with sf, http, pytest.raises(HTTPStatusError) as info:
                sf.customer(customer_access_token="t")
        assert other.requests == []
    assert info.value.status_code == status
    assert info.value.location == target
    assert target in str(info.value)


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_is_never_followed_async(status: int) -> None:
    async def call(url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True) as http:
            sf = async_client(url, http_client=http)
            await sf.customer(customer_access_token="t")

    with raw_server(Elsewhere()) as other:
        target = other.url("/steal")

        def redirect(conn: Connection) -> None:
            conn.send(head(f"{status} Moved", extra=f"Location: {target}", length=0))

        with raw_server(redirect) as server, pytest.raises(HTTPStatusError) as info:
            asyncio.run(call(server.url()))
        assert other.requests == []
    assert info.value.location == target


def test_a_loopback_endpoint_is_never_sent_through_http_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A loopback endpoint is plain http: through a proxy, the token would travel in clear.
    with raw_server(Elsewhere()) as proxy, raw_server(Elsewhere()) as server:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with client(server.url()) as sf:
            assert sf.customer(customer_access_token="t").customer is None
        assert proxy.requests == []
        assert len(server.requests) == 1


def test_the_deadline_holds_in_a_forked_child() -> None:
    # The watchdog thread does not survive a fork; the child must start its own.
    import multiprocessing
    import os

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    drip = Drip("headers")
    with raw_server(drip, lifetime=15) as server:
        with client(server.url(), timeout=1) as sf, pytest.raises(TransportError):
            sf.customer(customer_access_token="t")  # the parent's watchdog runs now
        context = multiprocessing.get_context("fork")
        with context.Pool(1) as pool:
            outcome = pool.apply(_call_in_child, (server.url(),))
        # Cut by the child's own watchdog, not by the server giving up (lifetime 15 s).
        assert not server.stopped
        assert not drip.done.is_set()
    assert "timed out" in outcome


def _call_in_child(url: str) -> str:
    try:
        with client(url, timeout=1) as sf:
            sf.customer(customer_access_token="t")
    except TransportError as exc:
        return str(exc)
    return "returned"


def test_a_body_cut_mid_way_names_the_answer_it_belonged_to() -> None:
    def cut(conn: Connection) -> None:
        conn.send(head(length=1000, extra="X-Request-Id: r-cut") + DATA[:10])

    with (
        raw_server(cut) as server,
        client(server.url()) as sf,
        pytest.raises(TransportError) as info,
    ):
        sf.customer(customer_access_token="t")
    assert info.value.status_code == 200
    assert info.value.request_id == "r-cut"
    assert "r-cut" in str(info.value)


def test_a_slow_body_names_its_answer_too() -> None:
    drip = Drip("body")
    with (
        raw_server(drip, lifetime=10) as server,
        client(server.url(), timeout=1) as sf,
        pytest.raises(TransportError) as info,
    ):
        sf.customer(customer_access_token="t")
    assert info.value.status_code == 200
    assert info.value.request_id is None


def test_a_loop_without_weak_references_falls_back_to_asyncio_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shopify_client import _deadlines

    def refuse(loop: object) -> None:
        raise TypeError(f"cannot create weak reference to {type(loop).__name__!r} object")

    # What WeakKeyDictionary does with such a loop: the lookup raises TypeError.
    monkeypatch.setattr(_deadlines._LOOP_DEADLINES, "get", refuse)

    async def call(url: str) -> None:
        async with async_client(url, timeout=1) as sf:
            await sf.customer(customer_access_token="t")

    with raw_server(Drip("body"), lifetime=10) as server:
        with pytest.raises(TransportError, match="timeout=1s"):
            asyncio.run(call(server.url()))
        assert not server.stopped
