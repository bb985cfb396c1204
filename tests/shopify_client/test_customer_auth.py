"""The customer login flow of new customer accounts, end to end on FakeShopify."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from shopify_customer import AsyncClient as AsyncCustomerClient
from shopify_customer import Client as CustomerClient
from shopify_customer import CustomerAddressInput

from shopify_client.customer_auth import (
    AsyncCustomerAccountAuth,
    CustomerAccountAuth,
    CustomerTokens,
    DiscoveryCache,
    LoginRequest,
    RefreshError,
    TokenRequestError,
    discover,
    discover_async,
    endpoints_for_shop_id,
    pkce_challenge,
    storefront_customer_access_token,
    storefront_customer_access_token_async,
)
from shopify_client.testing import CUSTOMER_CLIENT_ID, FakeShopify
from shopify_storefront import Client as StorefrontClient

REDIRECT = "https://app.example/account/authorize"


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as server:
        yield server


def log_in(url: str) -> str:
    """What the customer's browser does: the authorize page redirects to the callback."""
    answer = httpx.get(url, follow_redirects=False, trust_env=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def auth_for(fake: FakeShopify, client_secret: str | None = None) -> CustomerAccountAuth:
    endpoints = discover(fake.customer.origin, cache=None)
    return CustomerAccountAuth(
        client_id=CUSTOMER_CLIENT_ID,
        endpoints=endpoints,
        redirect_uri=REDIRECT,
        client_secret=client_secret,
    )


# -- the URLs -----------------------------------------------------------------------------


def test_documented_urls_from_the_shop_id() -> None:
    endpoints = endpoints_for_shop_id(68817551382)
    base = "https://shopify.com/authentication/68817551382"
    assert endpoints.authorization_endpoint == f"{base}/oauth/authorize"
    assert endpoints.token_endpoint == f"{base}/oauth/token"
    assert endpoints.end_session_endpoint == f"{base}/logout"
    assert endpoints.graphql_api == (
        "https://shopify.com/68817551382/account/customer/api/2026-04/graphql"
    )


def test_the_authorization_url_carries_state_nonce_and_an_s256_challenge() -> None:
    auth = CustomerAccountAuth(
        client_id=CUSTOMER_CLIENT_ID,
        endpoints=endpoints_for_shop_id(1),
        redirect_uri=REDIRECT,
    )
    login = auth.begin_login(extra_params={"locale": "fr"})
    query = {k: v[0] for k, v in parse_qs(urlsplit(login.url).query).items()}
    assert query["scope"] == "openid email customer-account-api:full"
    assert query["response_type"] == "code" and query["client_id"] == CUSTOMER_CLIENT_ID
    assert query["redirect_uri"] == REDIRECT and query["locale"] == "fr"
    assert query["state"] == login.state and query["nonce"] == login.nonce
    assert query["code_challenge_method"] == "S256"
    digest = hashlib.sha256(login.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert query["code_challenge"] == pkce_challenge(login.code_verifier)
    assert login.code_verifier not in login.url
    assert 43 <= len(login.code_verifier) <= 128
    other = auth.begin_login()
    assert len({login.state, other.state, login.nonce, other.nonce}) == 4
    for secret in (login.state, login.nonce, login.code_verifier):
        assert secret not in repr(login)
    assert LoginRequest.from_dict(login.to_dict()) == login


# -- the whole flow -----------------------------------------------------------------------


def test_public_client_logs_in_queries_refreshes_bridges_and_logs_out(fake: FakeShopify) -> None:
    with auth_for(fake) as auth:
        login = auth.begin_login()
        tokens = auth.complete_login(login, log_in(login.url))
        assert tokens.refresh_token and tokens.id_token
        assert 3590 < tokens.expires_in() <= 3600
        assert tokens.access_token not in repr(tokens)
        assert CustomerTokens.from_dict(tokens.to_dict()) == tokens

        endpoint = auth.endpoints.graphql_endpoint(CustomerClient.api_version)
        assert endpoint == fake.customer.graphql_endpoint("2026-04")
        with CustomerClient(endpoint=endpoint, access_token=tokens.access_token) as client:
            orders = client.customer_orders(first=2)
            assert orders.customer.id
            created = client.customer_address_create(address=CustomerAddressInput(city="Lyon"))
            assert created.customer_address_create is not None
            storefront_token = storefront_customer_access_token(client)
        sent = [r for r in fake.requests if r.path.endswith("/graphql")]
        assert sent and all(r.headers["Authorization"] == tokens.access_token for r in sent)

        # the bridge: the Storefront client's customer(...) takes the token
        with StorefrontClient(
            endpoint=fake.endpoint("storefront", StorefrontClient.api_version),
            access_token=fake.storefront_token,
        ) as storefront:
            customer = storefront.customer(customer_access_token=storefront_token)
            assert customer.customer is not None and customer.customer.email == fake.email

        assert auth.ensure_fresh(tokens) is tokens  # an hour left: nothing sent
        assert fake.customer.token_requests == ["authorization_code"]
        renewed = auth.ensure_fresh(tokens, margin=7200)
        assert renewed.access_token != tokens.access_token
        assert renewed.id_token == tokens.id_token
        assert fake.customer.token_requests == ["authorization_code", "refresh_token"]

        url = auth.logout_url(renewed, post_logout_redirect_uri="https://app.example/")
        assert url.startswith(auth.endpoints.end_session_endpoint + "?id_token_hint=")
        answer = httpx.get(url, follow_redirects=False, trust_env=False)
        assert answer.headers["location"] == "https://app.example/"
        assert fake.customer.active_access_tokens() == 0


def test_confidential_client_sends_basic_credentials(fake: FakeShopify) -> None:
    fake.customer.client_secret = "fake-client-secret-0001"
    with auth_for(fake, client_secret="fake-client-secret-0001") as auth:
        assert auth.confidential
        login = auth.begin_login()
        tokens = auth.complete_login(login, log_in(login.url))
        assert tokens.access_token
        assert "fake-client-secret-0001" not in repr(auth)
    with auth_for(fake, client_secret="a-wrong-secret") as wrong:
        login = wrong.begin_login()
        with pytest.raises(TokenRequestError) as info:
            wrong.complete_login(login, log_in(login.url))
        assert info.value.error == "invalid_client" and info.value.status_code == 401
        assert "a-wrong-secret" not in str(info.value)


def test_a_failed_refresh_is_a_refresh_error_not_a_logout(fake: FakeShopify) -> None:
    with auth_for(fake) as auth:
        login = auth.begin_login()
        tokens = auth.complete_login(login, log_in(login.url))
        fake.customer.revoke_all()
        with pytest.raises(RefreshError) as info:
            auth.refresh(tokens)
        assert info.value.error == "invalid_grant" and info.value.status_code == 400
        assert tokens.refresh_token is not None
        assert tokens.refresh_token not in str(info.value)
        no_refresh = CustomerTokens(access_token="x", expires_at=time.time() - 1)
        with pytest.raises(RefreshError, match="no refresh token"):
            auth.ensure_fresh(no_refresh)


def test_discovery_is_cached_and_bounded(fake: FakeShopify) -> None:
    cache = DiscoveryCache(max_entries=1)
    first = discover(fake.customer.origin, cache=cache)
    gets = len(fake.requests)
    assert discover(fake.customer.origin, cache=cache) is first
    assert len(fake.requests) == gets  # served from the cache
    cache.put("https://other.example", first)
    assert len(cache) == 1 and cache.get(fake.customer.origin) is None


def test_the_async_flow(fake: FakeShopify) -> None:
    async def flow() -> str:
        endpoints = await discover_async(fake.customer.origin, cache=None)
        async with AsyncCustomerAccountAuth(
            client_id=CUSTOMER_CLIENT_ID, endpoints=endpoints, redirect_uri=REDIRECT
        ) as auth:
            login = auth.begin_login()
            async with httpx.AsyncClient(trust_env=False) as browser:
                callback = (await browser.get(login.url)).headers["location"]
            tokens = await auth.complete_login(login, callback)
            tokens = await auth.ensure_fresh(tokens, margin=10_000)
            async with AsyncCustomerClient(
                endpoint=endpoints.graphql_endpoint("2026-04"), access_token=tokens.access_token
            ) as client:
                await client.customer_orders(first=1)
                return await storefront_customer_access_token_async(client)

    token = asyncio.run(flow())
    assert token in fake.customer_tokens
