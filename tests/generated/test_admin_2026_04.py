"""The current-Admin package beside the pinned one: its own version, typed calls."""

from __future__ import annotations

import shopify_admin
import shopify_admin_2026_04
from shopify_admin_2026_04 import Client, ProductStatus, ProductUpdateInput
from shopify_client.testing import ADMIN_TOKEN, FakeShopify


def test_two_admin_packages_pin_two_versions() -> None:
    assert shopify_admin.Client.api_version == "2024-01"
    assert shopify_admin_2026_04.Client.api_version == "2026-04"
    assert shopify_admin_2026_04.AsyncClient.api_version == "2026-04"


def test_product_update_in_its_2026_04_form_against_the_fake_shop() -> None:
    with FakeShopify() as fake:
        fake.set_field("Product.title", "Snowboard, renamed")
        with Client(
            endpoint=fake.endpoint("admin", Client.api_version), access_token=ADMIN_TOKEN
        ) as client:
            result = client.product_update(
                product=ProductUpdateInput(id="gid://shopify/Product/1", title="Snowboard, renamed")
            )
            products = list(client.iter_products(first=2, max_items=2))
        (request,) = [r for r in fake.requests if r.body and "productUpdate" in str(r.body)]
    payload = result.product_update
    assert payload is not None and payload.product is not None
    assert payload.product.title == "Snowboard, renamed"
    assert isinstance(payload.product.status, ProductStatus)
    assert request.path == "/admin/api/2026-04/graphql.json"
    assert request.body is not None
    assert request.body["variables"] == {
        "product": {"id": "gid://shopify/Product/1", "title": "Snowboard, renamed"}
    }
    assert len(products) == 2 and all(p.variants.nodes is not None for p in products)
