"""Importing the clients loads what a call needs; the rest loads on first use.

``@dataclass`` builds a frozen record's methods with ``exec()`` at import, ~0.5-1 ms
apiece; the records a client needs only at construction (RetryPolicy, VersionSupport,
ApiSpec), with an answer (GraphQLResponse, QueryCost, GraphQLErrorDetail) or from a
helper (CallResult) load then (issue 11: a package's import costs at most +5 ms over
pydantic's first model). These tests pin which modules load when, and that a lazy
name is the very object its module defines.
"""

from __future__ import annotations

import importlib
import pickle
import typing

import pytest

import shopify_admin
import shopify_client
import shopify_storefront
from tests.conftest import run_fresh

DEFERRED = (
    "_apis",
    "_auth",
    "_costs",
    "_endpoint",
    "_enums",
    "_http",
    "_pacing",
    "_per_call",
    "_records",
    "_redact",
    "_retry",
    "_user_errors",
    "_versions",
)


def _run(code: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = run_fresh(code)
    return result


def test_importing_the_clients_builds_no_deferred_record() -> None:
    loaded = _run(
        """
        import json, sys, warnings
        warnings.simplefilter("ignore")
        import httpx
        modules = lambda: sorted(m.rpartition(".")[2] for m in sys.modules
                                 if m.startswith("shopify_client."))
        import shopify_admin, shopify_storefront
        at_import = modules()
        data = {"data": {"customer": None}}
        answer = httpx.MockTransport(lambda r: httpx.Response(200, json=data))
        with shopify_storefront.Client(
            endpoint="https://example.myshopify.com/api/2024-10/graphql.json",
            access_token="t",
            http_client=httpx.Client(transport=answer),
        ) as client:
            constructed = modules()
            assert client.customer(customer_access_token="t").customer is None
        after_call = modules()
        shopify_storefront.Client(shop="example.myshopify.com", access_token="t").close()
        own_http = modules()
        shopify_admin.Client(shop="example.myshopify.com", access_token="shpat_t").close()
        print(json.dumps({"import": at_import, "constructed": constructed,
                          "call": after_call, "own_http": own_http, "admin": modules()}))
        """
    )
    assert not set(DEFERRED) & set(loaded["import"]), loaded["import"]
    assert {"_client", "_response", "_transport", "_exceptions"} <= set(loaded["import"])
    # Construction needs the auth and endpoint checks, the retry policy and the
    # version window; the endpoint table (shop=) and the cookieless httpx clients
    # load when a client is built from a shop and without an http_client of the
    # caller's; the limiter with an Admin client.
    constructed = set(loaded["constructed"]) - set(loaded["import"])
    assert constructed == {"_auth", "_endpoint", "_retry", "_versions"}
    # The first answer loads its records (whose reprs redact), and nothing else.
    assert set(loaded["call"]) - set(loaded["constructed"]) == {"_records", "_redact"}
    assert set(loaded["own_http"]) - set(loaded["call"]) == {"_apis", "_http"}
    assert set(loaded["admin"]) - set(loaded["own_http"]) == {"_pacing", "_costs"}


def test_an_admin_answer_gives_its_cost_as_a_record() -> None:
    loaded = _run(
        """
        import json, sys
        import httpx
        import shopify_admin
        cost = {"requestedQueryCost": 2, "actualQueryCost": 2, "throttleStatus": {
            "maximumAvailable": 2000.0, "currentlyAvailable": 1998, "restoreRate": 100.0}}
        data = {"data": {"storefrontAccessTokenCreate": None}, "extensions": {"cost": cost}}
        answer = httpx.MockTransport(lambda r: httpx.Response(200, json=data))
        with shopify_admin.Client(
            endpoint="https://example.myshopify.com/admin/api/2024-01/graphql.json",
            access_token="shpat_t",
            http_client=httpx.Client(transport=answer),
        ) as client:
            client.storefront_access_token_create(input={"title": "x"})
            cost = client.last_cost
        print(json.dumps({"cost": [type(cost).__module__, cost.actual]}))
        """
    )
    assert loaded["cost"] == ["shopify_client._records", 2.0]


@pytest.mark.parametrize("name", sorted(shopify_client._LAZY))
def test_a_lazy_name_is_the_object_its_module_defines(name: str) -> None:
    module = importlib.import_module(f"shopify_client.{shopify_client._LAZY[name]}")
    assert getattr(shopify_client, name) is getattr(module, name)
    assert name in vars(shopify_client)  # cached: no second look-up
    assert name in dir(shopify_client)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'RetryPolicyy'"):
        _ = shopify_client.RetryPolicyy  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("cls", "old_module", "record"),
    [
        ("QueryCost", "_exceptions", shopify_client.QueryCost(1.0, 1.0, 2000.0, 1999.0, 100.0)),
        ("GraphQLErrorDetail", "_exceptions", shopify_client.GraphQLErrorDetail("boom", ("a", 0))),
        ("GraphQLResponse", "_response", shopify_client.GraphQLResponse({"a": 1}, {"x": 2})),
    ],
)
def test_records_pickled_under_their_old_module_still_load(
    cls: str, old_module: str, record: object
) -> None:
    """The records moved to ``_records``; a pickle made before names the module that
    held them, which still answers for them."""
    new = f"cshopify_client._records\n{cls}\n".encode()
    old = f"cshopify_client.{old_module}\n{cls}\n".encode()
    data = pickle.dumps(record, protocol=0)
    assert new in data
    assert pickle.loads(data.replace(new, old)) == record
    module = importlib.import_module(f"shopify_client.{old_module}")
    assert getattr(module, cls) is getattr(shopify_client, cls)


def test_a_moved_protocol_is_still_found_where_it_was() -> None:
    """UserErrorItem moved to ``_user_errors`` (a Protocol class costs ~90 us to build);
    code that imported it from ``_exceptions`` keeps working."""
    from shopify_client._exceptions import UserErrorItem  # type: ignore[attr-defined]

    assert UserErrorItem is shopify_client.UserErrorItem
    assert UserErrorItem.__module__ == "shopify_client._user_errors"


def test_type_hints_resolve_with_the_public_names_as_localns() -> None:
    """Names only imported for type checkers (the deferred ones) are not in the defining
    module's namespace; the README gives the public names as ``localns``, and that
    resolves every public signature that uses them."""
    localns = {
        name: getattr(module, name)
        for module in (shopify_client, shopify_storefront)
        for name in module.__all__
    }
    hints = typing.get_type_hints(shopify_storefront.Client.__init__, localns=localns)
    assert hints["retry_policy"] == shopify_client.RetryPolicy | None
    admin = typing.get_type_hints(shopify_admin.AsyncClient.__init__, localns=localns)
    assert admin["pacing"] == (
        bool | shopify_client.QueryCostLimiter | str | shopify_client.RedisClient
    )
    throttled = typing.get_type_hints(shopify_client.ThrottledError.__init__, localns=localns)
    assert throttled["cost"] == shopify_client.QueryCost | None
    for error in (shopify_client.GraphQLError, shopify_client.UserErrorsError):
        assert typing.get_type_hints(error.__init__, localns=localns)
    customer = typing.get_type_hints(shopify_storefront.Client.customer, localns=localns)
    assert customer["return"] is shopify_storefront.Customer
