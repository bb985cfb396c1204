"""Refreshes under attack and under load (issue 25's outside review).

Shopify rotates refresh tokens, so two refreshes of the same tokens race: before,
the loser got ``invalid_grant`` and the customer was logged out although nothing
was wrong. A refresh answer naming another customer is not taken; a failed
refresh keeps the refresh token out of its traceback.
"""

from __future__ import annotations

import asyncio
import threading
import traceback
from collections.abc import Iterator

import httpx
import pytest

from shopify_client.customer_auth import (
    AsyncCustomerAccountAuth,
    CustomerAccountAuth,
    CustomerTokens,
    RefreshError,
    discover,
)
from shopify_client.testing import CUSTOMER_CLIENT_ID, FakeShopify
from tests.shopify_client.customer_auth.helpers import (
    ACCESS,
    CLIENT_ID,
    REDIRECT,
    REFRESH,
    Endpoint,
    id_token,
    json_response,
    token_answer,
)


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as server:
        yield server


def logged_in(fake: FakeShopify) -> tuple[CustomerAccountAuth, CustomerTokens]:
    auth = CustomerAccountAuth(
        client_id=CUSTOMER_CLIENT_ID,
        endpoints=discover(fake.customer.origin, cache=None),
        redirect_uri=REDIRECT,
    )
    login = auth.begin_login()
    back = httpx.get(login.url, trust_env=False).headers["location"]
    return auth, auth.complete_login(login, back)


def test_racing_refreshes_of_one_customer_share_one_request(fake: FakeShopify) -> None:
    auth, tokens = logged_in(fake)
    start = threading.Barrier(8)
    results: list[CustomerTokens | BaseException] = []

    def tab() -> None:
        start.wait()
        try:
            results.append(auth.refresh(tokens))
        except RefreshError as exc:
            results.append(exc)

    threads = [threading.Thread(target=tab) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []  # before: 7 of the 8 were invalid_grant, a forced logout
    assert len({r.access_token for r in results if isinstance(r, CustomerTokens)}) == 1
    assert fake.customer.token_requests.count("refresh_token") == 1
    again = auth.refresh(tokens)  # another tab, a moment later, with the old tokens
    assert again.access_token == results[0].access_token  # type: ignore[union-attr]
    assert fake.customer.token_requests.count("refresh_token") == 1
    newer = auth.refresh(again)  # the renewed tokens refresh for real
    assert newer.access_token != again.access_token


def test_racing_async_refreshes_share_one_request(fake: FakeShopify) -> None:
    endpoints = discover(fake.customer.origin, cache=None)
    _, tokens = logged_in(fake)

    async def tabs() -> list[CustomerTokens]:
        async with AsyncCustomerAccountAuth(
            client_id=CUSTOMER_CLIENT_ID, endpoints=endpoints, redirect_uri=REDIRECT
        ) as auth:
            return list(await asyncio.gather(*(auth.refresh(tokens) for _ in range(6))))

    renewed = asyncio.run(tabs())
    assert len({t.access_token for t in renewed}) == 1
    assert fake.customer.token_requests.count("refresh_token") == 1


def test_two_customers_never_share_a_refresh(fake: FakeShopify) -> None:
    auth, first = logged_in(fake)
    login = auth.begin_login()
    second = auth.complete_login(login, httpx.get(login.url, trust_env=False).headers["location"])
    a, b = auth.refresh(first), auth.refresh(second)
    assert a.access_token != b.access_token
    assert fake.customer.token_requests.count("refresh_token") == 2


def test_a_failed_refresh_is_not_remembered() -> None:
    answers = iter([json_response({"error": "temporarily_unavailable"}, 503)])

    def answer(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or json_response(token_answer(None))

    endpoint = Endpoint(answer)
    auth = endpoint.sync_auth()
    tokens = CustomerTokens(access_token=ACCESS, expires_at=0, refresh_token=REFRESH)
    with pytest.raises(RefreshError) as info:
        auth.refresh(tokens)
    assert info.value.status_code == 503
    assert auth.refresh(tokens).access_token == ACCESS
    assert len(endpoint.requests) == 2


def test_a_refresh_naming_another_customer_is_refused() -> None:
    old = id_token(iss="https://shopify.com/authentication/1", aud=CLIENT_ID, sub="customer-1")
    for other in (
        id_token(iss="https://shopify.com/authentication/1", aud=CLIENT_ID, sub="customer-2"),
        id_token(iss="https://evil.example", aud=CLIENT_ID, sub="customer-1"),
        id_token(iss="https://shopify.com/authentication/1", aud="shp_other", sub="customer-1"),
        "not-a-jwt",
    ):
        endpoint = Endpoint(
            lambda request, other=other: json_response(  # type: ignore[misc]
                token_answer(None, id_token=other)
            )
        )
        tokens = CustomerTokens(
            access_token="old", expires_at=0, refresh_token=REFRESH, id_token=old
        )
        with pytest.raises(RefreshError, match="same customer"):
            endpoint.sync_auth().refresh(tokens)
    same = id_token(iss="https://shopify.com/authentication/1", aud=CLIENT_ID, sub="customer-1")
    endpoint = Endpoint(lambda request: json_response(token_answer(None, id_token=same)))
    renewed = endpoint.sync_auth().refresh(
        CustomerTokens(access_token="old", expires_at=0, refresh_token=REFRESH, id_token=old)
    )
    assert renewed.id_token == same


def test_a_failed_refresh_keeps_the_refresh_token_out_of_the_traceback() -> None:
    endpoint = Endpoint(lambda request: json_response({"error": "invalid_grant"}, 400))
    tokens = CustomerTokens(access_token=ACCESS, expires_at=0, refresh_token=REFRESH)
    with pytest.raises(RefreshError) as info:
        endpoint.sync_auth().refresh(tokens)
    shown = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    ours = [f for f in shown.stack if "/tests/" not in f.filename]
    assert ours and REFRESH not in "".join(repr(f.locals) for f in ours)
    assert info.value.error == "invalid_grant"
