"""Regressions for what a review of the runtime found: each once let a wrong retry or an
untyped exception through."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from shopify_client import (
    AuthenticationError,
    GraphQLError,
    InvalidResponseError,
    RetryPolicy,
    ServerError,
    ShopifyError,
)
from shopify_client._base import is_mutation
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import Client as StorefrontClient

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


@pytest.mark.parametrize(
    ("document", "mutation"),
    [
        ("fragment F on Customer { id }\nmutation M { x { ...F } }", True),
        ("query A { a }\nmutation B { x }", True),
        ("\ufeffmutation B { x }", True),
        ("# a comment\n  mutation M { x }", True),
        ('query q($a: In = {b: "mutation"}) { x(s: """mutation { """) }', False),
        ("query q { mutation }", False),
        ("{ shop { name } }", False),
    ],
)
def test_a_document_holding_a_mutation_is_treated_as_one(document: str, mutation: bool) -> None:
    assert is_mutation(document) is mutation


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
