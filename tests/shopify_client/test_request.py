"""Building a request: the mutation check (fail-safe), the body, the secret values."""

from __future__ import annotations

import httpx
import pytest

from shopify_client import ServerError
from shopify_client._request import is_mutation, prepare
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput


@pytest.mark.parametrize(
    ("document", "mutation"),
    [
        ("fragment F on Customer { id }\nmutation M { x { ...F } }", True),
        ("query A { a }\nmutation B { x }", True),
        ("\ufeffmutation B { x }", True),
        ("# a comment\n  mutation M { x }", True),
        # GraphQL ends a comment at a bare CR too (spec: LineTerminator).
        ("# x\rmutation M { x }", True),
        ("# x\r\nmutation M { x }", True),
        ('query q { a(s: "x") }\r# c\rmutation M { x }', True),
        ('query q($a: In = {b: "mutation"}) { x(s: """mutation { """) }', False),
        ("query q { mutation }", False),
        ("{ shop { name } }", False),
    ],
)
def test_a_document_holding_a_mutation_is_treated_as_one(document: str, mutation: bool) -> None:
    assert is_mutation(document) is mutation


def test_a_mutation_after_a_bare_cr_comment_is_sent_once_after_a_502() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(502, text="bad gateway")

    client = StorefrontClient(
        endpoint="https://s.myshopify.com/api/2024-10/graphql.json",
        access_token=STOREFRONT_TOKEN,
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    with client, pytest.raises(ServerError):
        client.execute("# x\rmutation M { customerCreate { id } }", "M")
    assert len(seen) == 1


def test_secret_values_are_the_sensitive_variables_only() -> None:
    request = prepare(
        "mutation M($input: CustomerAccessTokenCreateInput!) { x }",
        "M",
        {
            "input": CustomerAccessTokenCreateInput(email="a@example.com", password="hunter2!"),
            "tokens": ["tok-one", "tok-two"],
            "note": "public",
        },
    )
    assert set(request.secret_values) == {"hunter2!", "tok-one", "tok-two"}


def test_no_variables_no_secret_values() -> None:
    assert prepare("{ shop { name } }", None, None).secret_values == ()


def test_a_prepared_request_repr_leaves_the_body_and_its_secrets_out() -> None:
    request = prepare(
        "mutation customerAccessTokenCreate($input: CustomerAccessTokenCreateInput!) { x }",
        "customerAccessTokenCreate",
        {"input": {"email": "a@example.com", "password": "hunter2-secret"}},
    )
    shown = repr(request)
    assert "customerAccessTokenCreate" in shown and "mutation=True" in shown
    assert "hunter2-secret" not in shown and "a@example.com" not in shown
    assert request.secret_values == ("hunter2-secret",)  # still found for scrubbing
