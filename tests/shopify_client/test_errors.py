"""Each way Shopify can fail becomes the matching typed ShopifyError (FakeShopify, real sockets)."""

from __future__ import annotations

import asyncio
import json
import pickle
from typing import Any

import pytest

from shopify_admin import Client as AdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client import (
    AuthenticationError,
    ConfigurationError,
    GraphQLError,
    GraphQLErrorDetail,
    HTTPStatusError,
    InvalidResponseError,
    InvalidVariablesError,
    QueryCost,
    ResponseTooLargeError,
    SecurityRejectionError,
    ServerError,
    ShopifyError,
    ShopUnavailableError,
    ThrottledError,
    TransportError,
    UserErrorsError,
    raise_for_user_errors,
)
from shopify_client.testing import (
    ADMIN_TOKEN,
    DEMO_EMAIL,
    PRIVATE_STOREFRONT_TOKEN,
    FakeShopify,
    Fault,
)
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput, CustomerErrorCode
from tests.shopify_client.conftest import (
    ADMIN_VERSION,
    STOREFRONT_VERSION,
    fast_policy,
)

WRONG_TOKEN = "wrong-token-6f1d2c9a"
GOOD_CUSTOMER: dict[str, Any] = {
    "id": "gid://shopify/Customer/1",
    "firstName": "Ghaida",
    "lastName": None,
    "displayName": "Ghaida",
    "acceptsMarketing": False,
    "email": DEMO_EMAIL,
    "phone": None,
    "numberOfOrders": "0",
    "createdAt": "2023-03-01T09:15:00Z",
    "updatedAt": "2024-11-26T12:00:00Z",
}


def storefront(fake: FakeShopify, *, token: str = PRIVATE_STOREFRONT_TOKEN) -> StorefrontClient:
    return StorefrontClient(
        endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
        private_access_token=token,
        buyer_ip="203.0.113.7",
        retry_policy=fast_policy(max_retries=2),
    )


def customer_body(**changes: object) -> bytes:
    return json.dumps({"data": {"customer": {**GOOD_CUSTOMER, **changes}}}).encode()


# -- HTTP status errors --------------------------------------------------------------------


def test_401_is_an_authentication_error(fake: FakeShopify) -> None:
    with storefront(fake, token=WRONG_TOKEN) as client, pytest.raises(AuthenticationError) as info:
        client.customer(customer_access_token="nobody")
    error = info.value
    assert isinstance(error, HTTPStatusError) and isinstance(error, ShopifyError)
    assert error.status_code == 401
    assert error.request_id
    assert error.request_id in str(error)
    assert "Invalid API key or access token" in str(error)
    assert WRONG_TOKEN not in str(error)
    assert WRONG_TOKEN not in repr(error)
    assert len(fake.requests) == 1  # never retried


