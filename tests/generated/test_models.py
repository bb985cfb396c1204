"""The generated models parse the documentation's example responses into typed objects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import shopify_admin
import shopify_storefront
from shopify_admin import StorefrontAccessTokenCreate, StorefrontAccessTokenInput
from shopify_client import ShopifyEnum
from shopify_storefront import (
    Customer,
    CustomerAccessTokenCreate,
    CustomerAccessTokenCreateInput,
    CustomerErrorCode,
)
from tests.conftest import FIXTURES

RESPONSES = FIXTURES / "responses"
SEEDS = FIXTURES / "seeds"


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def contains(big: Any, small: Any) -> bool:
    """Every key and value of ``small`` stands unchanged in ``big``."""
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and contains(big[k], v) for k, v in small.items())
    if isinstance(small, list):
        return isinstance(big, list) and len(big) == len(small) and all(map(contains, big, small))
    return bool(big == small)


@pytest.mark.parametrize(
    ("seed", "response"),
    [
        ("storefront_customer_access_token_create", "storefront_customer_access_token_create"),
        ("storefront_customer", "storefront_customer"),
        ("admin_storefront_access_token_create", "admin_storefront_access_token_create"),
    ],
)
def test_recorded_responses_extend_the_seed_examples_unchanged(seed: str, response: str) -> None:
    seed_body = load(SEEDS / f"{seed}.json")
    data = load(RESPONSES / f"{response}.json")["data"]
    assert contains(data, seed_body.get("data", seed_body))


def test_customer_access_token_create_parses_to_typed_objects() -> None:
    result = CustomerAccessTokenCreate.model_validate(
        load(RESPONSES / "storefront_customer_access_token_create.json")["data"]
    )
    payload = result.customer_access_token_create
    assert payload is not None and payload.customer_access_token is not None
    assert payload.customer_access_token.access_token == "ghaidas_token"
    expires = payload.customer_access_token.expires_at
    assert isinstance(expires, dt.datetime)
    assert expires == dt.datetime(2024, 12, 10, 14, 3, 27, tzinfo=dt.UTC)
    assert payload.customer_user_errors == []


def test_user_errors_parse_with_enum_codes() -> None:
    result = CustomerAccessTokenCreate.model_validate(
        load(RESPONSES / "storefront_customer_access_token_create_wrong_password.json")["data"]
    )
    payload = result.customer_access_token_create
    assert payload is not None
    (error,) = payload.customer_user_errors
    assert error.code is CustomerErrorCode.UNIDENTIFIED_CUSTOMER
    assert error.message == "Unidentified customer"


def test_customer_parses_scalars_to_python_types() -> None:
    result = Customer.model_validate(load(RESPONSES / "storefront_customer.json")["data"])
    customer = result.customer
    assert customer is not None
    assert customer.id == "gid://shopify/Customer/410535040"
    assert (customer.first_name, customer.last_name) == ("John", "Smith")
    assert customer.accepts_marketing is False
    assert customer.number_of_orders == 3  # UnsignedInt64 arrives as a string
    assert isinstance(customer.created_at, dt.datetime)
    assert customer.created_at.tzinfo is not None


def test_admin_storefront_access_token_create_parses() -> None:
    result = StorefrontAccessTokenCreate.model_validate(
        load(RESPONSES / "admin_storefront_access_token_create.json")["data"]
    )
    payload = result.storefront_access_token_create
    assert payload is not None and payload.storefront_access_token is not None
    token = payload.storefront_access_token
    assert [s.handle for s in token.access_scopes][0] == "unauthenticated_read_product_listings"
    assert token.title == "New Storefront Access Token"
    assert isinstance(token.created_at, dt.datetime)
    assert payload.shop.id == "gid://shopify/Shop/325953821"


def test_enum_value_added_by_shopify_later_parses() -> None:
    body = load(RESPONSES / "storefront_customer_access_token_create_wrong_password.json")["data"]
    body["customerAccessTokenCreate"]["customerUserErrors"][0]["code"] = "PASSWORD_TOO_FAMOUS"
    payload = CustomerAccessTokenCreate.model_validate(body).customer_access_token_create
    assert payload is not None
    code = payload.customer_user_errors[0].code
    assert isinstance(code, CustomerErrorCode)
    assert code == "PASSWORD_TOO_FAMOUS"
    assert code is not None and not code.is_known
    assert CustomerErrorCode.TAKEN.is_known
    assert issubclass(CustomerErrorCode, ShopifyEnum)


def test_secrets_stay_out_of_model_reprs() -> None:
    credentials = CustomerAccessTokenCreateInput(email="ghaida@example.com", password="7dx2gx2Z")
    assert "7dx2gx2Z" not in repr(credentials) and "7dx2gx2Z" not in str(credentials)
    assert "ghaida@example.com" in repr(credentials)
    result = CustomerAccessTokenCreate.model_validate(
        load(RESPONSES / "storefront_customer_access_token_create.json")["data"]
    )
    assert "ghaidas_token" not in repr(result)
    admin = StorefrontAccessTokenCreate.model_validate(
        load(RESPONSES / "admin_storefront_access_token_create.json")["data"]
    )
    assert "010d7d4bcbde61fb31e04ced99c1bb83" not in repr(admin)
    assert "New Storefront Access Token" in repr(admin)


def test_input_types_serialise_with_schema_names() -> None:
    body = StorefrontAccessTokenInput(title="Mobile app").model_dump(by_alias=True)
    assert body == {"title": "Mobile app"}


def test_packages_export_both_clients_and_their_version() -> None:
    assert shopify_storefront.API == "storefront" and shopify_storefront.API_VERSION == "2024-10"
    assert shopify_admin.API == "admin" and shopify_admin.API_VERSION == "2024-01"
    for package in (shopify_storefront, shopify_admin):
        assert {"Client", "AsyncClient", "API_VERSION"} <= set(package.__all__)
        assert package.Client.api_version == package.API_VERSION
        assert package.AsyncClient.api_version == package.API_VERSION
        for name in package.__all__:
            assert hasattr(package, name), name


def test_only_the_reached_inputs_and_enums_are_generated() -> None:
    from shopify_admin import input_types as admin_inputs
    from shopify_storefront import enums, input_types

    def classes(module: object) -> set[str]:
        return {n for n, v in vars(module).items() if isinstance(v, type) and v.__module__ == module.__name__}  # type: ignore[attr-defined]

    assert classes(input_types) == {"CustomerAccessTokenCreateInput"}
    # CustomerErrorCode: customerUserErrors; ProductSortKeys: $sortKey of Products;
    # CurrencyCode: the ProductCard fragment's prices. Not Admin's ~300 enums.
    assert classes(enums) == {"CurrencyCode", "CustomerErrorCode", "ProductSortKeys"}
    assert classes(admin_inputs) == {"StorefrontAccessTokenInput"}


def test_generated_files_carry_ariadne_header() -> None:
    from tests.conftest import ROOT

    for path in (ROOT / "generated").rglob("*.py"):
        assert path.read_text().startswith("# Generated by ariadne-codegen"), path
