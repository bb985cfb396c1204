"""``call_as_customer``: a 401 before the local expiry (a token Shopify ended early)
is met with one refresh and one more call; ``ensure_fresh`` alone cannot see it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from shopify_customer import AsyncClient as AsyncCustomerClient
from shopify_customer import Client as CustomerClient

from shopify_client import AuthenticationError
from shopify_client.customer_auth import (
    AsyncCustomerAccountAuth,
    CustomerAccountAuth,
    CustomerTokens,
    RefreshError,
    call_as_customer,
    call_as_customer_async,
    discover,
)
from shopify_client.testing import CUSTOMER_CLIENT_ID, FakeShopify

REDIRECT = "https://app.example/account/authorize"


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        yield shop


def auth_for(fake: FakeShopify) -> CustomerAccountAuth:
    return CustomerAccountAuth(
        client_id=CUSTOMER_CLIENT_ID,
        endpoints=discover(fake.customer.origin, cache=None),
        redirect_uri=REDIRECT,
    )


def orders_of(fake: FakeShopify, tokens: CustomerTokens) -> str:
    endpoint = fake.endpoint("customer", CustomerClient.api_version)
    with CustomerClient(endpoint=endpoint, access_token=tokens.access_token) as client:
        return client.customer_orders(first=1).customer.id


def test_a_token_ended_early_is_refreshed_once_and_the_call_made_again(
    fake: FakeShopify,
) -> None:
    auth = auth_for(fake)
    tokens = fake.customer.login()
    fake.customer.expire_access_tokens()  # Shopify ended it; the local expiry is ahead
    assert auth.ensure_fresh(tokens) is tokens  # the trap: nothing to refresh, it thinks
    with pytest.raises(AuthenticationError):
        orders_of(fake, tokens)
    calls: list[str] = []

    def call(given: CustomerTokens) -> str:
        calls.append(given.access_token)
        return orders_of(fake, given)

    customer_id, renewed = call_as_customer(auth, tokens, call)
    assert customer_id.startswith("gid://shopify/Customer/")
    assert calls == [tokens.access_token, renewed.access_token]
    assert renewed.access_token != tokens.access_token
    assert renewed.refresh_token != tokens.refresh_token  # rotated: store these


def test_fresh_tokens_are_used_once_and_not_refreshed(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    tokens = fake.customer.login()
    calls: list[CustomerTokens] = []

    def call(given: CustomerTokens) -> str:
        calls.append(given)
        return orders_of(fake, given)

    _, kept = call_as_customer(auth, tokens, call)
    assert kept is tokens and calls == [tokens]


def test_a_refused_refresh_is_a_refresh_error_without_the_tokens(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    tokens = fake.customer.login()
    fake.customer.revoke_all()  # a logout elsewhere: the refresh token is gone too
    with pytest.raises(RefreshError) as info:
        call_as_customer(auth, tokens, lambda given: orders_of(fake, given))
    shown = f"{info.value!r} {info.value} {info.value.__context__!r} {info.value.__cause__!r}"
    assert tokens.refresh_token is not None
    assert tokens.access_token not in shown and tokens.refresh_token not in shown


def test_a_second_401_propagates_and_does_not_chain_the_first(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    tokens = fake.customer.login()
    seen: list[str] = []

    def call(given: CustomerTokens) -> str:
        seen.append(given.access_token)
        fake.customer.expire_access_tokens()  # every token ended before it is used
        return orders_of(fake, given)

    with pytest.raises(AuthenticationError) as info:
        call_as_customer(auth, tokens, call)
    assert len(seen) == 2  # one refresh, one retry, no loop
    assert info.value.__context__ is None


def test_other_errors_are_not_met_with_a_refresh(fake: FakeShopify) -> None:
    auth = auth_for(fake)
    tokens = fake.customer.login()
    calls = 0

    def call(given: CustomerTokens) -> str:
        nonlocal calls
        calls += 1
        raise ValueError("the app's own bug")

    with pytest.raises(ValueError, match="own bug"):
        call_as_customer(auth, tokens, call)
    assert calls == 1


def test_the_async_helper_refreshes_once_too(fake: FakeShopify) -> None:
    async def main() -> tuple[str, CustomerTokens, CustomerTokens]:
        endpoints = discover(fake.customer.origin, cache=None)
        async with AsyncCustomerAccountAuth(
            client_id=CUSTOMER_CLIENT_ID, endpoints=endpoints, redirect_uri=REDIRECT
        ) as auth:
            tokens = fake.customer.login()
            fake.customer.expire_access_tokens()

            async def call(given: CustomerTokens) -> str:
                async with AsyncCustomerClient(
                    endpoint=fake.endpoint("customer", AsyncCustomerClient.api_version),
                    access_token=given.access_token,
                ) as client:
                    return (await client.customer_orders(first=1)).customer.id

            customer_id, renewed = await call_as_customer_async(auth, tokens, call)
            return customer_id, tokens, renewed

    customer_id, tokens, renewed = asyncio.run(main())
    assert customer_id.startswith("gid://shopify/Customer/")
    assert renewed.access_token != tokens.access_token
