"""Tokens, buyer_ip and per-call headers are checked before anything is sent."""

from __future__ import annotations

import logging

import httpx
import pytest

from shopify_admin import Client as AdminClient
from shopify_client import ConfigurationError, TransportError
from shopify_client.testing import FakeShopify
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.conftest import closed_port

SHOP = "your-store.myshopify.com"
SECRET = "shpat_0123456789abcdef"


@pytest.mark.parametrize(
    "token",
    [
        SECRET + "\n",  # a file read with its trailing newline
        " " + SECRET,
        SECRET + "\r\nX-Evil: 1",
        "shpat_01234 56789",
        "shpat_0123456789abcdéf",
        "shpat_\x00123456789",
        "shpat_\t123456789",
    ],
    ids=["newline", "space", "crlf", "inner-space", "non-ascii", "nul", "tab"],
)
def test_a_token_that_cannot_be_a_header_is_refused_at_construction(token: str) -> None:
    for build in (
        lambda: StorefrontClient(shop=SHOP, access_token=token),
        lambda: StorefrontClient(shop=SHOP, private_access_token=token),
        lambda: AsyncStorefrontClient(shop=SHOP, access_token=token),
        lambda: AdminClient(shop=SHOP, access_token=token),
    ):
        with pytest.raises(ConfigurationError) as info:
            build()
        text = str(info.value)
        assert "01234" not in text and "0123456789" not in text
        assert "token" in text
        assert info.value.__cause__ is None


def test_a_transport_error_is_not_chained_to_what_httpx_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # httpcore's exceptions (and DEBUG log) may quote header values: none is chained.
    caplog.set_level(logging.DEBUG)
    client = AdminClient(
        endpoint=f"http://127.0.0.1:{closed_port()}/admin/api/2024-01/graphql.json",
        access_token=SECRET,
        max_retries=0,
    )
    with client, pytest.raises(TransportError) as info:
        client.execute("{ shop { name } }")
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__
    assert info.value.request_sent is False
    assert SECRET not in caplog.text


@pytest.mark.parametrize("ip", ["203.0.113.7", "2001:db8::1", "::ffff:203.0.113.7"])
def test_buyer_ip_takes_v4_and_v6_addresses(ip: str) -> None:
    with StorefrontClient(shop=SHOP, private_access_token=SECRET, buyer_ip=ip) as client:
        assert client._headers["Shopify-Storefront-Buyer-IP"] in (ip, "::ffff:cb00:7107")


@pytest.mark.parametrize(
    "ip", ["", "localhost", "203.0.113.7\r\nX-Evil: 1", "203.0.113.7 ", "1.2.3", "::g"]
)
def test_buyer_ip_that_is_not_an_address_is_refused(ip: str) -> None:
    with pytest.raises(ConfigurationError, match="buyer_ip"):
        StorefrontClient(shop=SHOP, private_access_token=SECRET, buyer_ip=ip)


@pytest.mark.parametrize(
    "headers",
    [{"X-Trace": "a\r\nX-Evil: 1"}, {"X-Trace": "é"}, {"Bad Name": "x"}, {"X-Trace\n": "x"}],
)
def test_per_call_headers_that_could_inject_are_refused(
    fake: FakeShopify, headers: dict[str, str]
) -> None:
    with (
        StorefrontClient(
            endpoint=fake.endpoint("storefront", "2024-10"), access_token=SECRET
        ) as client,
        pytest.raises(ConfigurationError),
    ):
        client.customer(customer_access_token="t", headers=headers)
    assert fake.requests == []


def test_a_good_per_call_header_is_sent(fake: FakeShopify) -> None:
    http = httpx.Client()
    with (
        http,
        StorefrontClient(
            endpoint=fake.endpoint("storefront", "2024-10"),
            access_token="fake-storefront-token-0001",
            http_client=http,
        ) as client,
    ):
        client.customer(customer_access_token="t", headers={"X-Trace": "abc 1"})
    assert fake.requests[0].headers.get("X-Trace") == "abc 1"
