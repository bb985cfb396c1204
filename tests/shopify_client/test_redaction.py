"""Secrets never reach logs (ours, httpx's, httpcore's), reprs, results or error messages."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from shopify_admin import AsyncClient as AsyncAdminClient
from shopify_admin import Client as AdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client import GraphQLError, GraphQLResponse, ShopifyError
from shopify_client._redact import REDACTED, redact_headers, redact_json, scrub
from shopify_client.testing import DEMO_EMAIL, FakeShopify, Fault
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput
from tests.shopify_client.conftest import (
    ADMIN_VERSION,
    STOREFRONT_VERSION,
    fast_policy,
)

STOREFRONT_SECRET = "sf-pub-Q7vXk2LmN9pR4tW8"
PRIVATE_SECRET = "shpss-priv-H3jK8nB5cV1xZ6aS"
ADMIN_SECRET = "shpat_adm_Y2uI7oP4eR9tQ1wE"
PASSWORD_SECRET = "pw-Gx7!rT2#mK9v"
LOGGERS = ("shopify_client", "httpx", "httpcore")


@dataclass
class Flow:
    """What a login flow produced: the secrets it created and everything to inspect."""

    secrets: list[str]
    texts: list[str]


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(
        storefront_token=STOREFRONT_SECRET,
        private_storefront_token=PRIVATE_SECRET,
        admin_token=ADMIN_SECRET,
        password=PASSWORD_SECRET,
    ) as fake:
        yield fake


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def all_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record, formatted, plus its raw arguments' reprs."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
    return "\n".join(parts)


def assert_clean(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked: ...{secret[-4:]}"


def login_flow(fake: FakeShopify, *, private: bool) -> Flow:
    endpoint = fake.endpoint("storefront", STOREFRONT_VERSION)
    storefront = (
        StorefrontClient(
            endpoint=endpoint,
            private_access_token=PRIVATE_SECRET,
            buyer_ip="203.0.113.7",
            retry_policy=fast_policy(),
        )
        if private
        else StorefrontClient(
            endpoint=endpoint, access_token=STOREFRONT_SECRET, retry_policy=fast_policy()
        )
    )
    admin = AdminClient(
        endpoint=fake.endpoint("admin", ADMIN_VERSION),
        access_token=ADMIN_SECRET,
        retry_policy=fast_policy(),
    )
    with storefront, admin:
        # one fault each so the retry path logs too
        fake.enqueue(Fault.too_many_requests("0.01"))
        created = storefront.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=PASSWORD_SECRET)
        )
        payload = created.customer_access_token_create
        assert payload is not None and payload.customer_access_token is not None
        customer_token = payload.customer_access_token.access_token
        login_response = storefront.last_response

        fake.enqueue(Fault("throttled"))
        customer = storefront.customer(customer_access_token=customer_token)
        assert customer.customer is not None and customer.customer.email == DEMO_EMAIL

        token_result = admin.storefront_access_token_create(
            input=StorefrontAccessTokenInput(title="redaction")
        )
        new = token_result.storefront_access_token_create
        assert new is not None and new.storefront_access_token is not None
        storefront_token = new.storefront_access_token.access_token

        texts = [
            repr(storefront),
            str(storefront),
            repr(admin),
            repr(created),
            str(created),
            repr(payload),
            repr(payload.customer_access_token),
            repr(customer),
            repr(token_result),
            str(token_result),
            repr(new.storefront_access_token),
            repr(login_response),
            str(login_response),
            repr(storefront.last_response),
            repr(admin.last_response),
            str(admin.last_response),
        ]
    return Flow(
        secrets=[
            STOREFRONT_SECRET,
            PRIVATE_SECRET,
            ADMIN_SECRET,
            PASSWORD_SECRET,
            customer_token,
            storefront_token,
        ],
        texts=texts,
    )


@pytest.mark.parametrize("private", [False, True], ids=["public-token", "private-token"])
def test_login_flow_leaks_no_secret(
    shop: FakeShopify, debug_logs: pytest.LogCaptureFixture, private: bool
) -> None:
    flow = login_flow(shop, private=private)
    assert len(shop.customer_tokens) == 1 and len(shop.storefront_tokens) == 1
    logged = all_logged(debug_logs)
    assert "retrying" in logged  # the logs were captured at all
    assert any(r.name.startswith("httpcore") for r in debug_logs.records)
    assert_clean(logged, flow.secrets)
    for text in flow.texts:
        assert_clean(text, flow.secrets)
    assert REDACTED in flow.texts[0]


def test_async_login_flow_leaks_no_secret(
    shop: FakeShopify, debug_logs: pytest.LogCaptureFixture
) -> None:
    async def main() -> list[str]:
        async with (
            AsyncStorefrontClient(
                endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
                access_token=STOREFRONT_SECRET,
                retry_policy=fast_policy(),
            ) as storefront,
            AsyncAdminClient(
                endpoint=shop.endpoint("admin", ADMIN_VERSION), access_token=ADMIN_SECRET
            ) as admin,
        ):
            created = await storefront.customer_access_token_create(
                input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=PASSWORD_SECRET)
            )
            payload = created.customer_access_token_create
            assert payload is not None and payload.customer_access_token is not None
            token = payload.customer_access_token.access_token
            customer = await storefront.customer(customer_access_token=token)
            made = await admin.storefront_access_token_create(
                input=StorefrontAccessTokenInput(title="async")
            )
            return [
                token,
                repr(storefront),
                repr(admin),
                repr(created),
                repr(customer),
                repr(made),
                repr(storefront.last_response),
                repr(admin.last_response),
            ]

    token, *texts = asyncio.run(main())
    secrets = [STOREFRONT_SECRET, ADMIN_SECRET, PASSWORD_SECRET, token, *shop.storefront_tokens]
    assert_clean(all_logged(debug_logs), secrets)
    for text in texts:
        assert_clean(text, secrets)


def test_last_response_data_is_redacted_in_repr_only(shop: FakeShopify) -> None:
    with StorefrontClient(
        endpoint=shop.endpoint("storefront", STOREFRONT_VERSION), access_token=STOREFRONT_SECRET
    ) as client:
        client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=PASSWORD_SECRET)
        )
        response = client.last_response
    assert isinstance(response, GraphQLResponse)
    token = response.data["customerAccessTokenCreate"]["customerAccessToken"]["accessToken"]
    assert token in shop.customer_tokens  # the data itself is intact
    assert token not in repr(response)
    assert REDACTED in repr(response)


# -- error cases ---------------------------------------------------------------------------

WRONG_SECRET = "wrong-Zt5Hq8Lp3Nv6"


def echo(secret: str) -> str:
    return json.dumps({"errors": f"Invalid API key or access token ({secret})"})


ERROR_FAULTS = [
    Fault.http(200, f"<html><body>token {WRONG_SECRET}</body></html>", Content_Type="text/html"),
    Fault.http(500, echo(WRONG_SECRET)),
    Fault.http(404, f"Not found: {WRONG_SECRET}", Content_Type="text/plain"),
    Fault.http(
        200, json.dumps({"errors": [{"message": f"bad token {WRONG_SECRET}", "path": ["x"]}]})
    ),
    Fault.http(403, echo(WRONG_SECRET)),
    Fault.http(401, echo(WRONG_SECRET)),
    Fault.http(200, f'{{"data": {{"token": "{WRONG_SECRET}"'),
    Fault.security_rejection(),
    Fault.too_many_requests("0"),
    Fault("throttled"),
    Fault("drop_after_read"),
    Fault("truncated"),
    Fault("slow", delay=0.5),
]


@pytest.mark.parametrize("fault", ERROR_FAULTS)
def test_error_messages_leak_no_secret(
    shop: FakeShopify, debug_logs: pytest.LogCaptureFixture, fault: Fault
) -> None:
    shop.enqueue(fault)
    with (
        StorefrontClient(
            endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
            access_token=WRONG_SECRET,
            max_retries=0,
            timeout=0.1,
        ) as client,
        pytest.raises(ShopifyError) as info,
    ):
        client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=PASSWORD_SECRET)
        )
    secrets = [WRONG_SECRET, PASSWORD_SECRET]
    assert_clean(str(info.value), secrets)
    assert_clean(repr(info.value), secrets)
    assert_clean(all_logged(debug_logs), secrets)


def test_401_for_each_client_leaks_no_token(
    shop: FakeShopify, debug_logs: pytest.LogCaptureFixture
) -> None:
    errors: list[ShopifyError] = []
    with (
        StorefrontClient(
            endpoint=shop.endpoint("storefront", STOREFRONT_VERSION),
            private_access_token=WRONG_SECRET,
            buyer_ip="203.0.113.7",
        ) as storefront,
        AdminClient(
            endpoint=shop.endpoint("admin", ADMIN_VERSION), access_token=WRONG_SECRET
        ) as admin,
    ):
        for call in (
            lambda: storefront.customer(customer_access_token="nobody"),
            lambda: admin.storefront_access_token_create(
                input=StorefrontAccessTokenInput(title="t")
            ),
        ):
            try:
                call()
            except ShopifyError as exc:
                errors.append(exc)
    assert len(errors) == 2
    for error in errors:
        assert "Invalid API key or access token" in str(error)
        assert_clean(str(error), [WRONG_SECRET])
        assert_clean(repr(error), [WRONG_SECRET])
    assert_clean(all_logged(debug_logs), [WRONG_SECRET])


def test_graphql_error_echoing_variables_leaks_no_password(shop: FakeShopify) -> None:
    # graphql-ruby puts the rejected variable value in extensions.value
    body = {
        "errors": [
            {
                "message": "Variable $input of type CustomerAccessTokenCreateInput! was "
                "provided invalid value for email (Expected value to not be null)",
                "locations": [{"line": 1, "column": 38}],
                "extensions": {
                    "value": {"email": None, "password": PASSWORD_SECRET},
                    "problems": [{"path": ["email"], "explanation": "Expected value"}],
                },
            }
        ]
    }
    shop.enqueue(Fault.http(200, json.dumps(body)))
    with (
        StorefrontClient(
            endpoint=shop.endpoint("storefront", STOREFRONT_VERSION), access_token=STOREFRONT_SECRET
        ) as client,
        pytest.raises(ShopifyError) as info,
    ):
        client.customer_access_token_create(
            input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=PASSWORD_SECRET)
        )
    assert "invalid value for email" in str(info.value)
    assert_clean(str(info.value), [PASSWORD_SECRET])
    assert_clean(repr(info.value), [PASSWORD_SECRET])
    assert isinstance(info.value, GraphQLError)
    assert_clean(repr(info.value.errors), [PASSWORD_SECRET])
    value = info.value.errors[0].extensions["value"]
    assert isinstance(value, dict)  # extensions are `object`, not Any: narrow to read
    assert value["email"] is None


# -- the helpers -----------------------------------------------------------------------------


def test_redact_json_replaces_sensitive_keys_at_any_depth() -> None:
    value = {
        "data": {
            "customerAccessTokenCreate": {
                "customerAccessToken": {"accessToken": "abc123", "expiresAt": "2030-01-01"},
                "list": [{"password": "p", "title": "t"}],
                "clientSecret": "s",
                "authorization": "Bearer x",
                "multipassToken": None,
            }
        }
    }
    redacted = redact_json(value)
    inner = redacted["data"]["customerAccessTokenCreate"]
    assert inner["customerAccessToken"] == {"accessToken": REDACTED, "expiresAt": "2030-01-01"}
    assert inner["list"] == [{"password": REDACTED, "title": "t"}]
    assert inner["clientSecret"] == REDACTED
    assert inner["authorization"] == REDACTED
    assert inner["multipassToken"] is None  # nothing to hide
    assert value["data"]["customerAccessTokenCreate"]["clientSecret"] == "s"  # a copy


def test_redact_headers() -> None:
    headers = {
        "X-Shopify-Access-Token": "a",
        "x-shopify-storefront-access-token": "b",
        "Shopify-Storefront-Private-Token": "c",
        "Authorization": "d",
        "Cookie": "e",
        "Content-Type": "application/json",
    }
    out = redact_headers(headers)
    assert out["Content-Type"] == "application/json"
    assert [k for k, v in out.items() if v == REDACTED] == [
        k for k in headers if k != "Content-Type"
    ]


def test_scrub_replaces_each_secret_but_not_tiny_ones() -> None:
    assert scrub("a sekrit and another sekrit", ["sekrit"]) == (
        f"a {REDACTED} and another {REDACTED}"
    )
    assert scrub("abc", ["abc"]) == "abc"  # shorter than 4: would mangle ordinary text
    assert scrub("text", [""]) == "text"


def test_a_list_under_a_sensitive_key_is_redacted_item_by_item() -> None:
    from shopify_client._redact import REDACTED, redact_json

    value = {
        "passwords": ["hunter2", "swordfish"],
        "accessTokens": [{"accessToken": "tok-1", "expiresAt": "2030"}],
        "tags": ["public"],
    }
    out = redact_json(value)
    assert out["passwords"] == [REDACTED, REDACTED]
    assert out["accessTokens"] == [{"accessToken": REDACTED, "expiresAt": "2030"}]
    assert out["tags"] == ["public"]
