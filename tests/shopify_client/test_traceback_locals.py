"""A traceback that shows every frame's locals shows no secret (issue 21, item 7).

Error trackers render the locals of each frame of a traceback (Sentry does by
default); ``traceback.TracebackException(..., capture_locals=True)`` is the same
thing in the standard library. These tests render every frame of every exception in
the chain (``__cause__`` and ``__context__``, suppressed or not) except this file's
own frames (which hold the secrets on purpose), and look for the password of the
request, the tokens, per-call header tokens and tokens of the answer.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shopify_admin import AsyncClient as AsyncAdminClient
from shopify_admin import Client as AdminClient
from shopify_client import RedactedDict, ShopifyError
from shopify_client._client import ResponseData
from shopify_client._request import prepare
from shopify_client.testing import FakeShopify, Fault
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput
from tests.shopify_client.conftest import ADMIN_VERSION, STOREFRONT_VERSION

PASSWORD = "pw-Tr4ceb4ck-L0cals"
ADMIN = "shpat_traceback_locals_0123456789"
STOREFRONT = "sf-traceback-locals-0123456789"
PER_CALL = "shpat_per_call_header_9876543210"
ANSWERED = "customer-token-in-the-answer-0123"
SECRETS = {
    "password": PASSWORD,
    "admin token": ADMIN,
    "storefront token": STOREFRONT,
    "per-call token": PER_CALL,
    "answered token": ANSWERED,
}

LOGIN = (
    "mutation customerAccessTokenCreate($input: CustomerAccessTokenCreateInput!) "
    "{ customerAccessTokenCreate(input: $input) { customerUserErrors { message } } }"
)
LOGIN_VARIABLES = {"input": {"email": "buyer@example.test", "password": PASSWORD}}


def chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it links to, suppressed contexts included."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]


def rendered(exc: BaseException) -> str:
    """Every frame's locals (as a traceback renders them), message and pickle."""
    parts = []
    for current in chain(exc):
        summary = traceback.TracebackException(
            type(current), current, current.__traceback__, capture_locals=True
        )
        frames = [f for f in summary.stack if f.filename != __file__]
        for frame in frames:
            parts.append(f"{frame.filename}:{frame.name} {frame.locals}")
        parts += list(summary.format_exception_only())
        parts.append(repr(current))
        if isinstance(current, ShopifyError):
            parts.append(str(pickle.dumps(current)))
    return "\n".join(parts)


def frames_seen(exc: BaseException) -> list[str]:
    summary = traceback.TracebackException(type(exc), exc, exc.__traceback__, capture_locals=True)
    return [f.name for f in summary.stack]


def assert_no_secret(exc: BaseException) -> None:
    text = rendered(exc)
    leaked = [name for name, secret in SECRETS.items() if secret in text]
    assert not leaked, f"{type(exc).__name__}: {leaked} in a traceback's locals"


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(storefront_token=STOREFRONT, admin_token=ADMIN, password=PASSWORD) as fake:
        yield fake


def storefront(shop: FakeShopify, **options: Any) -> StorefrontClient:
    return StorefrontClient(
        endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
        access_token=STOREFRONT,
        max_retries=0,
        **options,
    )


def admin(shop: FakeShopify, **options: Any) -> AdminClient:
    return AdminClient(
        endpoint=shop.endpoint("admin", ADMIN_VERSION),
        access_token=ADMIN,
        max_retries=0,
        pacing=False,
        **options,
    )


# What fails, and how: each is one error a caller's error tracker may report.
FAULTS = {
    "500": Fault.http(500, "boom", Content_Type="text/plain"),
    "graphql-error": Fault.http(200, json.dumps({"errors": [{"message": "nope"}]})),
    "html": Fault.html_error(502),
    "too-large": Fault.http(200, "x" * 10_000),
    "bad-gzip": Fault.http(200, "not gzip", Content_Encoding="gzip"),
    "dropped": Fault("drop_after_read"),
    "truncated": Fault("truncated"),
    "deadline": Fault("slow", delay=1.0),
}
SYNC_OPTIONS: dict[str, Any] = {"max_response_bytes": 4_000, "timeout": 0.3}


