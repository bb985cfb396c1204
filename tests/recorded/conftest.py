"""Recorded-response tests: VCR.py cassettes (pytest-recording), scrubbed of secrets.

Three ways to run them:

* default (``make test``): cassettes replay offline; no network, no credentials.
* against a real development store, to (re)record what a live shop answers::

      SHOPIFY_SHOP=your-store.myshopify.com SHOPIFY_STOREFRONT_TOKEN=... \\
      SHOPIFY_ADMIN_TOKEN=... SHOPIFY_CUSTOMER_EMAIL=... SHOPIFY_CUSTOMER_PASSWORD=... \\
      .venv/bin/pytest tests/recorded --record-mode=once   # or =rewrite to replace

  Error cases a live shop cannot be made to produce on demand (throttling, 430,
  5xx) are skipped in that mode and keep their cassettes.
* ``SHOPIFY_CASSETTES_FROM_FAKE=1 .venv/bin/pytest tests/recorded --record-mode=rewrite``
  rebuilds every cassette from :class:`shopify_client.testing.FakeShopify`, which
  answers as Shopify's documentation examples show (how the committed cassettes
  were made: no machine of this project can reach Shopify).

Secrets never reach a cassette: token headers are replaced, and every JSON key
naming a token or password has its value replaced in request and response bodies
before recording (and before matching, so replays match the scrubbed bodies).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopify_client._redact import REDACTED, SENSITIVE_HEADERS, redact_json
from shopify_client.testing import (
    ADMIN_TOKEN,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    STOREFRONT_TOKEN,
    FakeShopify,
)

CASSETTES = Path(__file__).parent / "cassettes"
DOCS_SHOP = "your-development-store.myshopify.com"
LIVE = bool(os.environ.get("SHOPIFY_SHOP"))
FROM_FAKE = os.environ.get("SHOPIFY_CASSETTES_FROM_FAKE") == "1"


@dataclass(frozen=True)
class Store:
    shop: str
    storefront_token: str
    admin_token: str
    email: str
    password: str
    fake: FakeShopify | None

    def http_client(self) -> httpx.Client | None:
        return httpx.Client(transport=self.fake.transport()) if self.fake else None

    def async_http_client(self) -> httpx.AsyncClient | None:
        if self.fake is None:
            return None
        sync_transport = self.fake.transport()

        async def handle(request: httpx.Request) -> httpx.Response:
            return sync_transport.handle_request(request)

        return httpx.AsyncClient(transport=httpx.MockTransport(handle))

    @property
    def secrets(self) -> list[str]:
        return [self.storefront_token, self.admin_token, self.password]


def _scrub_body(body: bytes | str | None) -> bytes | str | None:
    if not body:
        return body
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body
    scrubbed = json.dumps(redact_json(parsed), separators=(",", ":"))
    return scrubbed.encode() if isinstance(body, bytes) else scrubbed


def scrub_request(request: Any) -> Any:
    request.body = _scrub_body(request.body)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SENSITIVE_HEADERS:
            headers[name] = [REDACTED]
    body = response.get("body", {})
    if isinstance(body, dict) and "string" in body:
        body["string"] = _scrub_body(body["string"])
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": [(name, REDACTED) for name in sorted(SENSITIVE_HEADERS)]
        + [("shopify-storefront-buyer-ip", REDACTED)],
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "match_on": ["method", "scheme", "host", "path", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


@pytest.fixture
def store() -> Iterator[Store]:
    if LIVE:
        yield Store(
            shop=os.environ["SHOPIFY_SHOP"],
            storefront_token=os.environ["SHOPIFY_STOREFRONT_TOKEN"],
            admin_token=os.environ["SHOPIFY_ADMIN_TOKEN"],
            email=os.environ["SHOPIFY_CUSTOMER_EMAIL"],
            password=os.environ["SHOPIFY_CUSTOMER_PASSWORD"],
            fake=None,
        )
        return
    fake = FakeShopify() if FROM_FAKE else None
    yield Store(DOCS_SHOP, STOREFRONT_TOKEN, ADMIN_TOKEN, DEMO_EMAIL, DEMO_PASSWORD, fake)


@pytest.fixture
def fake_only(store: Store) -> FakeShopify | None:
    """For error cases a live shop cannot produce on demand."""
    if LIVE:
        pytest.skip("needs a scripted fault: recorded from FakeShopify only")
    return store.fake
