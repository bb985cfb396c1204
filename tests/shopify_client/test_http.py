"""The httpx clients the package makes keep no cookie: a ``Set-Cookie`` in one answer
never rides along on a later request (another buyer's, on a shared client)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from shopify_client._http import CookielessAsyncClient, CookielessClient
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.raw_server import Connection, RawServer, head, raw_server

BODY = b'{"data": {"customer": null}}'
# One answer per connection (the server closes it): said, so no client reuses it.
SET_COOKIE = "Set-Cookie: _shopify_y=buyer-one; Path=/; HttpOnly\r\nConnection: close"


def answer_with_cookie(conn: Connection) -> None:
    conn.send(head(length=len(BODY), extra=SET_COOKIE) + BODY)


@pytest.fixture
def server() -> Iterator[RawServer]:
    with raw_server(answer_with_cookie, lifetime=20) as running:
        yield running


def cookie_headers(server: RawServer) -> list[bytes]:
    return [
        line
        for request in server.requests
        for line in request.split(b"\r\n\r\n")[0].split(b"\r\n")
        if line.lower().startswith(b"cookie:")
    ]


def test_a_sync_client_sends_no_cookie_it_was_answered_with(server: RawServer) -> None:
    with StorefrontClient(endpoint=server.url(), access_token=STOREFRONT_TOKEN) as sf:
        assert sf.customer(customer_access_token="t1") is not None
        assert sf.customer(customer_access_token="t2") is not None
    assert len(server.requests) == 2
    assert cookie_headers(server) == []


def test_an_async_client_sends_no_cookie_it_was_answered_with(server: RawServer) -> None:
    async def main() -> None:
        async with AsyncStorefrontClient(
            endpoint=server.url(), access_token=STOREFRONT_TOKEN
        ) as sf:
            await sf.customer(customer_access_token="t1")
            await sf.customer(customer_access_token="t2")

    asyncio.run(main())
    assert len(server.requests) == 2
    assert cookie_headers(server) == []


def test_a_plain_httpx_client_would_have_sent_it(server: RawServer) -> None:
    """The control: the same server, through httpx's own client, does get it back."""
    with httpx.Client() as plain:
        plain.post(server.url(), content=b"{}")
        plain.post(server.url(), content=b"{}")
    assert cookie_headers(server) == [b"Cookie: _shopify_y=buyer-one"]


@pytest.mark.parametrize("kind", [CookielessClient, CookielessAsyncClient])
def test_the_shared_empty_jar_cannot_be_filled(
    kind: type[CookielessClient] | type[CookielessAsyncClient],
) -> None:
    made, other = kind(), kind()
    try:
        with pytest.raises(AttributeError, match="keeps no cookies"):
            made.cookies.set("_shopify_y", "buyer-one")
        with pytest.raises(AttributeError, match="keeps no cookies"):
            made.cookies = {"_shopify_y": "buyer-one"}
        assert not made.cookies and not other.cookies
    finally:
        for each in (made, other):
            if isinstance(each, CookielessClient):
                each.close()
            else:
                asyncio.run(each.aclose())
