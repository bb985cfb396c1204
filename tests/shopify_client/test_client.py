"""The retry loop and the generated code's interface, driven through a mock transport."""

from __future__ import annotations

import gzip
import json
import warnings

import httpx
import pytest

from shopify_client import (
    AuthenticationError,
    ConfigurationError,
    GraphQLError,
    HTTPStatusError,
    InvalidResponseError,
    RetryPolicy,
    ServerError,
    ShopifyError,
    ShopUnavailableError,
    ThrottledError,
)
from shopify_client._client import WARNED_MAX
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput

ENDPOINT = "https://your-development-store.myshopify.com/api/2024-10/graphql.json"


def client_answering(
    *responses: httpx.Response, max_retries: int = 2
) -> tuple[StorefrontClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    client = StorefrontClient(
        endpoint=ENDPOINT,
        access_token=STOREFRONT_TOKEN,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
        retry_policy=RetryPolicy(
            max_retries=max_retries, backoff_base=0.001, backoff_max=0.002, wait_max=0.5
        ),
    )
    return client, seen


def test_a_mutation_after_a_fragment_is_not_retried_after_a_503() -> None:
    client, seen = client_answering(httpx.Response(503, text="busy"))
    with client, pytest.raises(ServerError):
        client.execute("fragment F on Customer { id }\nmutation M { x }", "M")
    assert len(seen) == 1


def test_retry_after_on_a_503_is_honoured(caplog: pytest.LogCaptureFixture) -> None:
    client, seen = client_answering(
        httpx.Response(503, text="busy", headers={"Retry-After": "0.25"}),
        httpx.Response(200, json={"data": {"customer": None}}),
    )
    with client:
        client.customer(customer_access_token="t")
    assert len(seen) == 2
    assert "in 0.25s" in caplog.text


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(401, json={"errors": [{"message": 5}]}), AuthenticationError),
        (httpx.Response(500, content=b"[" * 100_000), ServerError),
        (
            httpx.Response(
                200,
                headers={"Content-Encoding": "gzip"},
                stream=httpx.ByteStream(b"not gzip at all"),
            ),
            InvalidResponseError,
        ),
    ],
    ids=["non-string error message", "deeply nested 500 body", "bad gzip"],
)
def test_odd_bodies_raise_typed_errors(response: httpx.Response, error: type[ShopifyError]) -> None:
    client, _ = client_answering(response, max_retries=0)
    with client, pytest.raises(error):
        client.customer(customer_access_token="t")


def test_deeply_nested_error_extensions_are_redacted_not_a_crash() -> None:
    deep: object = {"password": "hunter2-deep"}
    for _ in range(900):
        deep = {"x": deep}
    body = {"errors": [{"message": "bad", "extensions": {"value": deep}}]}
    client, _ = client_answering(httpx.Response(200, json=body), max_retries=0)
    with client, pytest.raises(GraphQLError) as info:
        client.customer(customer_access_token="t")
    assert "hunter2-deep" not in repr(info.value.errors)


def test_valid_gzip_still_parses() -> None:
    payload = gzip.compress(json.dumps({"data": {"customer": None}}).encode())
    client, _ = client_answering(
        httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(payload)),
        max_retries=0,
    )
    with client:
        assert client.customer(customer_access_token="t").customer is None


# -- from real Shopify payloads -----------------------------------------------------


def test_a_403_unavailable_shop_is_not_an_authentication_error() -> None:
    # https://shopify.dev/docs/api/usage/response-codes: "Unavailable Shop" (403) for a
    # shop marked as fraudulent: the token is fine, asking the user to check it misleads.
    client, seen = client_answering(
        httpx.Response(403, text="Unavailable Shop", headers={"X-Request-Id": "r-403"})
    )
    with client, pytest.raises(ShopUnavailableError) as info:
        client.customer(customer_access_token="t")
    assert not isinstance(info.value, AuthenticationError)
    assert info.value.status_code == 403
    assert info.value.request_id == "r-403"
    assert len(seen) == 1


def test_a_423_locked_shop_is_shop_unavailable() -> None:
    body = {"errors": "This shop is unavailable"}
    client, _ = client_answering(httpx.Response(423, json=body))
    with client, pytest.raises(ShopUnavailableError) as info:
        client.customer(customer_access_token="t")
    assert info.value.status_code == 423


def test_a_plain_403_is_still_an_authentication_error() -> None:
    body = {"errors": "[API] This action requires merchant approval for read_orders scope."}
    client, _ = client_answering(httpx.Response(403, json=body))
    with client, pytest.raises(AuthenticationError, match="read_orders"):
        client.customer(customer_access_token="t")


def test_a_non_2xx_json_body_keeps_shopify_error_codes() -> None:
    body = {
        "errors": [
            {
                "message": "This shop's plan does not allow this.",
                "extensions": {"code": "PAYMENT_REQUIRED"},
            }
        ]
    }
    client, _ = client_answering(httpx.Response(402, json=body))
    with client, pytest.raises(HTTPStatusError) as info:
        client.customer(customer_access_token="t")
    assert info.value.codes == ["PAYMENT_REQUIRED"]
    assert info.value.errors[0].message == "This shop's plan does not allow this."


