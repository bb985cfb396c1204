"""Property-based: arbitrary and near-valid response bodies through the real HTTP path.

Every outcome is a typed result or one of the library's own exceptions: never a bare
KeyError, ValidationError or JSONDecodeError escaping to the caller.
HYPOTHESIS_EXAMPLES sets the number of examples (make soak raises it).
"""

from __future__ import annotations

import copy
import json
import os
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopify_admin import Client as AdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client import RetryPolicy, ShopifyError
from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify, Fault
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput
from tests.conftest import FIXTURES

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "120"))
RESPONSES = {
    name: json.loads((FIXTURES / "responses" / f"{name}.json").read_text())
    for name in (
        "storefront_customer",
        "storefront_customer_access_token_create",
        "admin_storefront_access_token_create",
    )
}
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(
        ["UNIDENTIFIED_CUSTOMER", "SOMETHING_NEW", "2024-12-10T14:03:27Z", "not a date", "-1"]
    ),
)
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if len(prefix) > 12:
        return  # not into the deep nesting an earlier mutation planted
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def near_valid(draw: st.DrawFn, name: str) -> bytes:
    body = copy.deepcopy(RESPONSES[name])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = [p for p in _paths(body) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = body
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "extra", "huge", "deep", "null"]))
        if action == "replace":
            parent[path[-1]] = draw(json_value)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(json_value)
        elif action == "huge":
            parent[path[-1]] = "x" * 300_000
        elif action == "deep":
            deep: Any = "bottom"
            for _ in range(draw(st.integers(min_value=50, max_value=500))):
                deep = [deep]
            parent[path[-1]] = deep
        elif action == "null":
            parent[path[-1]] = None
    raw = json.dumps(body).encode()
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
        cut = draw(st.integers(min_value=0, max_value=len(raw)))
        raw = raw[:cut] + b"\xff\xfe" + raw[cut:]  # invalid UTF-8
    return raw


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as server:
        yield server


def call(fake: FakeShopify, name: str) -> object:
    no_retries = RetryPolicy(max_retries=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name.startswith("admin"):
            with AdminClient(
                endpoint=fake.endpoint("admin", AdminClient.api_version),
                access_token=ADMIN_TOKEN,
                retry_policy=no_retries,
            ) as admin:
                return admin.storefront_access_token_create(
                    input=StorefrontAccessTokenInput(title="prop")
                )
        with StorefrontClient(
            endpoint=fake.endpoint("storefront", StorefrontClient.api_version),
            access_token=STOREFRONT_TOKEN,
            retry_policy=no_retries,
        ) as client:
            if name == "storefront_customer":
                return client.customer(customer_access_token="prop-token")
            return client.customer_access_token_create(
                input=CustomerAccessTokenCreateInput(email="prop@example.com", password="pw-prop-1")
            )


def outcome(fake: FakeShopify, name: str, status: int, body: bytes) -> str:
    fake.enqueue(Fault.http(status, body))
    try:
        call(fake, name)
    except ShopifyError as exc:
        return type(exc).__name__
    except Exception as exc:  # exactly what must never happen
        return f"UNTYPED {type(exc).__name__}: {exc}"[:300]
    return "result"


@SETTINGS
@given(data=st.data())
def test_near_valid_bodies_give_typed_results_or_typed_errors(
    fake: FakeShopify, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(sorted(RESPONSES)))
    body = data.draw(near_valid(name))
    result = outcome(fake, name, 200, body)
    assert not result.startswith("UNTYPED"), result


@SETTINGS
@given(
    name=st.sampled_from(sorted(RESPONSES)),
    status=st.sampled_from([200, 200, 200, 201, 400, 401, 403, 404, 429, 430, 500, 502, 503]),
    body=st.one_of(st.binary(max_size=400), json_value.map(lambda v: json.dumps(v).encode())),
)
def test_arbitrary_bodies_and_statuses_give_typed_errors(
    fake: FakeShopify, name: str, status: int, body: bytes
) -> None:
    result = outcome(fake, name, status, body)
    assert not result.startswith("UNTYPED"), result
    if not 200 <= status < 300:
        assert result != "result"


def test_unknown_enum_value_and_extra_fields_still_parse(fake: FakeShopify) -> None:
    body = copy.deepcopy(RESPONSES["storefront_customer_access_token_create"])
    payload = body["data"]["customerAccessTokenCreate"]
    payload["customerUserErrors"] = [
        {"code": "BRAND_NEW_CODE", "field": None, "message": "new", "extra": 1}
    ]
    payload["fieldAddedNextQuarter"] = {"x": 1}
    assert (
        outcome(fake, "storefront_customer_access_token_create", 200, json.dumps(body).encode())
        == "result"
    )


def test_deeply_nested_body_is_a_typed_error(fake: FakeShopify) -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    assert outcome(fake, "storefront_customer", 200, deep) == "InvalidResponseError"
