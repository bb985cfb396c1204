"""The generated models parse the documentation's example responses into typed objects.

They are this repository's packages (PROJECT's generated/): the seed operations' tests
name their models; what depends on the set of operations is found from queries/.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLType,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    get_named_type,
    type_from_ast,
    visit,
)
from graphql.language import Visitor

import shopify_admin
import shopify_storefront
from shopify_admin import StorefrontAccessTokenCreate, StorefrontAccessTokenInput
from shopify_client import ShopifyEnum
from shopify_codegen.config import load_config
from shopify_codegen.operations import read_operation_folder
from shopify_codegen.store import committed_schema
from shopify_storefront import (
    Customer,
    CustomerAccessTokenCreate,
    CustomerAccessTokenCreateInput,
    CustomerErrorCode,
)
from tests.conftest import FIXTURES, PROJECT

RESPONSES = FIXTURES / "responses"
SEEDS = FIXTURES / "seeds"
CONFIG = load_config(PROJECT)


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def contains(big: Any, small: Any) -> bool:
    """Every key and value of ``small`` stands unchanged in ``big``."""
    if isinstance(small, dict):
        return isinstance(big, dict) and all(
            k in big and contains(big[k], v) for k, v in small.items()
        )
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
    pinned = {name: api.pinned_version for name, api in CONFIG.apis.items()}
    assert shopify_storefront.API == "storefront" and shopify_admin.API == "admin"
    assert (pinned["storefront"], pinned["admin"]) == (
        shopify_storefront.API_VERSION,
        shopify_admin.API_VERSION,
    )
    for package in (shopify_storefront, shopify_admin):
        assert {"Client", "AsyncClient", "API_VERSION"} <= set(package.__all__)
        assert package.Client.api_version == package.API_VERSION
        assert package.AsyncClient.api_version == package.API_VERSION
        for name in package.__all__:
            assert hasattr(package, name), name


def test_the_packages_imported_are_the_projects() -> None:
    """The tests of this file import the generated packages of PROJECT (another copy's
    when TESTS_PROJECT_ROOT names one; tests/test_template.py puts it first on the path)."""
    for api in CONFIG.apis.values():
        module = importlib.import_module(api.package)
        assert module.__file__ is not None
        assert Path(module.__file__).resolve().parent == CONFIG.package_dir(api).resolve()


def reached_types(key: str) -> tuple[set[str], set[str]]:
    """(input types, enums) the operations of package ``key`` reach in its pinned schema:
    every input type and enum a variable's type leads to (through input fields, nested
    inputs included), and every enum a selected field returns."""
    config = CONFIG.api(key)
    schema = committed_schema(CONFIG, config.name, config.pinned_version)
    inputs: set[str] = set()
    enums: set[str] = set()

    def follow(type_: GraphQLType | None) -> None:
        if type_ is None:
            return
        named = get_named_type(type_)
        if isinstance(named, GraphQLEnumType):
            enums.add(named.name)
        elif isinstance(named, GraphQLInputObjectType) and named.name not in inputs:
            inputs.add(named.name)
            for field in named.fields.values():
                follow(field.type)

    class Reach(Visitor):
        def __init__(self, info: TypeInfo) -> None:
            super().__init__()
            self.info = info

        def enter_variable_definition(self, node: VariableDefinitionNode, *_: object) -> None:
            follow(type_from_ast(schema, node.type))

        def enter_field(self, *_: object) -> None:
            named = get_named_type(self.info.get_type())
            if isinstance(named, GraphQLEnumType):
                enums.add(named.name)

    for op_file in read_operation_folder(config.queries):
        info = TypeInfo(schema)
        visit(op_file.document, TypeInfoVisitor(info, Reach(info)))
    return inputs, enums


def classes(module: object) -> set[str]:
    name = getattr(module, "__name__", "")
    return {
        n
        for n, v in vars(module).items()
        if isinstance(v, type) and v.__module__ == name and not n.startswith("_")
    }


@pytest.mark.parametrize("api", sorted(CONFIG.apis))
def test_only_the_reached_inputs_and_enums_are_generated(api: str) -> None:
    """Found from queries/, whatever it holds: not Admin's ~2,000 input types and enums."""
    package = CONFIG.api(api).package
    inputs, enums = reached_types(api)
    generated_inputs = classes(importlib.import_module(f"{package}.input_types"))
    generated_enums = classes(importlib.import_module(f"{package}.enums"))
    assert generated_inputs == inputs
    assert generated_enums == enums
    schema = committed_schema(CONFIG, CONFIG.api(api).name, CONFIG.api(api).pinned_version)
    all_enums = [t for t in schema.type_map.values() if isinstance(t, GraphQLEnumType)]
    assert len(generated_enums) < len(all_enums) / 2


def test_the_seed_operations_reach_their_inputs_and_enums() -> None:
    from shopify_admin import input_types as admin_inputs
    from shopify_storefront import enums, input_types

    assert "CustomerAccessTokenCreateInput" in classes(input_types)
    # CustomerErrorCode: customerUserErrors; ProductSortKeys: $sortKey of Products;
    # CurrencyCode: the ProductCard fragment's prices.
    assert {"CurrencyCode", "CustomerErrorCode", "ProductSortKeys"} <= classes(enums)
    assert "StorefrontAccessTokenInput" in classes(admin_inputs)


def test_generated_files_carry_ariadne_header() -> None:
    files = sorted(CONFIG.generated_dir.rglob("*.py"))
    assert files
    for path in files:
        assert path.read_text().startswith("# Generated by ariadne-codegen"), path
