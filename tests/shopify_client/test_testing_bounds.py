"""FakeShopify under hostile documents, and its records of requests (issue 21, item 23).

Its cost estimate counted a fragment once per path to it: 46 bytes of a fragment
spreading itself twice pinned a thread for minutes. Its answers doubled with
each nested list. Its recorded requests printed the access tokens.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import httpx
import pytest

from shopify_client.testing import (
    ADMIN_TOKEN,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    STOREFRONT_TOKEN,
    FakeShopify,
    query_cost,
)
from shopify_client.testing import _data as fake_data
from tests.conftest import ROOT

SELF_SPREADING = "fragment F on QueryRoot { shop { name } ...F ...F } query { ...F }"
MUTUAL = (
    "query { ...A } fragment A on QueryRoot { shop { name } ...B ...B } "
    "fragment B on QueryRoot { shop { name } ...A ...A }"
)
#: forty fragments, each spreading the next twice: 2^40 paths to the last one
TREE = (
    "query { ...F0 } "
    + " ".join(
        f"fragment F{i} on QueryRoot {{ shop {{ name }} ...F{i + 1} ...F{i + 1} }}"
        for i in range(40)
    )
    + " fragment F40 on QueryRoot { shop { name } }"
)


class Counted:
    """Counts the estimate's steps through the one graphql-core function it calls
    once per connection field visited; stops a walk past ``limit`` (the old estimate
    made 2^31 of them for SELF_SPREADING) so a regression fails instead of hanging."""

    def __init__(self, limit: int) -> None:
        import graphql

        self.inner = graphql.value_from_ast_untyped
        self.limit = limit
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls > self.limit:
            raise AssertionError(f"the estimate walked more than {self.limit} connections")
        return self.inner(*args, **kwargs)


@pytest.mark.parametrize(
    "document",
    [
        SELF_SPREADING.replace("shop { name }", "products(first: 3) { nodes { id } }"),
        MUTUAL.replace("shop { name }", "products(first: 3) { nodes { id } }"),
        TREE.replace("shop { name }", "products(first: 3) { nodes { id } }"),
    ],
    ids=["self-spreading", "mutual", "tree of 40"],
)
def test_the_cost_estimate_counts_each_fragment_once(
    document: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graphql

    counted = Counted(limit=5_000)
    monkeypatch.setattr(graphql, "value_from_ast_untyped", counted)
    cost = query_cost(document, {})
    # one connection per fragment, and each fragment is counted once (or not at all,
    # past the depth the estimate looks at)
    assert counted.calls <= document.count("fragment ")
    assert math.isfinite(cost) and 1 <= cost <= fake_data.COST_MAX


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"n": 10**400}, None),  # an int past any float: counted as COST_PAGE_MAX
        ({"n": True}, 3),  # not a number of items: counted as one
        ({"n": -5}, 3),
        ({"n": "250"}, 3),
    ],
)
def test_the_cost_estimate_stays_finite_and_bounded(
    variables: dict[str, Any], expected: float | None
) -> None:
    query = "query Q($n: Int) { products(first: $n) { nodes { id } } }"
    if expected is None:
        expected = 2 + fake_data.COST_PAGE_MAX
    assert query_cost(query, variables) == expected
    nested = (
        "query Q($n: Int) { " + "products(first: $n) { nodes { " * 20 + "id" + " } }" * 20 + " }"
    )
    assert query_cost(nested, {"n": 10**400}) == fake_data.COST_MAX


def _post(fake: FakeShopify, api: Literal["admin", "storefront"], query: str) -> dict[str, Any]:
    headers = (
        {"X-Shopify-Access-Token": ADMIN_TOKEN}
        if api == "admin"
        else {"X-Shopify-Storefront-Access-Token": STOREFRONT_TOKEN}
    )
    version = "2024-01" if api == "admin" else "2024-10"
    response = httpx.post(
        fake.endpoint(api, version),
        json={"query": query},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("api", ["admin", "storefront"])
def test_fragment_cycles_are_answered_as_shopify_answers_them(
    api: Literal["admin", "storefront"],
) -> None:
    with FakeShopify(schema_dir=ROOT / "schema") as fake:
        for document in (SELF_SPREADING, MUTUAL):
            (error, *_) = _post(fake, api, document)["errors"]
            assert "within itself" in error["message"]
        assert _post(fake, api, TREE)["data"]["shop"]["name"]


def test_nested_lists_past_the_field_budget_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fake_data, "MAX_RESOLVED_FIELDS", 400)
    nested = (
        "{ "
        + "collections(first: 1) { nodes { products(first: 1) { nodes { " * 4
        + "id"
        + " } } } }" * 4
        + " }"
    )
    small = "{ collections(first: 1) { nodes { products(first: 1) { nodes { id } } } } }"
    with FakeShopify(schema_dir=ROOT / "schema") as fake:
        (error,) = _post(fake, "storefront", nested)["errors"]
        assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
        assert "400" in error["message"]
        assert _post(fake, "storefront", small)["data"]["collections"]["nodes"]


def test_recorded_requests_keep_their_secrets_out_of_their_repr() -> None:
    from shopify_storefront import Client, CustomerAccessTokenCreateInput

    with FakeShopify(schema_dir=ROOT / "schema") as fake:
        endpoint = fake.endpoint("storefront", "2024-10")
        with (
            pytest.warns(Warning),
            Client(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client,
        ):
            created = client.customer_access_token_create(
                input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=DEMO_PASSWORD)
            )
            payload = created.customer_access_token_create
            assert payload is not None and payload.customer_access_token is not None
            token = payload.customer_access_token.access_token
            client.customer(customer_access_token=token)
        shown = repr(fake.requests) + str(fake.requests[0]) + repr(fake.requests[-1])
        for secret in (STOREFRONT_TOKEN, DEMO_PASSWORD, token):
            assert secret not in shown
        assert "[REDACTED]" in shown and DEMO_EMAIL in shown  # the rest is still shown
        # what a test reads is as sent
        assert fake.requests[-1].headers["X-Shopify-Storefront-Access-Token"] == STOREFRONT_TOKEN
        body = fake.requests[-1].body
        assert body is not None and body["variables"]["customerAccessToken"] == token


def test_a_token_copied_into_the_query_text_is_redacted_too() -> None:
    from shopify_client.testing import RecordedRequest

    recorded = RecordedRequest(
        "/api/2024-10/graphql.json",
        {"X-Shopify-Storefront-Access-Token": 'tok-"quoted"-1234'},
        {
            "query": '{ customer(customerAccessToken: "cust-5678") { id } } # tok-"quoted"-1234',
            "variables": {"customerAccessToken": "cust-5678"},
        },
        0.0,
    )
    shown = repr(recorded)
    assert "cust-5678" not in shown and "quoted" not in shown
    assert shown.count("[REDACTED]") == 4
