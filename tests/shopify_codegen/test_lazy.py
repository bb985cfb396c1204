"""Generated packages load an operation's models on first use (shopify_codegen/lazy.py)."""

from __future__ import annotations

import ast
import importlib
import textwrap

import pytest

import shopify_storefront
from shopify_codegen.lazy import defer_client_imports, defer_init_imports
from tests.conftest import run_fresh

OPERATION_MODULES = (
    "customer",
    "customer_access_token_create",
    "products",
    "fragments",
    "enums",
    "input_types",
)


def _run(code: str) -> dict[str, object]:
    result: dict[str, object] = run_fresh(code)
    return result


def test_importing_a_package_loads_its_clients_and_no_operation_models() -> None:
    loaded = _run(
        """
        import json, sys, warnings
        warnings.simplefilter("ignore")
        import httpx
        from shopify_storefront import AsyncClient, Client
        modules = lambda: sorted(m.rpartition(".")[2] for m in sys.modules
                                 if m.startswith("shopify_storefront."))
        at_import = modules()
        data = {"data": {"customer": None}}
        answer = httpx.MockTransport(lambda r: httpx.Response(200, json=data))
        with Client(
            endpoint="https://example.myshopify.com/api/2024-10/graphql.json",
            access_token="t",
            http_client=httpx.Client(transport=answer),
        ) as client:
            assert client.customer(customer_access_token="t").customer is None
        after_call = modules()
        from shopify_storefront import CustomerAccessTokenCreateInput
        print(json.dumps({"import": at_import, "call": after_call, "input": modules()}))
        """
    )
    at_import, after_call, after_input = loaded["import"], loaded["call"], loaded["input"]
    assert isinstance(at_import, list) and isinstance(after_call, list)
    assert isinstance(after_input, list)
    assert not set(OPERATION_MODULES) & set(at_import)
    assert {"client", "async_client", "base_model"} <= set(at_import)
    # The first customer() call loads its own module, not the other operations'.
    assert set(after_call) - set(at_import) == {"customer"}
    assert "input_types" in after_input and "products" not in after_input


def test_the_async_client_loads_when_first_read() -> None:
    """A program uses one flavour: the other's modules are not imported with the package."""
    loaded = _run(
        """
        import json, sys
        import shopify_storefront
        modules = lambda: sorted(m.rpartition(".")[2] for m in sys.modules
                                 if m.startswith("shopify_storefront."))
        at_import = modules()
        client = shopify_storefront.AsyncClient
        print(json.dumps({"import": at_import, "async": modules(),
                          "base": client.__mro__[1].__module__}))
        """
    )
    at_import, after = loaded["import"], loaded["async"]
    assert isinstance(at_import, list) and isinstance(after, list)
    assert {"base_client", "base_model", "client"} <= set(at_import)
    assert not {"async_client", "async_base_client"} & set(at_import)
    assert set(after) - set(at_import) == {"async_client", "async_base_client"}
    assert loaded["base"] == "shopify_storefront.async_base_client"


def test_every_exported_name_loads_on_access_and_stays() -> None:
    lazy = dict(shopify_storefront._LAZY)
    assert lazy["Customer"] == "customer" and lazy["CurrencyCode"] == "enums"
    for name in shopify_storefront.__all__:
        value = getattr(shopify_storefront, name)
        if name in lazy:  # the very object its module defines
            assert value is getattr(
                importlib.import_module(f"shopify_storefront.{lazy[name]}"), name
            )
    assert "Customer" in vars(shopify_storefront)  # cached: no second look-up
    assert set(shopify_storefront.__all__) <= set(dir(shopify_storefront))
    with pytest.raises(AttributeError, match="has no attribute 'Custmer'"):
        _ = shopify_storefront.Custmer  # type: ignore[attr-defined]


def _defer(code: str) -> str:
    return ast.unparse(defer_client_imports(ast.parse(textwrap.dedent(code))))


def test_result_models_are_looked_up_and_cast_to_the_declared_type() -> None:
    out = _defer(
        """
        from .base_client import BaseClient
        from .customer import Customer

        class Client(BaseClient):
            def customer(self, token: str) -> Customer:
                data = self.get_data(self.execute(query="q", variables={"t": token}))
                return self.parse_result(Customer, data)
        """
    )
    assert out.startswith("from __future__ import annotations")
    assert "if TYPE_CHECKING:\n    from .customer import Customer" in out
    assert "from .base_client import BaseClient" in out.split("if TYPE_CHECKING")[0]
    assert "cast('Customer', self.parse_result(_model('customer', 'Customer'), data))" in out


def test_a_deferred_name_read_at_run_time_keeps_its_import() -> None:
    # ariadne-codegen does not emit this; the rewrite must stay correct if it ever does.
    out = _defer(
        """
        from .base_client import BaseClient
        from .enums import SortKeys
        from .products import Products

        class Client(BaseClient):
            def products(self, key: SortKeys = SortKeys.TITLE) -> Products:
                return self.parse_result(Products, {})
        """
    )
    before_guard, guarded = out.split("if TYPE_CHECKING:")
    assert "from .enums import SortKeys" in before_guard  # read by the default value
    assert "from .products import Products" in guarded  # annotations and parse_result only


def test_a_module_without_operation_imports_is_left_as_it_is() -> None:
    code = "from .base_client import BaseClient\n\n\nclass Client(BaseClient):\n    pass"
    assert _defer(code) == ast.unparse(ast.parse(code))
    assert ast.unparse(defer_init_imports(ast.parse(code))) == ast.unparse(ast.parse(code))
