"""Every corpus method, called with only its required arguments and with all of them,
sync and async, against FakeShopify answering from the committed schema.

Arguments are made from each method's own type hints, so a method added to the
corpus is covered with no change here. What is checked: the call returns the
method's declared type, and the request carries exactly the variables passed (an
optional argument left out is left out of the request, not sent as UNSET or null).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import inspect
import sys
import types
import typing
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pydantic
import pytest
from pydantic import JsonValue

from shopify_client import UnsetType, UnsupportedVersionWarning
from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify
from tests.conformance.corpus import ROOT, VERSIONS
from tests.conformance.expected import corpus_admin, corpus_storefront

PACKAGES: dict[str, types.ModuleType] = {"storefront": corpus_storefront, "admin": corpus_admin}
TOKENS = {"storefront": STOREFRONT_TOKEN, "admin": ADMIN_TOKEN}


def methods(api: str) -> list[str]:
    client = PACKAGES[api].Client
    return sorted(
        name
        for name, member in vars(client).items()
        if inspect.isfunction(member) and not name.startswith("_")
    )


CASES = [(api, n) for api in sorted(PACKAGES) for n in methods(api) if not n.startswith("iter_")]
PAGED = [(api, n) for api in sorted(PACKAGES) for n in methods(api) if n.startswith("iter_")]


def _strip(hint: Any) -> Any:
    """``Union[Optional[X], UnsetType]`` -> ``X``."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        rest = [a for a in args if a not in (type(None), UnsetType)]
        return _strip(rest[0]) if len(rest) == 1 else rest[0]
    return hint


def make(hint: Any, depth: int = 0) -> Any:
    """A plausible value of ``hint`` (a generated method's parameter type)."""
    hint = _strip(hint)
    origin = typing.get_origin(hint)
    if origin is list:
        return [make(typing.get_args(hint)[0], depth + 1)]
    if origin is dict or hint is Any or hint is JsonValue:
        return {"key": "value"}
    if inspect.isclass(hint):
        if issubclass(hint, enum.Enum):
            return next(iter(hint))
        if issubclass(hint, pydantic.BaseModel):
            fields = {
                name: make(field.annotation, depth + 1)
                for name, field in hint.model_fields.items()
                if field.is_required()
            }
            return hint(**fields)
        simple: dict[type, Any] = {
            bool: True,
            int: 5,
            float: 1.5,
            str: "gid://shopify/Product/1",
            Decimal: Decimal("10.50"),
            dt.datetime: dt.datetime(2024, 10, 1, 12, 0, tzinfo=dt.UTC),
            dt.date: dt.date(2024, 10, 1),
        }
        for kind, value in simple.items():
            if issubclass(hint, kind):
                return value
    raise AssertionError(f"no value for {hint!r}: teach make() this type")


def type_hints(method: Callable[..., Any]) -> dict[str, Any]:
    """The method's annotations, resolved. A client module imports its models for
    type checkers only (they load on first use, shopify_codegen/lazy.py), so the
    names are looked up in the package, whose ``__getattr__`` loads them."""
    package = sys.modules[method.__module__.rpartition(".")[0]]
    names = {name: getattr(package, name) for name in package.__all__}
    return typing.get_type_hints(method, localns=names)


def arguments(method: Callable[..., Any], *, all_of_them: bool) -> dict[str, Any]:
    hints = type_hints(method)
    out = {}
    for name, parameter in inspect.signature(method).parameters.items():
        if name == "self" or parameter.kind is parameter.VAR_KEYWORD:
            continue
        if parameter.default is parameter.empty or all_of_them:
            out[name] = make(hints[name])
    return out


@pytest.fixture(scope="module")
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(schema_dir=ROOT / "schema") as fake:
        yield fake


@pytest.fixture(autouse=True)
def _quiet_versions() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedVersionWarning)
        yield


def _check(shop: FakeShopify, api: str, name: str, result: Any, passed: dict[str, Any]) -> None:
    method = getattr(PACKAGES[api].Client, name)
    returns = type_hints(method)["return"]
    assert isinstance(result, returns)
    body = shop.requests[-1].body
    assert body is not None
    sent = body.get("variables", {})
    assert len(sent) == len(passed), (sorted(sent), sorted(passed))
    assert None not in sent.values() or any(v is None for v in passed.values())


