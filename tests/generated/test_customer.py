"""The generated Customer Account API package: its endpoint, header and helpers."""

from __future__ import annotations

import json
import logging
import warnings

import httpx
import pytest

import shopify_customer
from shopify_client import (
    AuthenticationError,
    ConfigurationError,
    CustomerBaseClient,
    RetryPolicy,
    VersionMismatchWarning,
)
from shopify_client.toolkit import APIS, API_NAMES, endpoint_for
from shopify_customer import AsyncClient, Client, CustomerAddressInput

TOKEN = "shcat_customer-token-0123456789"
SHOP_ID = 12345678


def orders_page(after: str | None) -> dict[str, object]:
    first = after is None
    return {
        "customer": {
            "id": "gid://shopify/Customer/1",
            "displayName": "Ada",
            "emailAddress": {"emailAddress": "ada@example.com"},
            "orders": {
                "nodes": [
                    {
                        "id": f"gid://shopify/Order/{1 if first else 2}",
                        "name": "#1001" if first else "#1002",
                        "processedAt": "2026-04-01T10:00:00Z",
                        "financialStatus": "PAID",
                        "totalPrice": {"amount": "12.50", "currencyCode": "EUR"},
                    }
                ],
                "pageInfo": {"hasNextPage": first, "endCursor": "c1" if first else None},
            },
        }
    }


def test_customer_is_a_third_api() -> None:
    assert "customer" in API_NAMES
    assert APIS["customer"].token_headers == ("Authorization",)
    assert Client.api == "customer"
    assert Client.api_version == AsyncClient.api_version == "2026-04"
    assert issubclass(Client, CustomerBaseClient)


def test_endpoint_from_the_shop_id() -> None:
    expected = f"https://shopify.com/{SHOP_ID}/account/customer/api/2026-04/graphql"
    assert endpoint_for("customer", str(SHOP_ID), "2026-04") == expected
    assert Client(shop_id=SHOP_ID, access_token=TOKEN).endpoint == expected
    assert Client(shop_id=f"gid://shopify/Shop/{SHOP_ID}", access_token=TOKEN).endpoint == expected


@pytest.mark.parametrize(
    "bad",
    ["your-store.myshopify.com", "123/../admin", "-1", "0", "12 34", "１２３", "1" * 21, True, 0],
)
def test_a_shop_id_is_digits_only(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="is not a Shopify shop id"):
        Client(shop_id=bad, access_token=TOKEN)  # type: ignore[arg-type]


def test_the_token_goes_bare_in_authorization() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": orders_page(None)})

    http = httpx.Client(transport=httpx.MockTransport(handle))
    client = Client(shop_id=SHOP_ID, access_token=TOKEN, http_client=http)
    result = client.customer_orders(first=1)
    assert result.customer.orders.nodes[0].name == "#1001"
    assert seen[0].headers["Authorization"] == TOKEN  # no "Bearer " prefix
    assert str(seen[0].url) == client.endpoint
    assert TOKEN not in repr(client)


@pytest.mark.parametrize("bad", [f"Bearer {TOKEN}", f"{TOKEN}\n", "", None])
def test_a_token_that_cannot_be_sent_is_refused_unshown(bad: str | None) -> None:
    with pytest.raises(ConfigurationError) as info:
        Client(shop_id=SHOP_ID, access_token=bad)
    assert TOKEN not in str(info.value)


def test_iter_walks_every_page_of_orders() -> None:
    cursors: list[object] = []

    def handle(request: httpx.Request) -> httpx.Response:
        after = json.loads(request.content)["variables"].get("after")
        cursors.append(after)
        return httpx.Response(200, json={"data": orders_page(after)})

    http = httpx.Client(transport=httpx.MockTransport(handle))
    client = Client(shop_id=SHOP_ID, access_token=TOKEN, http_client=http)
    names = [order.name for order in client.iter_customer_orders(first=1)]
    assert names == ["#1001", "#1002"]
    assert cursors == [None, "c1"]


def test_same_retries_and_version_warnings_as_the_other_apis(
    caplog: pytest.LogCaptureFixture,
) -> None:
    answers = [
        httpx.Response(503, text="<html>busy</html>"),
        httpx.Response(
            200, json={"data": orders_page(None)}, headers={"X-Shopify-API-Version": "2026-07"}
        ),
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    http = httpx.Client(transport=httpx.MockTransport(handle))
    client = Client(
        shop_id=SHOP_ID,
        access_token=TOKEN,
        http_client=http,
        retry_policy=RetryPolicy(max_retries=1, backoff_base=0.0, backoff_max=0.0),
    )
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG):
        warnings.simplefilter("always")
        client.customer_orders(first=1)
    assert answers == []
    assert any(issubclass(w.category, VersionMismatchWarning) for w in caught)
    assert TOKEN not in caplog.text


def test_a_rejected_token_is_an_authentication_error_without_it() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"errors": [{"message": f"bad token {TOKEN}"}]})

    http = httpx.Client(transport=httpx.MockTransport(handle))
    client = Client(shop_id=SHOP_ID, access_token=TOKEN, http_client=http)
    with pytest.raises(AuthenticationError) as info:
        client.customer_address_create(address=CustomerAddressInput(city="Paris"))
    assert TOKEN not in str(info.value)


def test_the_package_exports_its_clients() -> None:
    assert shopify_customer.Client is Client
    assert hasattr(Client, "storefront_customer_access_token_create")


def test_the_per_customer_limit_429_is_retried_after_its_retry_after() -> None:
    """Shopify's per-customer limit (3,000 requests a minute, shared by every app) answers
    429 with THROTTLED and Retry-After (changelog, 2026-10-07): waited for, then retried."""
    from shopify_client import ThrottledError

    answers = [
        httpx.Response(
            429,
            json={"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]},
            headers={"Retry-After": "0"},
        ),
        httpx.Response(200, json={"data": orders_page(None)}),
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    http = httpx.Client(transport=httpx.MockTransport(handle))
    client = Client(shop_id=SHOP_ID, access_token=TOKEN, http_client=http)
    assert client.customer_orders(first=1).customer.orders.nodes
    assert answers == []
    answers.append(
        httpx.Response(
            429,
            json={"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]},
            headers={"Retry-After": "0"},
        )
    )
    once = Client(shop_id=SHOP_ID, access_token=TOKEN, http_client=http, max_retries=0)
    with pytest.raises(ThrottledError):
        once.customer_orders(first=1)
