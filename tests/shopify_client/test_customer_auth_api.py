"""shopify_client.customer_auth's public names, its error tree, and Shopify's real URLs
served in-process by FakeShopify's transport."""

from __future__ import annotations

import pickle

import httpx
import pytest
from shopify_customer import Client as CustomerClient

from shopify_client import ShopifyError, customer_auth
from shopify_client.customer_auth import (
    AuthorizationDeniedError,
    CustomerAccountAuth,
    CustomerAuthError,
    DiscoveryError,
    NonceMismatchError,
    RefreshError,
    StateMismatchError,
    TokenRequestError,
    endpoints_for_shop_id,
    storefront_customer_access_token,
)
from shopify_client.testing import CUSTOMER_CLIENT_ID, FAKE_SHOP_ID, FakeShopify


def test_every_public_name_exists() -> None:
    assert sorted(customer_auth.__all__) == sorted(set(customer_auth.__all__))
    for name in customer_auth.__all__:
        assert getattr(customer_auth, name) is not None


@pytest.mark.parametrize(
    "error",
    [
        TokenRequestError("refused", error="invalid_grant", status_code=400),
        RefreshError("refused", error="invalid_grant", status_code=400),
        DiscoveryError("off Shopify", url="https://shop.example/.well-known/x"),
        AuthorizationDeniedError("denied", error="access_denied"),
        StateMismatchError("state"),
        NonceMismatchError("nonce"),
    ],
)
def test_errors_are_shopify_errors_and_pickle(error: CustomerAuthError) -> None:
    assert isinstance(error, ShopifyError)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert vars(again) == vars(error)


def test_shopify_com_urls_end_to_end_through_the_in_process_transport() -> None:
    """The documented URLs (shopify.com/authentication/{id}/oauth/..., the API at
    shopify.com/{id}/account/customer/api/...), no socket: FakeShopify.transport()."""
    with FakeShopify() as fake:
        http = httpx.Client(transport=fake.transport())
        endpoints = endpoints_for_shop_id(FAKE_SHOP_ID)
        auth = CustomerAccountAuth(
            client_id=CUSTOMER_CLIENT_ID,
            endpoints=endpoints,
            redirect_uri="https://app.example/callback",
            http_client=http,
        )
        login = auth.begin_login()
        callback = http.get(login.url).headers["location"]
        tokens = auth.complete_login(login, callback)
        client = CustomerClient(
            shop_id=FAKE_SHOP_ID, access_token=tokens.access_token, http_client=http
        )
        assert client.customer_orders(first=1).customer.id
        token = storefront_customer_access_token(client)
        assert token in fake.customer_tokens
        hosts = {r.path.split("/")[1] for r in fake.requests}
        assert hosts == {"authentication", FAKE_SHOP_ID}


def test_the_fake_logs_a_customer_in_without_the_oauth_round() -> None:
    """``fake.customer.login()``: tokens the API takes at once, expiring as the flow's
    would, revoked by ``revoke_all`` as a logout elsewhere revokes them."""
    with FakeShopify() as fake:
        tokens = fake.customer.login()
        assert isinstance(tokens, customer_auth.CustomerTokens)
        assert 0 < tokens.expires_in() <= fake.customer.token_lifetime
        assert tokens.access_token not in repr(tokens)
        with CustomerClient(
            endpoint=fake.endpoint("customer", CustomerClient.api_version),
            access_token=tokens.access_token,
        ) as client:
            assert client.customer_orders(first=1).customer.id
            fake.customer.revoke_all()
            with pytest.raises(ShopifyError):
                client.customer_orders(first=1)
        assert fake.customer.active_access_tokens() == 0
