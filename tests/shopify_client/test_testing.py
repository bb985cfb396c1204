"""FakeShopify answers any operation from the committed schema, the way Shopify does."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopify_client.testing import (
    ADMIN_TOKEN,
    PLANS,
    STOREFRONT_TOKEN,
    FakeShopify,
    LeakyBucket,
    query_cost,
)
from tests.conftest import ROOT

PRODUCTS = """
query Products($first: Int = 2, $after: String) {
  products(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id title createdAt priceRange { minVariantPrice { amount currencyCode } } }
  }
}
"""


def post(fake: FakeShopify, api: str, version: str, body: dict[str, Any]) -> httpx.Response:
    headers = (
        {"X-Shopify-Access-Token": ADMIN_TOKEN}
        if api == "admin"
        else {"X-Shopify-Storefront-Access-Token": STOREFRONT_TOKEN}
    )
    endpoint = fake.endpoint("admin" if api == "admin" else "storefront", version)
    return httpx.post(endpoint, json=body, headers=headers, timeout=10)


def data(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]
    return result


@pytest.fixture
def shop() -> Any:
    with FakeShopify(schema_dir=ROOT / "schema") as fake:
        yield fake


def test_a_valid_document_gets_data_shaped_by_the_schema(shop: FakeShopify) -> None:
    products = data(post(shop, "storefront", "2024-10", {"query": PRODUCTS}))["products"]
    assert products["pageInfo"]["hasNextPage"] is False
    assert len(products["nodes"]) == 2
    first = products["nodes"][0]
    assert first["id"].startswith("gid://shopify/Product/")
    assert first["createdAt"] == "2024-10-01T12:00:00Z"
    assert set(first["priceRange"]["minVariantPrice"]) == {"amount", "currencyCode"}
    assert first["priceRange"]["minVariantPrice"]["currencyCode"] == "AED"  # first enum value


def test_answers_are_deterministic(shop: FakeShopify) -> None:
    one = post(shop, "storefront", "2024-10", {"query": PRODUCTS}).json()
    two = post(shop, "storefront", "2024-10", {"query": PRODUCTS}).json()
    assert one == two


def test_an_invalid_document_is_answered_like_shopify(shop: FakeShopify) -> None:
    response = post(shop, "storefront", "2024-10", {"query": "query Q { shop { nope } }"})
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["message"].startswith("Cannot query field 'nope' on type 'Shop'.")
    assert error["locations"] == [{"line": 1, "column": 18}]
    assert error["extensions"]["code"] == "undefinedField"


def test_a_syntax_error_is_a_parse_error(shop: FakeShopify) -> None:
    body = post(shop, "storefront", "2024-10", {"query": "query Q { shop { "}).json()
    assert body["errors"][0]["extensions"]["code"] == "parseError"


def test_the_document_is_checked_against_the_version_in_the_url(shop: FakeShopify) -> None:
    # Cart.cost.subtotalAmountEstimated exists in both; Storefront 2024-01 has no
    # Product.category, which 2024-10 added (taxonomy).
    query = {
        "query": "query Q($id: ID!) { product(id: $id) { category { name } } }",
        "variables": {"id": "gid://shopify/Product/1"},
    }
    assert data(post(shop, "storefront", "2024-10", query))["product"]["category"]["name"]
    older = post(shop, "storefront", "2024-01", query).json()
    assert older["errors"][0]["extensions"]["code"] == "undefinedField"


def test_a_document_is_validated_once_per_schema_and_answered_alike_again(
    shop: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Clients send the same documents over and over: the fake parses and validates
    each once per schema (validation leaves reference cycles that, piled up over a
    long run, cost a multi-second collector pause), and answers repeats the same."""
    import graphql

    validated: list[str] = []
    real = graphql.validate

    def counting(schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        validated.append(graphql.print_ast(document))
        return real(schema, document, *args, **kwargs)

    monkeypatch.setattr(graphql, "validate", counting)
    query = "query Counted { shop { name } }"
    answers = [post(shop, "storefront", "2024-10", {"query": query}).json() for _ in range(3)]
    assert answers[0] == answers[1] == answers[2] and answers[0]["data"]["shop"]["name"]
    assert len(validated) == 1
    post(shop, "storefront", "2024-01", {"query": query})  # another schema: checked again
    assert len(validated) == 2
    invalid = "query CountedBad { shop { nope } }"
    bad = [post(shop, "storefront", "2024-10", {"query": invalid}).json() for _ in range(2)]
    assert bad[0] == bad[1] and bad[0]["errors"][0]["extensions"]["code"] == "undefinedField"
    assert len(validated) == 3
    broken = [
        post(shop, "storefront", "2024-10", {"query": "query { shop {"}).json() for _ in range(2)
    ]
    assert broken[0] == broken[1] and broken[0]["errors"][0]["extensions"]["code"] == "parseError"


def test_concurrent_first_requests_build_the_schema_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each connection has its own thread: the first burst used to build one schema
    per thread, millions of objects the collector then walked for seconds."""
    import graphql

    (tmp_path / "storefront").mkdir()
    shutil.copy(ROOT / "schema" / "storefront" / "2024-01.json", tmp_path / "storefront")
    built: list[object] = []
    real = graphql.build_client_schema

    def slow_build(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.2)  # wide enough for every thread to ask before the first is done
        schema = real(*args, **kwargs)
        built.append(schema)
        return schema

    monkeypatch.setattr(graphql, "build_client_schema", slow_build)
    with FakeShopify(schema_dir=tmp_path) as fake, ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(
                lambda _: post(fake, "storefront", "2024-01", {"query": "{ shop { name } }"}),
                range(6),
            )
        )
    assert [a.status_code for a in answers] == [200] * 6
    assert all(data(a)["shop"]["name"] for a in answers)
    assert len(built) == 1


def test_a_long_document_is_not_kept(shop: FakeShopify, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only documents up to CACHED_QUERY_CHARS are kept: a kept document of 100,000
    characters holds ~8 MB, and 64 of them would be half a gigabyte. 20,000 is
    twenty times the project's longest operation."""
    import graphql

    validated: list[int] = []
    real = graphql.validate

    def counting(schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        validated.append(1)
        return real(schema, document, *args, **kwargs)

    monkeypatch.setattr(graphql, "validate", counting)
    padding = " " * 20_000
    query = "query LongOne { shop { name } }" + padding
    for _ in range(2):
        assert data(post(shop, "storefront", "2024-10", {"query": query}))["shop"]["name"]
    assert len(validated) == 2


def test_built_schemas_are_kept_up_to_a_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each schema_dir (a test's tmp_path, say) is one more schema: the fake keeps
    the SCHEMAS_KEPT last used, not every one it ever built."""
    import graphql

    from shopify_client.testing import _data

    monkeypatch.setattr(_data, "SCHEMAS_KEPT", 1)
    built: list[object] = []
    real = graphql.build_client_schema

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(graphql, "build_client_schema", counting)
    dirs = [tmp_path / "a", tmp_path / "b"]
    for folder in dirs:
        (folder / "storefront").mkdir(parents=True)
        shutil.copy(ROOT / "schema" / "storefront" / "2024-01.json", folder / "storefront")
    for folder in (dirs[0], dirs[0], dirs[1], dirs[0]):
        with FakeShopify(schema_dir=folder) as fake:
            answer = post(fake, "storefront", "2024-01", {"query": "{ shop { name } }"})
            assert data(answer)["shop"]["name"]
    assert len(built) == 3  # a; a again is kept; b evicts a; a is built anew
    assert len(_data._schemas) == 1


def test_a_version_without_a_committed_schema_is_an_error(shop: FakeShopify) -> None:
    body = post(shop, "storefront", "2019-04", {"query": PRODUCTS}).json()
    assert "no committed schema" in body["errors"][0]["message"]


def test_missing_required_variables_are_refused(shop: FakeShopify) -> None:
    query = "query Q($id: ID!) { product(id: $id) { id } }"
    body = post(shop, "storefront", "2024-10", {"query": query}).json()
    assert "data" not in body or body["data"] is None
    assert "$id" in body["errors"][0]["message"]


def test_operation_override_is_partial_and_may_read_the_variables(shop: FakeShopify) -> None:
    shop.answer("Products", {"products": {"pageInfo": {"hasNextPage": True}}})
    products = data(post(shop, "storefront", "2024-10", {"query": PRODUCTS}))["products"]
    assert products["pageInfo"]["hasNextPage"] is True
    assert products["pageInfo"]["endCursor"]  # made up: the override did not say
    shop.answer(
        "Products",
        lambda variables: {"products": {"nodes": [{"title": f"after {variables.get('after')}"}]}},
    )
    body = {"query": PRODUCTS, "variables": {"after": "c1"}}
    nodes = data(post(shop, "storefront", "2024-10", body))["products"]["nodes"]
    assert [n["title"] for n in nodes] == ["after c1"]
    assert nodes[0]["id"].startswith("gid://shopify/Product/")


def test_field_override_applies_everywhere_and_may_read_arguments(shop: FakeShopify) -> None:
    shop.set_field("Product.title", "Fixed title")
    shop.set_field("QueryRoot.products", lambda args: {"nodes": [{}] * args["first"]})
    body = {"query": PRODUCTS, "variables": {"first": 3}}
    nodes = data(post(shop, "storefront", "2024-10", body))["products"]["nodes"]
    assert [n["title"] for n in nodes] == ["Fixed title"] * 3
    with pytest.raises(ValueError, match=r"Type\.field"):
        shop.set_field("title", "x")


def test_abstract_fields_answer_with_a_type_the_selection_names(shop: FakeShopify) -> None:
    query = "query Q($id: ID!) { node(id: $id) { id ... on Collection { handle } } }"
    node = data(post(shop, "storefront", "2024-10", {"query": query, "variables": {"id": "x"}}))
    assert node["node"]["handle"]  # a Collection, the type the fragment names


def test_admin_answers_carry_a_query_cost(shop: FakeShopify) -> None:
    body = post(shop, "admin", "2024-01", {"query": "query Q { shop { name currencyCode } }"})
    cost = body.json()["extensions"]["cost"]
    assert cost["requestedQueryCost"] >= 1
    assert cost["throttleStatus"]["maximumAvailable"] == 2000.0


def test_mutations_succeed_with_empty_user_errors(shop: FakeShopify) -> None:
    mutation = (
        "mutation M($input: CartInput) { cartCreate(input: $input) "
        "{ cart { id } userErrors { field message } } }"
    )
    payload = data(post(shop, "storefront", "2024-10", {"query": mutation}))["cartCreate"]
    assert payload["userErrors"] == []
    assert payload["cart"]["id"].startswith("gid://shopify/Cart/")


# -- the Admin API's leaky bucket -------------------------------------------------------


def test_query_cost_counts_like_shopify() -> None:
    assert query_cost("query Q { shop { name } }", {}) == 1  # one object
    products = "query Q($n: Int) { products(first: $n) { nodes { id title } } }"
    assert query_cost(products, {"n": 10}) == 2 + 10 * 1  # a connection: 2 + first x item
    assert query_cost(products, {"n": 250}) == 252
    mutation = "mutation M { a: shop { name } b: shop { name } }"
    assert query_cost(mutation, {}) == 20  # 10 a root field
    assert query_cost("not graphql", {}) == 1


def test_a_query_costing_more_than_is_available_is_throttled_and_not_run() -> None:
    bucket = LeakyBucket(maximum=10, restore_rate=0.5)
    with FakeShopify(schema_dir=ROOT / "schema", bucket=bucket) as shop:
        shop.set_cost("Q", 8)
        body = {"query": "query Q { shop { name } }", "operationName": "Q"}
        first = post(shop, "admin", "2024-01", body).json()
        assert first["extensions"]["cost"]["requestedQueryCost"] == 8
        assert first["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] < 3
        second = post(shop, "admin", "2024-01", body).json()
    assert "data" not in second
    (error,) = second["errors"]
    assert (error["message"], error["extensions"]["code"]) == ("Throttled", "THROTTLED")
    cost = second["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 8 and cost["actualQueryCost"] is None
    assert cost["throttleStatus"]["maximumAvailable"] == 10
    assert cost["throttleStatus"]["restoreRate"] == 0.5
    assert bucket.throttled == 1 and bucket.spent == 8
    assert shop.executed["Q"] == 1  # the throttled call did not run


def test_storefront_calls_do_not_draw_on_the_bucket() -> None:
    bucket = LeakyBucket(maximum=1, restore_rate=0.01)
    with FakeShopify(schema_dir=ROOT / "schema", bucket=bucket) as shop:
        for _ in range(3):
            data(post(shop, "storefront", "2024-10", {"query": PRODUCTS}))
    assert bucket.throttled == 0 and bucket.spent == 0


def test_plans_follow_shopifys_documented_restore_rates() -> None:
    assert {name: rate for name, (_, rate) in PLANS.items()} == {
        "standard": 100,
        "advanced": 200,
        "plus": 1_000,
        "enterprise": 2_000,
    }
    assert LeakyBucket.for_plan("plus").maximum == 20_000
    with pytest.raises(ValueError, match="unknown plan"):
        LeakyBucket.for_plan("gold")
    with pytest.raises(ValueError, match="positive"):
        LeakyBucket(maximum=0)
