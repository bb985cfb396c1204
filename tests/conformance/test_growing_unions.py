"""Members Shopify adds to unions and interfaces inside a published version parse.

Each case serves the client a real answer of FakeShopify in which one abstract
value's ``__typename`` is a type the generated code has no model for. It must parse
into the fallback model named after the abstract type, keeping ``__typename`` and
the fields selected on the abstract type itself, the way an enum keeps a value it
does not know. The project's own ``Products`` (a union in a fragment file) and two
corpus operations (an interface, one value and a list) are held to it, sync and async.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from shopify_client import UnsupportedVersionWarning
from shopify_client.testing import STOREFRONT_TOKEN, FakeShopify, Fault
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import ProductCardBrandReferenceMetafieldReference
from tests.conformance.corpus import ROOT
from tests.conformance.expected import corpus_storefront
from tests.conformance.expected.corpus_storefront.node_by_id import NodeByIdNodeNode
from tests.conformance.expected.corpus_storefront.nodes_by_ids import NodesByIdsNodesNode

NEW_TYPE = "ShopifyAddedThisLater"


@pytest.fixture
def shop() -> Iterator[FakeShopify]:
    with FakeShopify(schema_dir=ROOT / "schema") as fake, warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedVersionWarning)
        yield fake


def serve_with_new_type(
    shop: FakeShopify, call: Callable[[], Any], patch: Callable[[dict[str, Any]], None]
) -> Any:
    """Call once for a real answer, patch it, serve it as the next answer, call again."""
    call()
    body = shop.requests[-1].body
    assert body is not None
    answer = httpx_post(shop, body)
    patch(answer["data"])
    shop.enqueue(Fault.http(200, json.dumps(answer)))
    return call()


def httpx_post(shop: FakeShopify, body: dict[str, Any]) -> dict[str, Any]:
    import httpx

    response = httpx.post(
        shop.endpoint("storefront", "2024-10"),
        json=body,
        headers={"X-Shopify-Storefront-Access-Token": STOREFRONT_TOKEN},
    )
    result: dict[str, Any] = response.json()
    return result


def test_a_new_union_member_parses_into_the_fallback(shop: FakeShopify) -> None:
    endpoint = shop.endpoint("storefront", "2024-10")

    def patch(data: dict[str, Any]) -> None:
        data["products"]["nodes"][0]["brand"]["reference"] = {"__typename": NEW_TYPE}

    with StorefrontClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
        result = serve_with_new_type(shop, lambda: client.products(first=2), patch)
    brand = result.products.nodes[0].brand
    assert brand is not None
    assert isinstance(brand.reference, ProductCardBrandReferenceMetafieldReference)
    assert brand.reference.typename__ == NEW_TYPE
    # the second product, untouched, still gets the model of its own type
    second = result.products.nodes[1].brand
    assert second is not None and type(second.reference).__name__.endswith("Metaobject")


def test_a_new_interface_implementer_keeps_the_interface_fields(shop: FakeShopify) -> None:
    endpoint = shop.endpoint("storefront", "2024-10")

    def patch(data: dict[str, Any]) -> None:
        data["node"] = {"__typename": NEW_TYPE, "id": "gid://shopify/ShopifyAddedThisLater/1"}

    with corpus_storefront.Client(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
        result = serve_with_new_type(shop, lambda: client.node_by_id(id="gid://x"), patch)
    assert isinstance(result.node, NodeByIdNodeNode)
    assert (result.node.typename__, result.node.id) == (
        NEW_TYPE,
        "gid://shopify/ShopifyAddedThisLater/1",
    )


def test_a_new_member_inside_a_list_parses_async(shop: FakeShopify) -> None:
    endpoint = shop.endpoint("storefront", "2024-10")

    def patch(data: dict[str, Any]) -> None:
        data["nodes"][1] = {"__typename": NEW_TYPE, "id": "gid://shopify/New/2"}

    async def run() -> Any:
        async with corpus_storefront.AsyncClient(
            endpoint=endpoint, access_token=STOREFRONT_TOKEN
        ) as client:
            await client.nodes_by_ids(ids=["a", "b"])
            body = shop.requests[-1].body
            assert body is not None
            answer = httpx_post(shop, body)
            patch(answer["data"])
            shop.enqueue(Fault.http(200, json.dumps(answer)))
            return await client.nodes_by_ids(ids=["a", "b"])

    result = asyncio.run(run())
    assert isinstance(result.nodes[1], NodesByIdsNodesNode)
    assert result.nodes[1].typename__ == NEW_TYPE
    assert type(result.nodes[0]).__name__ != "NodesByIdsNodesNode"


def test_a_missing_typename_is_still_an_invalid_response(shop: FakeShopify) -> None:
    from shopify_client import InvalidResponseError

    endpoint = shop.endpoint("storefront", "2024-10")

    def patch(data: dict[str, Any]) -> None:
        data["node"] = {"id": "gid://shopify/X/1"}

    with (
        corpus_storefront.Client(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client,
        pytest.raises(InvalidResponseError, match="__typename"),
    ):
        serve_with_new_type(shop, lambda: client.node_by_id(id="gid://x"), patch)
