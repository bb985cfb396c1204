"""More hostile inputs (issue 25's outside review): oversized and incomplete token
answers, shop domains that are not hosts, and stored records that would never expire."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest

from shopify_client import ConfigurationError
from shopify_client.customer_auth import (
    CustomerTokens,
    NonceMismatchError,
    TokenRequestError,
    discover,
)
from tests.shopify_client.customer_auth.helpers import (
    ACCESS,
    Endpoint,
    callback,
    json_response,
    token_answer,
)


def exchange_with(response: Any) -> None:
    endpoint = Endpoint(lambda request: json_response(b"{}"))
    auth = endpoint.sync_auth()
    login = auth.begin_login()
    endpoint.answer = lambda request: response(login)
    auth.complete_login(login, callback(login))


def test_a_huge_token_answer_is_cut_at_the_byte_cap() -> None:
    big = json.dumps({"access_token": ACCESS, "pad": "x" * 400_000}).encode()
    with pytest.raises(TokenRequestError, match="larger than"):
        exchange_with(lambda login: json_response(big))
    bomb = gzip.compress(b" " * 50_000_000)  # 50 MB of spaces in ~50 KB
    with pytest.raises(TokenRequestError, match="larger than"):
        exchange_with(
            lambda login: httpx.Response(
                200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(bomb)
            )
        )


@pytest.mark.parametrize(
    ("missing", "error"),
    [
        ("access_token", TokenRequestError),
        ("expires_in", TokenRequestError),
        ("id_token", NonceMismatchError),
    ],
)
def test_a_token_answer_missing_a_field_is_refused(missing: str, error: type) -> None:
    with pytest.raises(error):
        exchange_with(lambda login: json_response(token_answer(login, **{missing: None})))


@pytest.mark.parametrize("body", [[], "a string", None, {"access_token": 42}, {"access_token": ""}])
def test_a_token_answer_that_is_not_an_object_of_strings_is_refused(body: Any) -> None:
    with pytest.raises(TokenRequestError):
        exchange_with(lambda login: json_response(body))


@pytest.mark.parametrize("token", ["two words", "line\r\nbreak", "ünïcode", "tab\there"])
def test_an_access_token_that_cannot_be_sent_bare_is_refused(token: str) -> None:
    with pytest.raises(TokenRequestError, match="cannot be sent") as info:
        exchange_with(lambda login: json_response(token_answer(login, access_token=token)))
    assert token not in str(info.value)


@pytest.mark.parametrize(
    "shop",
    [
        "shopify.com@evil.example",
        "your-store.myshopify.com/.well-known/x",
        "your-store.myshopify.com?x=1",
        "http://your-store.myshopify.com",  # plain http off loopback
        "https://user:pw@your-store.myshopify.com",
        "your store.myshopify.com",
        "",
    ],
)
def test_a_shop_domain_that_is_not_a_host_is_refused_before_any_request(shop: str) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({})

    http = httpx.Client(transport=httpx.MockTransport(handle))
    with pytest.raises(ConfigurationError):
        discover(shop, http_client=http, cache=None)
    assert seen == []


@pytest.mark.parametrize("expires_at", [float("nan"), float("inf"), float("-inf"), 10**400])
def test_a_stored_record_that_would_never_expire_is_refused(expires_at: Any) -> None:
    with pytest.raises(ConfigurationError, match="expires_at"):
        CustomerTokens.from_dict({"access_token": ACCESS, "expires_at": expires_at})
    tokens = CustomerTokens.from_dict({"access_token": ACCESS, "expires_at": 1_700_000_000})
    assert tokens.needs_refresh()