@pytest.mark.parametrize("all_of_them", [False, True], ids=["required", "all"])
@pytest.mark.parametrize(("api", "name"), CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_sync_call(shop: FakeShopify, api: str, name: str, all_of_them: bool) -> None:
    package = PACKAGES[api]
    endpoint = shop.endpoint(api, VERSIONS[api])  # type: ignore[arg-type]
    with package.Client(endpoint=endpoint, access_token=TOKENS[api]) as client:
        method = getattr(client, name)
        passed = arguments(getattr(package.Client, name), all_of_them=all_of_them)
        result = method(**passed)
    _check(shop, api, name, result, passed)


@pytest.mark.parametrize("all_of_them", [False, True], ids=["required", "all"])
@pytest.mark.parametrize(("api", "name"), CASES, ids=[f"{a}-{n}" for a, n in CASES])
def test_async_call(shop: FakeShopify, api: str, name: str, all_of_them: bool) -> None:
    package = PACKAGES[api]
    endpoint = shop.endpoint(api, VERSIONS[api])  # type: ignore[arg-type]
    passed = arguments(getattr(package.AsyncClient, name), all_of_them=all_of_them)

    async def call() -> Any:
        async with package.AsyncClient(endpoint=endpoint, access_token=TOKENS[api]) as client:
            return await getattr(client, name)(**passed)

    result = asyncio.run(call())
    _check(shop, api, name, result, passed)


def _item_type(api: str, name: str) -> Any:
    returns = type_hints(getattr(PACKAGES[api].Client, name))["return"]
    (item,) = typing.get_args(returns)
    return item


@pytest.mark.parametrize(("api", "name"), PAGED, ids=[f"{a}-{n}" for a, n in PAGED])
def test_pagination_helpers_walk_sync_and_async(shop: FakeShopify, api: str, name: str) -> None:
    package = PACKAGES[api]
    endpoint = shop.endpoint(api, VERSIONS[api])  # type: ignore[arg-type]
    passed = arguments(getattr(package.Client, name), all_of_them=False)
    item_type = _item_type(api, name)
    with package.Client(endpoint=endpoint, access_token=TOKENS[api]) as client:
        items = list(getattr(client, name)(**passed, max_pages=1))
    assert items and all(isinstance(item, item_type) for item in items)

    async def walk() -> list[Any]:
        async with package.AsyncClient(endpoint=endpoint, access_token=TOKENS[api]) as client:
            return [item async for item in getattr(client, name)(**passed, max_items=1)]

    assert [type(item) for item in asyncio.run(walk())] == [type(items[0])]


def test_every_corpus_method_has_a_required_only_and_an_all_arguments_form() -> None:
    optional = 0
    for api, name in CASES:
        method = getattr(PACKAGES[api].Client, name)
        required = arguments(method, all_of_them=False)
        everything = arguments(method, all_of_them=True)
        optional += len(everything) - len(required)
    assert optional >= 10  # the corpus exercises optional variables, many of them
    assert len(PAGED) >= 5  # and paginated connections, read through nodes and edges


@pytest.mark.parametrize(("api", "name"), PAGED, ids=[f"{a}-{n}" for a, n in PAGED])
def test_pagination_helpers_refuse_a_repeated_cursor_sync_and_async(api: str, name: str) -> None:
    """Every connection shape of the corpus: a shop that answers hasNextPage true with
    the same endCursor is refused at its second page (before issue 21 it was paged
    for ever; this shop gives up after 40 pages, so a regression fails, not hangs)."""
    from shopify_client import InvalidResponseError

    package = PACKAGES[api]
    pages: list[object] = []

    def has_next(arguments: dict[str, Any]) -> bool:
        pages.append(arguments)
        return len(pages) < 40

    with FakeShopify(schema_dir=ROOT / "schema") as fake:
        fake.set_field("PageInfo.hasNextPage", has_next)
        fake.set_field("PageInfo.endCursor", "the-same-cursor")
        endpoint = fake.endpoint(api, VERSIONS[api])  # type: ignore[arg-type]
        passed = arguments(getattr(package.Client, name), all_of_them=False)
        with (
            package.Client(endpoint=endpoint, access_token=TOKENS[api]) as client,
            pytest.raises(InvalidResponseError, match="already sent"),
        ):
            list(getattr(client, name)(**passed))
        assert len(fake.requests) == 2

        async def walk() -> list[Any]:
            async with package.AsyncClient(endpoint=endpoint, access_token=TOKENS[api]) as client:
                return [item async for item in getattr(client, name)(**passed)]

        with pytest.raises(InvalidResponseError, match="already sent"):
            asyncio.run(walk())
        assert len(fake.requests) == 4