@pytest.mark.parametrize("own_http", [True, False], ids=["own-http", "http_client"])
@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_failed_call_shows_no_secret_in_any_frame(
    shop: FakeShopify, fault: Fault, own_http: bool
) -> None:
    shop.enqueue(fault)
    http = {} if own_http else {"http_client": httpx.Client()}
    with admin(shop, **SYNC_OPTIONS, **http) as client, pytest.raises(ShopifyError) as info:
        client.execute(LOGIN, "customerAccessTokenCreate", LOGIN_VARIABLES)
    assert_no_secret(info.value)
    # raised from the call's own frame: the attempt's and the answer's frames are gone
    assert "send_sync" not in frames_seen(info.value)
    assert "interpret" not in frames_seen(info.value)
    assert info.value.__context__ is None


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_failed_async_call_shows_no_secret_in_any_frame(shop: FakeShopify, fault: Fault) -> None:
    async def main() -> BaseException:
        async with AsyncAdminClient(
            endpoint=shop.endpoint("admin", ADMIN_VERSION),
            access_token=ADMIN,
            max_retries=0,
            pacing=False,
            http_client=httpx.AsyncClient(),
            **SYNC_OPTIONS,
        ) as client:
            try:
                await client.execute(LOGIN, "customerAccessTokenCreate", LOGIN_VARIABLES)
            except ShopifyError as exc:
                return exc
        raise AssertionError("the call did not fail")

    shop.enqueue(fault)
    error = asyncio.run(main())
    assert_no_secret(error)
    assert "send_async" not in frames_seen(error)


def test_a_per_call_token_header_shows_in_no_frame(shop: FakeShopify) -> None:
    shop.enqueue(Fault.http(500, "boom"))
    with storefront(shop) as client, pytest.raises(ShopifyError) as info:
        client.execute(
            LOGIN,
            "customerAccessTokenCreate",
            LOGIN_VARIABLES,
            headers={"X-Shopify-Access-Token": PER_CALL},
        )
    assert_no_secret(info.value)


def test_a_variable_that_cannot_be_sent_shows_the_others_in_no_frame(shop: FakeShopify) -> None:
    variables = {"input": {"email": object(), "password": PASSWORD}}
    with storefront(shop) as client, pytest.raises(ShopifyError) as info:
        client.execute(LOGIN, "customerAccessTokenCreate", variables)
    assert_no_secret(info.value)
    assert shop.requests == []


def test_an_unknown_call_option_shows_the_headers_in_no_frame(shop: FakeShopify) -> None:
    with storefront(shop) as client, pytest.raises(TypeError) as info:
        client.execute(
            LOGIN,
            "customerAccessTokenCreate",
            LOGIN_VARIABLES,
            headers={"X-Shopify-Access-Token": PER_CALL},
            timeot=3,
        )
    assert "timeot" in str(info.value)
    assert_no_secret(info.value)


def test_an_error_of_a_caller_transport_shows_no_secret_in_our_frames() -> None:
    """Not ours (a bug in the caller's transport): its traceback is kept, whole, and
    our frames on it (the call, the attempt) hold the body and headers redacted."""

    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("the caller's transport failed")

    http = httpx.Client(transport=httpx.MockTransport(broken))
    with (
        AdminClient(
            endpoint="https://example.myshopify.com/admin/api/2024-01/graphql.json",
            access_token=ADMIN,
            max_retries=0,
            http_client=http,
        ) as client,
        pytest.raises(RuntimeError) as info,
    ):
        client.execute(LOGIN, "customerAccessTokenCreate", LOGIN_VARIABLES)
    assert {"execute", "send_sync", "broken"} <= set(frames_seen(info.value))
    assert_no_secret(info.value)


def test_an_async_call_cancelled_by_its_caller_shows_no_secret(shop: FakeShopify) -> None:
    shop.enqueue(Fault("slow", delay=2.0))

    async def main() -> BaseException:
        async with AsyncStorefrontClient(
            endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
            access_token=STOREFRONT,
            max_retries=0,
        ) as client:
            try:
                async with asyncio.timeout(0.2):
                    await client.execute(LOGIN, "customerAccessTokenCreate", LOGIN_VARIABLES)
            except TimeoutError as exc:
                return exc
        raise AssertionError("the call was not cancelled")

    error = asyncio.run(main())
    # the CancelledError it came from went through the call and the attempt
    assert any("send_async" in frames_seen(e) for e in chain(error))
    assert_no_secret(error)


@pytest.mark.parametrize("fault", ["500", "too-large", "dropped"])
def test_a_generated_method_with_a_model_input_shows_no_password(
    shop: FakeShopify, fault: str
) -> None:
    shop.enqueue(FAULTS[fault])
    with storefront(shop, **SYNC_OPTIONS) as client, pytest.raises(ShopifyError) as info:
        client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email="buyer@example.test", password=PASSWORD)
        )
    assert "customer_access_token_create" in frames_seen(info.value)
    assert_no_secret(info.value)