def test_a_string_error_body_is_one_error_without_code() -> None:
    client, _ = client_answering(httpx.Response(401, json={"errors": "[API] Invalid token"}))
    with client, pytest.raises(AuthenticationError) as info:
        client.customer(customer_access_token="t")
    assert [e.message for e in info.value.errors] == ["[API] Invalid token"]
    assert info.value.codes == []


INTERNAL = {
    "errors": [
        {
            "message": "Internal error. Looks like something went wrong on our end.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "abc"},
        }
    ]
}


def test_internal_server_error_in_a_200_is_retried_for_a_query() -> None:
    client, seen = client_answering(
        httpx.Response(200, json=INTERNAL), httpx.Response(200, json={"data": {"customer": None}})
    )
    with client:
        assert client.customer(customer_access_token="t").customer is None
    assert len(seen) == 2


def test_internal_server_error_in_a_200_is_not_retried_for_a_mutation() -> None:
    client, seen = client_answering(httpx.Response(200, json=INTERNAL))
    with client, pytest.raises(GraphQLError) as info:
        client.execute("mutation M { x }", "M")
    assert info.value.codes == ["INTERNAL_SERVER_ERROR"]
    assert len(seen) == 1


def test_the_older_throttled_body_without_a_code_is_throttled_with_its_cost() -> None:
    body = {
        "errors": [{"message": "Throttled"}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 50,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 1000.0,
                    "currentlyAvailable": 10,
                    "restoreRate": 50.0,
                },
            }
        },
    }
    client, _ = client_answering(httpx.Response(200, json=body), max_retries=0)
    with client, pytest.raises(ThrottledError) as info:
        client.customer(customer_access_token="t")
    assert info.value.cost is not None
    assert info.value.cost.requested == 50.0
    assert info.value.cost.seconds_until_available() == 0.8


def test_a_parse_error_carries_the_request_id_and_status() -> None:
    client, _ = client_answering(
        httpx.Response(
            200, json={"data": {"customer": {"id": 5}}}, headers={"X-Request-Id": "r-parse"}
        )
    )
    with client, pytest.raises(InvalidResponseError) as info:
        client.customer(customer_access_token="t")
    assert info.value.request_id == "r-parse"
    assert info.value.status_code == 200
    assert "r-parse" in str(info.value)


def test_get_data_is_still_a_plain_dict_of_the_data() -> None:
    client, _ = client_answering(httpx.Response(200, json={"data": {"customer": None}}))
    with client:
        data = client.get_data(client.execute("{ customer { id } }"))
    assert data == {"customer": None}
    assert isinstance(data, dict)


def test_a_secret_variable_value_is_scrubbed_from_error_messages() -> None:
    echo = {"errors": [{"message": "Invalid password 'hunter2-secret' for a@example.com"}]}
    client, _ = client_answering(
        httpx.Response(200, json=echo),
        httpx.Response(500, text="saw hunter2-secret"),
        max_retries=0,
    )
    login = CustomerAccessTokenCreateInput(email="a@example.com", password="hunter2-secret")
    with client, pytest.raises(GraphQLError) as info:
        client.customer_access_token_create(input=login)
    assert "hunter2-secret" not in str(info.value)
    assert "hunter2-secret" not in repr(info.value.errors)
    with client, pytest.raises(ServerError) as info2:
        client.customer_access_token_create(input=login)
    assert "hunter2-secret" not in str(info2.value)


# -- configuration ------------------------------------------------------------------


def test_max_retries_and_a_different_retry_policy_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        StorefrontClient(
            endpoint=ENDPOINT,
            access_token=STOREFRONT_TOKEN,
            max_retries=5,
            retry_policy=RetryPolicy(max_retries=1),
        )
    same = StorefrontClient(
        endpoint=ENDPOINT,
        access_token=STOREFRONT_TOKEN,
        max_retries=1,
        retry_policy=RetryPolicy(max_retries=1),
    )
    with same:
        assert same.retry_policy.max_retries == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "64"])
def test_max_response_bytes_must_be_a_positive_int(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="max_response_bytes"):
        StorefrontClient(
            endpoint=ENDPOINT,
            access_token=STOREFRONT_TOKEN,
            max_response_bytes=bad,  # type: ignore[arg-type]
        )


def test_warned_header_values_are_bounded_per_client(caplog: pytest.LogCaptureFixture) -> None:
    counter = iter(range(10_000))

    def handle(request: httpx.Request) -> httpx.Response:
        n = next(counter)
        return httpx.Response(
            200,
            json={"data": {"customer": None}},
            headers={
                "X-Shopify-API-Deprecated-Reason": f"reason {n}",
                "X-Shopify-API-Version": f"2023-{n % 12 + 1:02d}-{n}",
            },
        )

    client = StorefrontClient(
        endpoint=ENDPOINT,
        access_token=STOREFRONT_TOKEN,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    with client, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(300):
            client.customer(customer_access_token="t")
    assert len(client._deprecations_logged) <= WARNED_MAX
    assert len(client._mismatch_warned) <= WARNED_MAX
