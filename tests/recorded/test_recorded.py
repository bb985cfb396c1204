"""The generated clients against recorded Shopify responses (VCR.py cassettes).

Each test replays its cassette in ``cassettes/``; see conftest.py for recording.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import warnings

import pytest

from shopify_admin import Client as AdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client import (
    AuthenticationError,
    RetryPolicy,
    SecurityRejectionError,
    ServerError,
    ThrottledError,
    UserErrorsError,
    raise_for_user_errors,
)
from shopify_client.testing import FakeShopify, Fault
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput, CustomerErrorCode
from tests.recorded.conftest import Store

pytestmark = [
    pytest.mark.vcr,
    pytest.mark.filterwarnings("ignore::shopify_client.UnsupportedVersionWarning"),
    pytest.mark.filterwarnings("ignore::shopify_client.VersionMismatchWarning"),
]

NO_RETRIES = RetryPolicy(max_retries=0)


def storefront(store: Store, **kwargs: object) -> StorefrontClient:
    return StorefrontClient(
        shop=store.shop,
        access_token=store.storefront_token,
        http_client=store.http_client(),
        **kwargs,  # type: ignore[arg-type]
    )


def test_customer_login_flow(store: Store) -> None:
    with storefront(store) as client:
        created = client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email=store.email, password=store.password)
        )
        payload = raise_for_user_errors(created.customer_access_token_create)
        assert payload is not None and payload.customer_access_token is not None
        token = payload.customer_access_token
        assert isinstance(token.expires_at, dt.datetime)
        assert token.expires_at.tzinfo is not None
        assert token.access_token

        result = client.customer(customer_access_token=token.access_token)
        customer = result.customer
        assert customer is not None
        assert customer.email == store.email
        assert customer.id.startswith("gid://shopify/Customer/")
        assert isinstance(customer.created_at, dt.datetime)
        assert isinstance(customer.number_of_orders, int)


def test_wrong_password_is_a_typed_user_error(store: Store) -> None:
    with storefront(store) as client:
        created = client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email=store.email, password="not-the-password-42")
        )
    payload = created.customer_access_token_create
    assert payload is not None and payload.customer_access_token is None
    assert [e.code for e in payload.customer_user_errors] == [
        CustomerErrorCode.UNIDENTIFIED_CUSTOMER
    ]
    with pytest.raises(UserErrorsError) as info:
        raise_for_user_errors(payload)
    assert info.value.codes == ["UNIDENTIFIED_CUSTOMER"]


def test_invalid_token_is_an_authentication_error(store: Store) -> None:
    client = StorefrontClient(
        shop=store.shop, access_token="not-a-valid-token-0000", http_client=store.http_client()
    )
    with client, pytest.raises(AuthenticationError) as info:
        client.customer(customer_access_token="whatever-token-1")
    assert info.value.status_code == 401
    assert "Invalid API key or access token" in str(info.value)
    assert "not-a-valid-token-0000" not in str(info.value)


def test_admin_creates_a_storefront_token(store: Store) -> None:
    with AdminClient(
        shop=store.shop, access_token=store.admin_token, http_client=store.http_client()
    ) as admin:
        result = admin.storefront_access_token_create(
            input=StorefrontAccessTokenInput(title="Recorded test token")
        )
        payload = raise_for_user_errors(result.storefront_access_token_create)
        assert payload is not None and payload.storefront_access_token is not None
        created = payload.storefront_access_token
        assert created.title == "Recorded test token"
        assert "unauthenticated_read_product_listings" in [s.handle for s in created.access_scopes]
        assert isinstance(created.created_at, dt.datetime)
        cost = admin.last_cost
        assert cost is not None and cost.actual is not None and cost.restore_rate is not None


def test_throttled_admin_call_carries_cost(store: Store, fake_only: FakeShopify | None) -> None:
    if fake_only is not None:
        fake_only.enqueue(Fault("throttled"))
    with (
        AdminClient(
            shop=store.shop,
            access_token=store.admin_token,
            http_client=store.http_client(),
            retry_policy=NO_RETRIES,
        ) as admin,
        pytest.raises(ThrottledError) as info,
    ):
        admin.storefront_access_token_create(
            input=StorefrontAccessTokenInput(title="Throttled token")
        )
    assert info.value.cost is not None
    assert info.value.cost.seconds_until_available() == pytest.approx(0.005)


def test_security_rejection_430(store: Store, fake_only: FakeShopify | None) -> None:
    if fake_only is not None:
        fake_only.enqueue(Fault.security_rejection())
    with (
        storefront(store, retry_policy=NO_RETRIES) as client,
        pytest.raises(SecurityRejectionError) as info,
    ):
        client.customer(customer_access_token="any-token-430")
    assert info.value.status_code == 430


def test_server_error_html_page(store: Store, fake_only: FakeShopify | None) -> None:
    if fake_only is not None:
        fake_only.enqueue(Fault.html_error(503))
    with storefront(store, retry_policy=NO_RETRIES) as client, pytest.raises(ServerError) as info:
        client.customer(customer_access_token="any-token-503")
    assert info.value.status_code == 503
    assert "HTML page" in str(info.value)


def test_async_customer_login_flow(store: Store) -> None:
    async def flow() -> str | None:
        async with AsyncStorefrontClient(
            shop=store.shop,
            access_token=store.storefront_token,
            http_client=store.async_http_client(),
        ) as client:
            created = await client.customer_access_token_create(
                input=CustomerAccessTokenCreateInput(email=store.email, password=store.password)
            )
            payload = raise_for_user_errors(created.customer_access_token_create)
            assert payload is not None and payload.customer_access_token is not None
            result = await client.customer(
                customer_access_token=payload.customer_access_token.access_token
            )
            return result.customer.email if result.customer else None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert asyncio.run(flow()) == store.email