def test_an_answer_that_does_not_fit_shows_its_tokens_in_no_frame(shop: FakeShopify) -> None:
    misfit = {
        "data": {
            "customerAccessTokenCreate": {
                "customerAccessToken": {"accessToken": ANSWERED, "expiresAt": ["not a date"]},
                "customerUserErrors": [],
            }
        }
    }
    shop.enqueue(Fault.http(200, json.dumps(misfit)))
    with storefront(shop) as client, pytest.raises(ShopifyError) as info:
        client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email="buyer@example.test", password=PASSWORD)
        )
    assert "parse_result" in frames_seen(info.value)
    assert_no_secret(info.value)
    assert info.value.__context__ is None


def test_a_generated_method_with_a_token_argument_shows_no_token(shop: FakeShopify) -> None:
    shop.enqueue(Fault.http(500, "boom"))
    with storefront(shop) as client, pytest.raises(ShopifyError) as info:
        client.customer(customer_access_token=ANSWERED)
    assert_no_secret(info.value)


# -- the holders themselves ------------------------------------------------------------


def test_the_request_body_is_bytes_that_never_show() -> None:
    request = prepare(LOGIN, "customerAccessTokenCreate", LOGIN_VARIABLES)
    assert isinstance(request.body, bytes)
    assert PASSWORD.encode() in bytes(request.body)  # what is sent is intact
    body: object = request.body  # as a formatter sees it
    for shown in (repr(body), str(body), f"{body}", repr([body])):
        assert PASSWORD not in shown and "not shown" in shown


def test_the_send_options_of_a_caller_client_hide_the_token(shop: FakeShopify) -> None:
    with admin(shop, http_client=httpx.Client()) as client:
        options, _, _ = client._send_options({"headers": {"X-Shopify-Access-Token": PER_CALL}})
        assert options["headers"]["X-Shopify-Access-Token"] == PER_CALL
        assert ADMIN not in repr(options) and PER_CALL not in repr(options)
        assert ADMIN not in repr(client._per_call)
        assert "timeout" in repr(options)


def test_response_data_keeps_its_values_and_hides_tokens_in_its_repr(shop: FakeShopify) -> None:
    with storefront(shop) as client:
        client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email=shop.email, password=PASSWORD)
        )
        response = client.last_response
        assert response is not None
        data = client.get_data(response)
    assert isinstance(data, ResponseData)
    token = data["customerAccessTokenCreate"]["customerAccessToken"]["accessToken"]
    assert token in shop.customer_tokens
    assert token not in repr(data) and "customerAccessTokenCreate" in repr(data)


def test_a_generated_async_method_with_a_token_argument_shows_no_token(shop: FakeShopify) -> None:
    async def call() -> None:
        async with AsyncStorefrontClient(
            endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
            access_token=STOREFRONT,
            max_retries=0,
        ) as client:
            await client.customer(customer_access_token=ANSWERED)

    shop.enqueue(Fault.http(500, "boom"))
    with pytest.raises(ShopifyError) as info:
        asyncio.run(call())
    assert_no_secret(info.value)


def test_a_generated_method_shows_no_per_call_token_header(shop: FakeShopify) -> None:
    shop.enqueue(Fault.http(500, "boom"))
    with admin(shop) as client, pytest.raises(ShopifyError) as info:
        client.products(first=1, headers={"X-Shopify-Access-Token": PER_CALL})
    assert_no_secret(info.value)
    assert "products" in frames_seen(info.value)


def test_a_page_helper_shows_no_per_call_token_header(shop: FakeShopify) -> None:
    shop.enqueue(Fault.http(500, "boom"))
    with admin(shop) as client, pytest.raises(ShopifyError) as info:
        list(client.iter_products(first=1, headers={"X-Shopify-Access-Token": PER_CALL}))
    assert_no_secret(info.value)


def test_the_generated_methods_locals_dict_names_its_keys_only() -> None:
    held = RedactedDict({"customerAccessToken": ANSWERED, "first": 3})
    for shown in (repr(held), str(held), f"{held}", repr([held])):
        assert ANSWERED not in shown and "customerAccessToken" in shown
    assert held == {"customerAccessToken": ANSWERED, "first": 3}
    assert json.loads(json.dumps(held))["customerAccessToken"] == ANSWERED
