"""Hostile discovery documents (issue 25's outside review).

A discovery document decides where the customer's code, verifier and tokens go.
Each URL in it that is not https on Shopify's own hosts (or on the origin the caller
named) is a :class:`DiscoveryError`: the tricks here are the ones URL parsers
disagree on or a quick ``endswith`` check misses.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from shopify_client.customer_auth import DiscoveryCache, DiscoveryError, discover

SHOP = "your-store.myshopify.com"
GOOD = "https://shopify.com/authentication/1"


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "issuer": GOOD,
        "authorization_endpoint": f"{GOOD}/oauth/authorize",
        "token_endpoint": f"{GOOD}/oauth/token",
        "end_session_endpoint": f"{GOOD}/logout",
    }
    doc.update(changes)
    return doc


def client_for(docs: dict[str, dict[str, Any]], **options: Any) -> httpx.Client:
    """Serves ``docs[host]`` as the openid-configuration of each host."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/customer-account-api"):
            body: Any = {
                "graphql_api": "https://shopify.com/1/account/customer/api/2026-04/graphql"
            }
        else:
            body = docs[request.url.host]
        return httpx.Response(200, stream=httpx.ByteStream(json.dumps(body).encode()))

    return httpx.Client(transport=httpx.MockTransport(handle), **options)


@pytest.mark.parametrize(
    "target",
    [
        "https://shopify.com:8443/authentication/1/oauth/token",  # another port
        "https://accounts.shopify.com:444/oauth/token",
        "https://shopify.com./authentication/1/oauth/token",  # trailing dot
        "https://xn--shpify-wxa.com/oauth/token",  # shöpify.com, in punycode
        "https://shöpify.com/oauth/token",
        "https://evil.example\\@shopify.com/oauth/token",  # parsers split it differently
        "https://evil.example#@shopify.com/oauth/token",
        "https://evil.example?@shopify.com/oauth/token",
        "https://shopify.com@evil.example/oauth/token",
        "https://evil.example/.shopify.com/oauth/token",
        "https://evil.example%2eshopify.com/oauth/token",
        "https://127.0.0.1/oauth/token",
        "//evil.example/oauth/token",  # scheme-relative
        "/authentication/1/oauth/token",  # relative
    ],
)
def test_a_token_endpoint_off_shopify_is_refused(target: str) -> None:
    http = client_for({SHOP: document(token_endpoint=target)})
    with pytest.raises(DiscoveryError):
        discover(SHOP, http_client=http, cache=None)


@pytest.mark.parametrize(
    "issuer", ["https://evil.example/authentication/1", "http://shopify.com/authentication/1", 42]
)
def test_an_issuer_off_shopify_is_refused(issuer: object) -> None:
    """The issuer decides which ID tokens and callbacks (``iss``) are taken."""
    http = client_for({SHOP: document(issuer=issuer)})
    with pytest.raises(DiscoveryError, match="issuer"):
        discover(SHOP, http_client=http, cache=None)


def test_the_discovered_issuer_is_kept() -> None:
    endpoints = discover(SHOP, http_client=client_for({SHOP: document()}), cache=None)
    assert endpoints.issuer == GOOD


def test_a_redirect_of_the_discovery_document_is_not_followed() -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        if request.url.host == SHOP:
            return httpx.Response(302, headers={"Location": "https://evil.example/doc"})
        body = json.dumps(document()).encode()
        return httpx.Response(200, stream=httpx.ByteStream(body))

    http = httpx.Client(transport=httpx.MockTransport(handle), follow_redirects=True)
    with pytest.raises(DiscoveryError, match="302"):
        discover(SHOP, http_client=http, cache=None)
    assert seen == [SHOP]


def test_one_shops_document_never_answers_for_another() -> None:
    other = "other-store.myshopify.com"
    docs = {
        SHOP: document(),
        other: document(
            issuer="https://shopify.com/authentication/2",
            token_endpoint="https://shopify.com/authentication/2/oauth/token",
        ),
    }
    cache = DiscoveryCache()
    mine = discover(SHOP, http_client=client_for(docs), cache=cache)
    theirs = discover(other, http_client=client_for(docs), cache=cache)
    assert mine.token_endpoint.endswith("/1/oauth/token")
    assert theirs.token_endpoint.endswith("/2/oauth/token")
    assert discover(f"https://{SHOP}", cache=cache) is mine  # from the cache, no request
    refused = {SHOP: document(token_endpoint="https://evil.example/t")}
    with pytest.raises(DiscoveryError):
        discover(
            "third-store.myshopify.com",
            http_client=client_for({"third-store.myshopify.com": refused[SHOP]}),
            cache=cache,
        )
    assert len(cache) == 2  # a refused document is not cached
