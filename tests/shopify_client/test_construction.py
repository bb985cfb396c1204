"""Constructor arguments, the headers actually sent, closing, and token-free reprs."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from shopify_admin import AsyncClient as AsyncAdminClient
from shopify_admin import Client as AdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client import (
    ConfigurationError,
    RetryPolicy,
    StorefrontBaseClient,
    __version__,
)
from shopify_client.testing import (
    ADMIN_TOKEN,
    PRIVATE_STOREFRONT_TOKEN,
    STOREFRONT_TOKEN,
    FakeShopify,
)
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.conftest import ADMIN_VERSION, STOREFRONT_VERSION, header

SHOP = "your-store.myshopify.com"


# -- which credentials are accepted ------------------------------------------------------


def test_storefront_needs_a_token() -> None:
    with pytest.raises(ConfigurationError, match="exactly one of access_token=") as info:
        StorefrontClient(shop=SHOP)
    assert "private_access_token=" in str(info.value)


def test_storefront_refuses_both_tokens() -> None:
    with pytest.raises(ConfigurationError, match="exactly one of access_token=") as info:
        StorefrontClient(
            shop=SHOP, access_token=STOREFRONT_TOKEN, private_access_token=PRIVATE_STOREFRONT_TOKEN
        )
    assert STOREFRONT_TOKEN not in str(info.value)
    assert PRIVATE_STOREFRONT_TOKEN not in str(info.value)


def test_async_storefront_checks_tokens_too() -> None:
    with pytest.raises(ConfigurationError, match="exactly one of"):
        AsyncStorefrontClient(shop=SHOP)


def test_buyer_ip_only_with_a_private_token() -> None:
    with pytest.raises(ConfigurationError, match="buyer_ip"):
        StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN, buyer_ip="203.0.113.7")
    with StorefrontClient(
        shop=SHOP, private_access_token=PRIVATE_STOREFRONT_TOKEN, buyer_ip="203.0.113.7"
    ):
        pass


@pytest.mark.parametrize("token", ["", "   "])
def test_blank_tokens_are_refused(token: str) -> None:
    with pytest.raises(ConfigurationError, match="non-empty"):
        StorefrontClient(shop=SHOP, access_token=token)
    with pytest.raises(ConfigurationError, match="non-empty"):
        StorefrontClient(shop=SHOP, private_access_token=token)
    with pytest.raises(ConfigurationError, match="non-empty"):
        AdminClient(shop=SHOP, access_token=token)


def test_admin_needs_an_access_token() -> None:
    with pytest.raises(ConfigurationError, match="access_token="):
        AdminClient(shop=SHOP)
    with pytest.raises(ConfigurationError, match="access_token="):
        AsyncAdminClient(shop=SHOP)


def test_admin_has_no_storefront_token_arguments() -> None:
    with pytest.raises(TypeError):
        AdminClient(shop=SHOP, private_access_token=ADMIN_TOKEN)  # type: ignore[call-arg]


def test_shop_xor_endpoint() -> None:
    with pytest.raises(ConfigurationError, match="exactly one of shop="):
        StorefrontClient(access_token=STOREFRONT_TOKEN)
    with pytest.raises(ConfigurationError, match="exactly one of shop="):
        StorefrontClient(
            shop=SHOP,
            endpoint=f"https://{SHOP}/api/2024-10/graphql.json",
            access_token=STOREFRONT_TOKEN,
        )
    with pytest.raises(ConfigurationError, match="exactly one of shop="):
        AdminClient(access_token=ADMIN_TOKEN)


def test_the_customer_client_names_its_own_keyword_shop_id() -> None:
    """The Customer Account API takes the shop's numeric id, not a domain: the error
    names the keyword it has (``shop=`` would be a TypeError)."""
    from shopify_customer import Client as CustomerClient

    expected = r"exactly one of shop_id= \(the shop's numeric id\)"
    with pytest.raises(ConfigurationError, match=expected):
        CustomerClient(access_token="shcat_" + "a" * 40)


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        StorefrontClient(SHOP, STOREFRONT_TOKEN)  # type: ignore[call-arg]


def test_the_base_class_without_a_version_cannot_be_used() -> None:
    with pytest.raises(ConfigurationError, match="api_version"):
        StorefrontBaseClient(shop=SHOP, access_token=STOREFRONT_TOKEN)


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN, max_retries=-1)


def test_max_retries_and_retry_policy() -> None:
    with StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN, max_retries=5) as client:
        assert client.retry_policy.max_retries == 5
    policy = RetryPolicy(max_retries=1, backoff_base=0.01)
    with StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN, retry_policy=policy) as client:
        assert client.retry_policy is policy


# -- the headers that reach the server ---------------------------------------------------


def test_public_storefront_token_header(fake: FakeShopify) -> None:
    with StorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION), access_token=STOREFRONT_TOKEN
    ) as client:
        client.customer(customer_access_token="nobody")
    sent = fake.requests[-1].headers
    assert header(sent, "X-Shopify-Storefront-Access-Token") == STOREFRONT_TOKEN
    assert header(sent, "Shopify-Storefront-Private-Token") is None
    assert header(sent, "Shopify-Storefront-Buyer-IP") is None
    assert header(sent, "X-Shopify-Access-Token") is None
    assert fake.requests[-1].path == "/api/2024-10/graphql.json"


def test_private_storefront_token_and_buyer_ip_headers(fake: FakeShopify) -> None:
    with StorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
        private_access_token=PRIVATE_STOREFRONT_TOKEN,
        buyer_ip="203.0.113.7",
    ) as client:
        client.customer(customer_access_token="nobody")
    sent = fake.requests[-1].headers
    assert header(sent, "Shopify-Storefront-Private-Token") == PRIVATE_STOREFRONT_TOKEN
    assert header(sent, "Shopify-Storefront-Buyer-IP") == "203.0.113.7"
    assert header(sent, "X-Shopify-Storefront-Access-Token") is None


def test_private_token_without_buyer_ip_sends_no_buyer_ip(fake: FakeShopify) -> None:
    with StorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
        private_access_token=PRIVATE_STOREFRONT_TOKEN,
    ) as client:
        client.customer(customer_access_token="nobody")
    assert header(fake.requests[-1].headers, "Shopify-Storefront-Buyer-IP") is None


def test_admin_token_header(fake: FakeShopify) -> None:
    with AdminClient(
        endpoint=fake.endpoint("admin", ADMIN_VERSION), access_token=ADMIN_TOKEN
    ) as client:
        client.storefront_access_token_create(input=StorefrontAccessTokenInput(title="headers"))
    sent = fake.requests[-1].headers
    assert header(sent, "X-Shopify-Access-Token") == ADMIN_TOKEN
    assert header(sent, "X-Shopify-Storefront-Access-Token") is None
    assert fake.requests[-1].path == "/admin/api/2024-01/graphql.json"


def test_common_headers_and_body(fake: FakeShopify) -> None:
    with StorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION), access_token=STOREFRONT_TOKEN
    ) as client:
        client.customer(customer_access_token="nobody")
    recorded = fake.requests[-1]
    assert header(recorded.headers, "Content-Type") == "application/json"
    assert header(recorded.headers, "Accept") == "application/json"
    user_agent = header(recorded.headers, "User-Agent")
    assert user_agent is not None
    assert user_agent.startswith(f"shopify-graphql-typed/{__version__}")
    assert recorded.body is not None
    assert recorded.body["operationName"] == "customer"
    assert recorded.body["variables"] == {"customerAccessToken": "nobody"}
    assert "query customer" in recorded.body["query"]


def test_async_clients_send_the_same_headers(fake: FakeShopify) -> None:
    async def main() -> None:
        async with AsyncStorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
            private_access_token=PRIVATE_STOREFRONT_TOKEN,
            buyer_ip="2001:db8::1",
        ) as storefront:
            await storefront.customer(customer_access_token="nobody")
        async with AsyncAdminClient(
            endpoint=fake.endpoint("admin", ADMIN_VERSION), access_token=ADMIN_TOKEN
        ) as admin:
            await admin.storefront_access_token_create(
                input=StorefrontAccessTokenInput(title="async")
            )

    asyncio.run(main())
    storefront_sent, admin_sent = (r.headers for r in fake.requests)
    assert header(storefront_sent, "Shopify-Storefront-Private-Token") == PRIVATE_STOREFRONT_TOKEN
    assert header(storefront_sent, "Shopify-Storefront-Buyer-IP") == "2001:db8::1"
    assert header(admin_sent, "X-Shopify-Access-Token") == ADMIN_TOKEN
    for sent in (storefront_sent, admin_sent):
        assert header(sent, "Content-Type") == "application/json"
        ua = header(sent, "User-Agent")
        assert ua is not None and ua.startswith(f"shopify-graphql-typed/{__version__}")


def test_per_call_headers_are_added(fake: FakeShopify) -> None:
    with StorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION), access_token=STOREFRONT_TOKEN
    ) as client:
        client.customer(customer_access_token="nobody", headers={"X-Trace": "abc"})
    sent = fake.requests[-1].headers
    assert header(sent, "X-Trace") == "abc"
    assert header(sent, "X-Shopify-Storefront-Access-Token") == STOREFRONT_TOKEN


def test_unknown_per_call_keyword_is_a_type_error(fake: FakeShopify) -> None:
    with (
        StorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION), access_token=STOREFRONT_TOKEN
        ) as client,
        pytest.raises(TypeError, match="bogus"),
    ):
        client.customer(customer_access_token="nobody", bogus=1)  # type: ignore[call-arg]
    assert fake.requests == []


def test_caller_supplied_client_is_used(fake: FakeShopify) -> None:
    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(str(request.url))

    with (
        httpx.Client(event_hooks={"request": [hook]}) as http,
        StorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
            access_token=STOREFRONT_TOKEN,
            http_client=http,
        ) as client,
    ):
        client.customer(customer_access_token="nobody")
    assert seen == [fake.endpoint("storefront", STOREFRONT_VERSION)]


# -- closing -------------------------------------------------------------------------------


def test_context_manager_closes_its_own_http_client() -> None:
    with StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN) as client:
        assert not client._http.is_closed
    assert client._http.is_closed


def test_close_closes_its_own_http_client() -> None:
    client = AdminClient(shop=SHOP, access_token=ADMIN_TOKEN)
    client.close()
    assert client._http.is_closed


def test_context_manager_leaves_a_caller_supplied_client_open(fake: FakeShopify) -> None:
    with httpx.Client() as http:
        with StorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
            access_token=STOREFRONT_TOKEN,
            http_client=http,
        ) as client:
            client.customer(customer_access_token="nobody")
        assert not http.is_closed
        # still usable by its owner
        with AdminClient(
            endpoint=fake.endpoint("admin", ADMIN_VERSION),
            access_token=ADMIN_TOKEN,
            http_client=http,
        ) as admin:
            admin.storefront_access_token_create(input=StorefrontAccessTokenInput(title="again"))
        assert not http.is_closed
    assert http.is_closed


def test_async_context_manager_closes_its_own_http_client() -> None:
    async def main() -> AsyncStorefrontClient:
        async with AsyncStorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN) as client:
            assert not client._http.is_closed
        return client

    client = asyncio.run(main())
    assert client._http.is_closed


def test_async_aclose_closes_its_own_http_client() -> None:
    async def main() -> AsyncAdminClient:
        client = AsyncAdminClient(shop=SHOP, access_token=ADMIN_TOKEN)
        await client.aclose()
        return client

    assert asyncio.run(main())._http.is_closed


def test_async_context_manager_leaves_a_caller_supplied_client_open(fake: FakeShopify) -> None:
    async def main() -> None:
        async with httpx.AsyncClient() as http:
            async with AsyncStorefrontClient(
                endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
                access_token=STOREFRONT_TOKEN,
                http_client=http,
            ) as client:
                await client.customer(customer_access_token="nobody")
            assert not http.is_closed
        assert http.is_closed

    asyncio.run(main())
    assert len(fake.requests) == 1


def test_exit_closes_even_when_the_block_raises() -> None:
    client = StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN)
    with pytest.raises(RuntimeError), client:
        raise RuntimeError("boom")
    assert client._http.is_closed


# -- reprs ---------------------------------------------------------------------------------


def test_reprs_never_contain_the_token() -> None:
    clients = [
        StorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN),
        StorefrontClient(
            shop=SHOP, private_access_token=PRIVATE_STOREFRONT_TOKEN, buyer_ip="203.0.113.7"
        ),
        AdminClient(shop=SHOP, access_token=ADMIN_TOKEN),
    ]
    try:
        for client in clients:
            text = repr(client)
            assert "[REDACTED]" in text
            assert SHOP in text
            for secret in (STOREFRONT_TOKEN, PRIVATE_STOREFRONT_TOKEN, ADMIN_TOKEN):
                assert secret not in text
                assert secret not in str(client)
    finally:
        for client in clients:
            client.close()


def test_async_reprs_never_contain_the_token() -> None:
    async def main() -> list[str]:
        async with (
            AsyncStorefrontClient(shop=SHOP, access_token=STOREFRONT_TOKEN) as storefront,
            AsyncAdminClient(shop=SHOP, access_token=ADMIN_TOKEN) as admin,
        ):
            return [repr(storefront), repr(admin)]

    for text in asyncio.run(main()):
        assert STOREFRONT_TOKEN not in text
        assert ADMIN_TOKEN not in text
        assert "[REDACTED]" in text


def test_repr_names_api_and_version() -> None:
    with AdminClient(shop=SHOP, access_token=ADMIN_TOKEN) as client:
        text = repr(client)
    assert "admin" in text and "2024-01" in text


def test_a_callers_http_client_is_not_given_our_token(fake: FakeShopify) -> None:
    http_client = httpx.Client()
    with StorefrontClient(
        endpoint=fake.endpoint("storefront", StorefrontClient.api_version),
        access_token=STOREFRONT_TOKEN,
        http_client=http_client,
    ) as client:
        client.customer(customer_access_token="nobody")
    assert fake.requests[-1].headers["X-Shopify-Storefront-Access-Token"] == STOREFRONT_TOKEN
    assert "X-Shopify-Storefront-Access-Token" not in http_client.headers
    assert not http_client.is_closed
    http_client.close()


@pytest.mark.parametrize("shop", [SHOP, "12345678"])
def test_the_customer_client_answers_shop_with_how_to_address_it(shop: str) -> None:
    """README's "each Client takes shop= or endpoint=": the Customer client answers
    shop= with a ConfigurationError saying what it takes (not a TypeError naming a
    private class), for the sync and the async client."""
    from shopify_customer import AsyncClient as AsyncCustomerClient
    from shopify_customer import Client as CustomerClient

    for cls in (CustomerClient, AsyncCustomerClient):
        with pytest.raises(ConfigurationError) as info:
            cls(shop=shop, access_token="shcat_" + "a" * 40)  # type: ignore[arg-type]
        message = str(info.value)
        assert "shop_id=" in message and "endpoint=" in message
        assert "graphql_endpoint(" in message and "endpoints_for_shop_id" in message
        assert "_CustomerClient" not in message