def test_401_on_admin(fake: FakeShopify) -> None:
    with (
        AdminClient(
            endpoint=fake.endpoint("admin", ADMIN_VERSION),
            access_token=WRONG_TOKEN,
            retry_policy=fast_policy(),
        ) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.storefront_access_token_create(input=StorefrontAccessTokenInput(title="x"))
    assert info.value.status_code == 401
    assert WRONG_TOKEN not in str(info.value)
    assert fake.executed["StorefrontAccessTokenCreate"] == 0


def test_401_echoing_the_token_is_scrubbed(fake: FakeShopify) -> None:
    fake.enqueue(Fault.http(401, json.dumps({"errors": f"Invalid token {WRONG_TOKEN}"})))
    with storefront(fake, token=WRONG_TOKEN) as client, pytest.raises(AuthenticationError) as info:
        client.customer(customer_access_token="nobody")
    assert WRONG_TOKEN not in str(info.value)
    assert "[REDACTED]" in str(info.value)


def test_403_is_an_authentication_error(fake: FakeShopify) -> None:
    body = json.dumps({"errors": "This action requires merchant approval for read_customers."})
    fake.enqueue(Fault.http(403, body))
    with storefront(fake) as client, pytest.raises(AuthenticationError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.status_code == 403
    assert "merchant approval" in str(info.value)


def test_430_is_a_security_rejection(fake: FakeShopify) -> None:
    fake.enqueue(Fault.security_rejection())
    with storefront(fake) as client, pytest.raises(SecurityRejectionError) as info:
        client.customer(customer_access_token="nobody")
    assert isinstance(info.value, HTTPStatusError)
    assert info.value.status_code == 430
    assert "buyer_ip" in str(info.value)
    assert len(fake.requests) == 1


def test_500_html_is_a_server_error(fake: FakeShopify) -> None:
    # Queries are retried on 502/503/504 but not on 500 (see test_retries).
    fake.enqueue(Fault.html_error(500))
    with storefront(fake) as client, pytest.raises(ServerError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.status_code == 500
    assert info.value.request_id
    assert "<html" not in str(info.value).lower()
    assert "HTML page" in str(info.value)


def test_503_html_is_retried_for_queries_then_raised(fake: FakeShopify) -> None:
    fake.enqueue(*[Fault.html_error(503)] * 3)
    with storefront(fake) as client, pytest.raises(ServerError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.status_code == 503
    assert len(fake.requests) == 3  # max_retries=2


def test_5xx_json_message_is_kept(fake: FakeShopify) -> None:
    fake.enqueue(Fault.http(500, json.dumps({"errors": [{"message": "Internal error"}]})))
    with storefront(fake) as client, pytest.raises(ServerError, match="Internal error"):
        client.customer(customer_access_token="nobody")


def test_other_4xx_is_an_http_status_error(fake: FakeShopify) -> None:
    fake.enqueue(Fault.http(404, json.dumps({"errors": "Not Found"})))
    with storefront(fake) as client, pytest.raises(HTTPStatusError) as info:
        client.customer(customer_access_token="nobody")
    assert type(info.value) is HTTPStatusError
    assert info.value.status_code == 404
    assert "Not Found" in str(info.value)


# -- unusable bodies -----------------------------------------------------------------------


def test_200_html_is_an_invalid_response(fake: FakeShopify) -> None:
    page = "<!DOCTYPE html><html><body>Checking your browser</body></html>"
    fake.enqueue(Fault.http(200, page, Content_Type="text/html; charset=utf-8"))
    with storefront(fake) as client, pytest.raises(InvalidResponseError, match="HTML") as info:
        client.customer(customer_access_token="nobody")
    assert info.value.status_code == 200
    assert info.value.request_id
    assert len(fake.requests) == 1


def test_200_html_labelled_json_is_still_html(fake: FakeShopify) -> None:
    fake.enqueue(Fault.http(200, "  <html><body>maintenance</body></html>"))
    with storefront(fake) as client, pytest.raises(InvalidResponseError, match="HTML"):
        client.customer(customer_access_token="nobody")


def test_truncated_body_is_a_transport_error(fake: FakeShopify) -> None:
    # FakeShopify announces the full Content-Length and closes halfway: httpx sees an
    # incomplete body (RemoteProtocolError), i.e. a TransportError, not a parse failure.
    fake.enqueue(*[Fault("truncated")] * 3)
    with storefront(fake) as client, pytest.raises(TransportError) as info:
        client.customer(customer_access_token="nobody")
    assert isinstance(info.value, ShopifyError)
    assert info.value.request_sent is True
    assert fake.executed["customer"] == 3  # a query: retried, then raised


def test_truncated_json_with_matching_length_is_an_invalid_response(fake: FakeShopify) -> None:
    whole = customer_body()
    fake.enqueue(Fault.http(200, whole[: len(whole) // 2]))
    with storefront(fake) as client, pytest.raises(InvalidResponseError, match="truncated"):
        client.customer(customer_access_token="nobody")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"foo": 1}', "neither 'data' nor 'errors'"),
        (b"{}", "neither 'data' nor 'errors'"),
        (b'{"data": null}', "neither 'data' nor 'errors'"),
        (b"[1, 2]", "not an object"),
        (b'"data"', "not an object"),
        (b'{"data": [1]}', "not an object"),
        (b"not json at all", "not JSON"),
        (b"", "not JSON"),
        (b'{"data": "\xff\xfe"}', "UTF-8"),
    ],
)
def test_bodies_that_are_not_graphql_answers(fake: FakeShopify, body: bytes, message: str) -> None:
    fake.enqueue(Fault.http(200, body))
    with storefront(fake) as client, pytest.raises(InvalidResponseError, match=message):
        client.customer(customer_access_token="nobody")
    assert len(fake.requests) == 1


def test_deeply_nested_json_is_an_invalid_response(fake: FakeShopify) -> None:
    fake.enqueue(Fault.http(200, b'{"data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"))
    with storefront(fake) as client, pytest.raises(InvalidResponseError, match="too deeply"):
        client.customer(customer_access_token="nobody")


def test_data_that_does_not_fit_the_types_names_the_field(fake: FakeShopify) -> None:
    fake.enqueue(Fault.http(200, customer_body(createdAt="not a date")))
    with storefront(fake) as client, pytest.raises(InvalidResponseError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.path == "customer.createdAt"
    assert "createdAt" in str(info.value)
    assert "Customer" in str(info.value)
    assert "not a date" not in str(info.value)  # input values are not echoed


def test_missing_required_field_names_the_field(fake: FakeShopify) -> None:
    body = {"data": {"customer": {k: v for k, v in GOOD_CUSTOMER.items() if k != "displayName"}}}
    fake.enqueue(Fault.http(200, json.dumps(body)))
    with storefront(fake) as client, pytest.raises(InvalidResponseError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.path == "customer.displayName"


def test_unknown_enum_value_is_accepted_not_an_error(fake: FakeShopify) -> None:
    # Shopify adds enum values inside a published version: ShopifyEnum keeps them.
    body = {
        "data": {
            "customerAccessTokenCreate": {
                "customerAccessToken": None,
                "customerUserErrors": [{"code": "NOT_A_CODE_YET", "field": None, "message": "x"}],
            }
        }
    }
    fake.enqueue(Fault.http(200, json.dumps(body)))
    with storefront(fake) as client:
        result = client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email="a@example.com", password="x")
        )
    payload = result.customer_access_token_create
    assert payload is not None
    code = payload.customer_user_errors[0].code
    assert code is not None and code.value == "NOT_A_CODE_YET" and not code.is_known
    with pytest.raises(UserErrorsError) as info:
        raise_for_user_errors(payload)
    assert info.value.codes == ["NOT_A_CODE_YET"]


# -- GraphQL errors ------------------------------------------------------------------------


def test_graphql_errors_are_a_graphql_error(fake: FakeShopify) -> None:
    body = {
        "data": None,
        "errors": [
            {
                "message": "Field 'bogus' doesn't exist on type 'Customer'",
                "locations": [{"line": 3, "column": 5}],
                "path": ["query customer", "customer", "bogus"],
                "extensions": {"code": "undefinedField", "typeName": "Customer"},
            },
            {"message": "second", "path": ["customer", 0]},
        ],
    }
    fake.enqueue(Fault.http(200, json.dumps(body)))
    with storefront(fake) as client, pytest.raises(GraphQLError) as info:
        client.customer(customer_access_token="nobody")
    error = info.value
    assert error.errors[0].message == "Field 'bogus' doesn't exist on type 'Customer'"
    assert error.errors[0].path == ("query customer", "customer", "bogus")
    assert error.errors[0].code == "undefinedField"
    assert error.errors[0].extensions["typeName"] == "Customer"
    assert error.errors[1].path == ("customer", 0)
    assert error.errors[1].code is None
    assert error.codes == ["undefinedField"]
    assert error.data is None
    assert error.request_id
    assert "doesn't exist" in str(error) and "[undefinedField]" in str(error)
    assert len(fake.requests) == 1


def test_graphql_error_keeps_partial_data(fake: FakeShopify) -> None:
    body = {
        "data": {"customer": None},
        "errors": [{"message": "Access denied", "extensions": {"code": "ACCESS_DENIED"}}],
    }
    fake.enqueue(Fault.http(200, json.dumps(body)))
    with storefront(fake) as client, pytest.raises(GraphQLError) as info:
        client.customer(customer_access_token="nobody")
    assert info.value.data == {"customer": None}
    assert info.value.codes == ["ACCESS_DENIED"]


def test_string_errors_become_one_detail(fake: FakeShopify) -> None:
    fake.enqueue(Fault.http(200, json.dumps({"errors": "Parse error on line 1"})))
    with storefront(fake) as client, pytest.raises(GraphQLError) as info:
        client.customer(customer_access_token="nobody")
    assert [e.message for e in info.value.errors] == ["Parse error on line 1"]


def test_a_document_the_schema_refuses_is_a_graphql_error(fake: FakeShopify) -> None:
    with storefront(fake) as client, pytest.raises(GraphQLError) as info:
        client.execute("query nope { shop { nope } }", operation_name="nope")
    assert info.value.codes == ["undefinedField"]
    assert "Cannot query field 'nope' on type 'Shop'" in str(info.value)


# -- user errors ---------------------------------------------------------------------------


def test_wrong_password_gives_typed_user_errors(fake: FakeShopify) -> None:
    with storefront(fake) as client:
        result = client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password="wrong-pass-3141")
        )
    payload = result.customer_access_token_create
    assert payload is not None
    assert payload.customer_access_token is None
    assert payload.customer_user_errors[0].code == CustomerErrorCode.UNIDENTIFIED_CUSTOMER
    assert payload.customer_user_errors[0].message == "Unidentified customer"

    with pytest.raises(UserErrorsError) as info:
        raise_for_user_errors(payload)
    assert info.value.codes == ["UNIDENTIFIED_CUSTOMER"]
    assert isinstance(info.value, ShopifyError)
    assert "UNIDENTIFIED_CUSTOMER" in str(info.value)
    assert "Unidentified customer" in str(info.value)
    assert "wrong-pass-3141" not in str(info.value)
    assert info.value.user_errors == payload.customer_user_errors


def test_raise_for_user_errors_passes_clean_payloads_through(fake: FakeShopify) -> None:
    with AdminClient(
        endpoint=fake.endpoint("admin", ADMIN_VERSION), access_token=ADMIN_TOKEN
    ) as client:
        result = client.storefront_access_token_create(input=StorefrontAccessTokenInput(title="t"))
    payload = result.storefront_access_token_create
    assert raise_for_user_errors(payload) is payload
    assert raise_for_user_errors(None) is None


def test_raise_for_admin_user_errors_without_code(fake: FakeShopify) -> None:
    fake.storefront_tokens.extend(f"t{i}" for i in range(100))  # the shop is full
    with AdminClient(
        endpoint=fake.endpoint("admin", ADMIN_VERSION), access_token=ADMIN_TOKEN
    ) as client:
        result = client.storefront_access_token_create(input=StorefrontAccessTokenInput(title="t"))
    with pytest.raises(UserErrorsError, match="maximum of 100") as info:
        raise_for_user_errors(result.storefront_access_token_create)
    assert info.value.codes == []
    assert "(field: input)" in str(info.value)


# -- async and the hierarchy ---------------------------------------------------------------


def test_async_errors_are_typed_the_same(fake: FakeShopify) -> None:
    fake.enqueue(Fault.security_rejection(), Fault.http(200, b'{"foo": 1}'))

    async def main() -> list[ShopifyError]:
        caught: list[ShopifyError] = []
        async with AsyncStorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
            access_token="wrong-async-token",
            retry_policy=fast_policy(),
        ) as client:
            for _ in range(3):
                try:
                    await client.customer(customer_access_token="nobody")
                except ShopifyError as error:
                    caught.append(error)
        return caught

    errors = asyncio.run(main())
    assert [type(e) for e in errors] == [
        SecurityRejectionError,
        InvalidResponseError,
        AuthenticationError,
    ]
    assert all("wrong-async-token" not in str(e) for e in errors)


@pytest.mark.parametrize(
    "fault",
    [
        Fault.http(401, b"{}"),
        Fault.security_rejection(),
        Fault.html_error(500),
        Fault.html_error(503),
        Fault.http(200, b"<html></html>"),
        Fault.http(200, b'{"foo": 1}'),
        Fault.http(200, b'{"errors": [{"message": "x"}]}'),
        Fault.too_many_requests("0"),
        Fault("throttled"),
        Fault("drop_after_read"),
        Fault("truncated"),
    ],
)
def test_every_failure_is_a_shopify_error(fake: FakeShopify, fault: Fault) -> None:
    fake.enqueue(fault)
    with (
        StorefrontClient(
            endpoint=fake.endpoint("storefront", STOREFRONT_VERSION),
            private_access_token=PRIVATE_STOREFRONT_TOKEN,
            max_retries=0,
        ) as client,
        pytest.raises(ShopifyError),
    ):
        client.customer(customer_access_token="nobody")


def test_user_errors_are_found_by_type_under_any_name_or_alias() -> None:
    from pydantic import BaseModel, Field

    class CheckoutUserError(BaseModel):
        field: list[str] | None
        message: str
        code: str | None = None

    class Payload(BaseModel):
        checkout_user_errors: list[CheckoutUserError] = Field(alias="checkoutUserErrors")
        problems: list[CheckoutUserError] | None = None  # an alias chosen in the query
        names: list[str] = []

    payload = Payload.model_validate(
        {
            "checkoutUserErrors": [{"field": ["email"], "message": "bad", "code": "INVALID"}],
            "problems": [{"field": None, "message": "also bad"}],
            "names": ["not an error"],
        }
    )
    with pytest.raises(UserErrorsError) as info:
        raise_for_user_errors(payload)
    assert [e.message for e in info.value.user_errors] == ["bad", "also bad"]
    assert info.value.codes == ["INVALID"]
    clean = Payload.model_validate({"checkoutUserErrors": [], "problems": None})
    assert raise_for_user_errors(clean) is clean


# -- errors cross process boundaries ----------------------------------------------------

COST = QueryCost(
    requested=10.0,
    actual=None,
    maximum_available=1000.0,
    currently_available=5.0,
    restore_rate=50.0,
)
DETAIL = GraphQLErrorDetail("Throttled", ("products",), "THROTTLED", {"code": "THROTTLED"})
EVERY_ERROR: list[ShopifyError] = [
    ShopifyError("plain"),
    ConfigurationError("bad shop"),
    InvalidVariablesError("variable $input: a value of type set", variable="input"),
    TransportError("ReadTimeout", request_sent=True, status_code=200, request_id="r-1"),
    HTTPStatusError("HTTP 402", status_code=402, request_id="r-2", errors=[DETAIL]),
    AuthenticationError("HTTP 401", status_code=401, request_id=None),
    ShopUnavailableError("HTTP 403", status_code=403, request_id=None),
    SecurityRejectionError("HTTP 430", status_code=430, request_id=None),
    ServerError("HTTP 503", status_code=503, request_id="r-3", retry_after=2.0),
    ThrottledError("THROTTLED", status_code=200, retry_after=None, cost=COST, request_id="r"),
    GraphQLError([DETAIL], data={"shop": None}, request_id="r-4"),
    InvalidResponseError("HTML page", status_code=502, request_id=None, path="shop.name"),
    ResponseTooLargeError("too large", status_code=200, request_id=None, limit=1024),
    UserErrorsError([DETAIL]),
]


@pytest.mark.parametrize("error", EVERY_ERROR, ids=lambda e: type(e).__name__)
def test_every_error_pickles_whole(error: ShopifyError) -> None:
    """A worker process (multiprocessing, ProcessPoolExecutor) hands its exception to
    the parent by pickle; most errors take keyword-only arguments, which Exception's
    own pickling cannot pass back (it failed for ThrottledError and GraphQLError)."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error) and copy.args == error.args
    assert vars(copy) == vars(error)
    assert getattr(copy, "codes", None) == getattr(error, "codes", None)
