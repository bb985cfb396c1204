"""Servers that drip (issue 25's outside review): every request of the flow ends by
its deadline, however slowly the answer comes, headers included.

httpx's timeouts bound each read; a server that sends one byte of its headers
every few hundredths of a second passes them for ever (h11 waits for up to 16 KiB of
headers). The deadline here is shortened to half a second; the servers stop by
themselves after a few seconds, so that a regression fails instead of hanging.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from shopify_client.customer_auth import (
    AsyncCustomerAccountAuth,
    CustomerAccountAuth,
    CustomerTokens,
    DiscoveryError,
    RefreshError,
    ShopEndpoints,
    TokenRequestError,
    _http,
    discover,
    discover_async,
)
from tests.shopify_client.customer_auth.helpers import CLIENT_ID, REDIRECT, REFRESH
from tests.shopify_client.raw_server import Connection, RawServer, head

ANSWER = b'{"error": "invalid_grant"}'
#: the deadline of the whole request, or httpx's read timeout for a silent server
BOUNDED = r"longer than|ReadTimeout"
CODE = "code-of-a-slow-login"


def drip_headers(connection: Connection) -> None:
    """Headers of 5,000 bytes, one byte each 0.03 s: 150 s, each read well within
    httpx's timeout (the server's lifetime ends it first)."""
    padded = head("400 Bad Request", extra="X-Pad: " + "a" * 5000, length=len(ANSWER))
    connection.drip(padded + ANSWER, every=0.03)


def drip_body(connection: Connection) -> None:
    if connection.send(head("400 Bad Request", length=len(ANSWER))):
        connection.drip(ANSWER, every=0.03)


def silent(connection: Connection) -> None:
    connection.stop.wait(4.0)


@pytest.fixture(autouse=True)
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_http, "DEADLINE", 0.5)
    monkeypatch.setattr(_http, "TIMEOUT", httpx.Timeout(0.4))
    yield


def endpoints(server: RawServer) -> ShopEndpoints:
    base = f"http://127.0.0.1:{server.port}/authentication/1"
    return ShopEndpoints(f"{base}/oauth/authorize", f"{base}/oauth/token", f"{base}/logout")


@pytest.mark.parametrize("script", [drip_headers, drip_body, silent])
def test_a_dripping_token_endpoint_ends_by_the_deadline(script: object) -> None:
    with (
        RawServer(script, lifetime=4.0) as server,  # type: ignore[arg-type]
        CustomerAccountAuth(
            client_id=CLIENT_ID, endpoints=endpoints(server), redirect_uri=REDIRECT
        ) as auth,
    ):
        login = auth.begin_login()
        with pytest.raises(TokenRequestError, match=BOUNDED) as info:
            auth.complete_login(login, f"{REDIRECT}?code={CODE}&state={login.state}")
        assert not server.stopped  # ended by the deadline, not by the server
        tokens = CustomerTokens(access_token="a", expires_at=0, refresh_token=REFRESH)
        with pytest.raises(RefreshError, match=BOUNDED):
            auth.refresh(tokens)
        assert not server.stopped
    assert CODE not in str(info.value)


@pytest.mark.parametrize("script", [drip_headers, drip_body, silent])
def test_a_dripping_discovery_document_ends_by_the_deadline(script: object) -> None:
    with RawServer(script, lifetime=4.0) as server:  # type: ignore[arg-type]
        with pytest.raises(DiscoveryError, match=BOUNDED):
            discover(f"http://127.0.0.1:{server.port}", cache=None)
        assert not server.stopped


@pytest.mark.parametrize("script", [drip_headers, drip_body, silent])
def test_a_dripping_server_ends_the_async_flow_by_the_deadline(script: object) -> None:
    async def flow(server: RawServer) -> None:
        with pytest.raises(DiscoveryError, match=BOUNDED):
            await discover_async(f"http://127.0.0.1:{server.port}", cache=None)
        async with AsyncCustomerAccountAuth(
            client_id=CLIENT_ID, endpoints=endpoints(server), redirect_uri=REDIRECT
        ) as auth:
            login = auth.begin_login()
            with pytest.raises(TokenRequestError, match=BOUNDED):
                await auth.complete_login(login, f"{REDIRECT}?code={CODE}&state={login.state}")

    with RawServer(script, lifetime=4.0) as server:  # type: ignore[arg-type]
        asyncio.run(flow(server))
        assert not server.stopped
