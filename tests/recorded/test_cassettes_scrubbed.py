"""No token or password may reach a cassette: the committed ones, and a fresh recording."""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
import yaml

from shopify_admin import Client as AdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client._redact import REDACTED, SENSITIVE_HEADERS, is_sensitive_key
from shopify_client.testing import (
    ADMIN_TOKEN,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    STOREFRONT_TOKEN,
    FakeShopify,
)
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput
from tests.recorded.conftest import CASSETTES, DOCS_SHOP, scrub_request, scrub_response

KNOWN_SECRETS = [
    STOREFRONT_TOKEN,
    ADMIN_TOKEN,
    DEMO_PASSWORD,
    "not-a-valid-token-0000",
    "not-the-password-42",
    *(
        os.environ[name]
        for name in ("SHOPIFY_STOREFRONT_TOKEN", "SHOPIFY_ADMIN_TOKEN", "SHOPIFY_CUSTOMER_PASSWORD")
        if os.environ.get(name)
    ),
]


def sensitive_values(value: Any) -> list[str]:
    """Values under token/password keys that are not redacted."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if is_sensitive_key(str(key)) and isinstance(item, str) and item != REDACTED:
                found.append(f"{key}={item}")
            found.extend(sensitive_values(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(sensitive_values(item))
    return found


def leaks(cassette: Path, extra_secrets: list[str]) -> list[str]:
    text = cassette.read_text()
    problems = [
        f"secret value {s[:4]}... in file" for s in KNOWN_SECRETS + extra_secrets if s in text
    ]
    for interaction in yaml.safe_load(text)["interactions"]:
        for part in ("request", "response"):
            headers = interaction[part].get("headers", {})
            for name, values in headers.items():
                if name.lower() in SENSITIVE_HEADERS and values != [REDACTED]:
                    problems.append(f"{part} header {name} not redacted")
        bodies = [interaction["request"].get("body"), interaction["response"]["body"].get("string")]
        for body in bodies:
            if body:
                with contextlib.suppress(ValueError):
                    problems.extend(sensitive_values(json.loads(body)))
    return problems


COMMITTED = sorted(CASSETTES.glob("*.yaml"))


def test_there_are_cassettes_for_the_seeds_and_the_error_cases() -> None:
    names = {p.stem for p in COMMITTED}
    assert {
        "test_customer_login_flow",
        "test_wrong_password_is_a_typed_user_error",
        "test_invalid_token_is_an_authentication_error",
        "test_admin_creates_a_storefront_token",
        "test_throttled_admin_call_carries_cost",
        "test_security_rejection_430",
        "test_server_error_html_page",
    } <= names


@pytest.mark.parametrize("cassette", COMMITTED, ids=[p.stem for p in COMMITTED])
def test_committed_cassette_holds_no_secret(cassette: Path) -> None:
    assert leaks(cassette, []) == []


def test_a_fresh_recording_is_scrubbed(tmp_path: Path) -> None:
    """Record a whole session with distinctive secrets, then scan what was written."""
    secrets = {
        "storefront_token": "sf-token-DISTINCTIVE-7f3a",
        "admin_token": "shpat_DISTINCTIVE_admin_91c2",
        "password": "pw-DISTINCTIVE-5521",
    }
    fake = FakeShopify(
        storefront_token=secrets["storefront_token"],
        admin_token=secrets["admin_token"],
        password=secrets["password"],
    )
    recorder = vcr.VCR(
        filter_headers=[(name, REDACTED) for name in SENSITIVE_HEADERS],
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        record_mode="all",
    )
    cassette = tmp_path / "session.yaml"
    issued: list[str] = []
    with recorder.use_cassette(str(cassette)), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with StorefrontClient(
            shop=DOCS_SHOP,
            access_token=secrets["storefront_token"],
            http_client=httpx.Client(transport=fake.transport()),
        ) as client:
            result = client.customer_access_token_create(
                input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=secrets["password"])
            )
            payload = result.customer_access_token_create
            assert payload is not None and payload.customer_access_token is not None
            issued.append(payload.customer_access_token.access_token)
            assert client.customer(customer_access_token=issued[0]).customer is not None
        with AdminClient(
            shop=DOCS_SHOP,
            access_token=secrets["admin_token"],
            http_client=httpx.Client(transport=fake.transport()),
        ) as admin:
            created = admin.storefront_access_token_create(
                input=StorefrontAccessTokenInput(title="scan")
            )
            admin_payload = created.storefront_access_token_create
            assert admin_payload is not None and admin_payload.storefront_access_token is not None
            issued.append(admin_payload.storefront_access_token.access_token)
    text = cassette.read_text()
    assert text.count("operationName") == 3
    assert leaks(cassette, [*secrets.values(), *issued]) == []
    assert REDACTED in text


def test_scanner_catches_a_leak(tmp_path: Path) -> None:
    """The scanner itself: an unscrubbed cassette must be reported."""
    leaky = tmp_path / "leaky.yaml"
    leaky.write_text(
        yaml.safe_dump(
            {
                "interactions": [
                    {
                        "request": {
                            "body": json.dumps(
                                {"variables": {"input": {"password": "hunter2-xyz"}}}
                            ),
                            "headers": {"X-Shopify-Access-Token": ["shpat_leak"]},
                        },
                        "response": {"body": {"string": '{"data":{"t":{"accessToken":"abc123"}}}'}},
                    }
                ],
                "version": 1,
            }
        )
    )
    problems = leaks(leaky, [])
    assert "password=hunter2-xyz" in problems
    assert "accessToken=abc123" in problems
    assert "request header X-Shopify-Access-Token not redacted" in problems
