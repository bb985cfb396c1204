"""The one list of Shopify APIs this project knows: name, URL path, auth headers.

Everything that must name an API (endpoint URLs, client classes, the CLI's
``--api`` choices) reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["APIS", "API_NAMES", "Api", "ApiSpec"]

Api = Literal["storefront", "admin", "customer"]


@dataclass(frozen=True)
class ApiSpec:
    name: Api
    path: str  # the GraphQL path, with {version} (and {shop_id} where the host is Shopify's)
    token_headers: tuple[str, ...]  # every header that carries one of its tokens
    #: The API's host when it is not the shop's ``{name}.myshopify.com``: the Customer
    #: Account API is served from ``shopify.com``, per shop id.
    host: str | None = None


APIS: Final[dict[Api, ApiSpec]] = {
    "storefront": ApiSpec(
        name="storefront",
        path="/api/{version}/graphql.json",
        token_headers=("X-Shopify-Storefront-Access-Token", "Shopify-Storefront-Private-Token"),
    ),
    "admin": ApiSpec(
        name="admin",
        path="/admin/api/{version}/graphql.json",
        token_headers=("X-Shopify-Access-Token",),
    ),
    # https://shopify.dev/docs/api/customer/2026-04 ("Authentication", "Endpoints"):
    # POST https://shopify.com/{shop_id}/account/customer/api/{version}/graphql, with
    # the customer's access token as the whole Authorization header value. Shopify's
    # Hydrogen client sends it bare, with no "Bearer " prefix
    # (https://shopify.dev/docs/api/hydrogen/latest/customer-accounts/create-customer-account-client).
    "customer": ApiSpec(
        name="customer",
        path="/{shop_id}/account/customer/api/{version}/graphql",
        token_headers=("Authorization",),
        host="shopify.com",
    ),
}

API_NAMES: Final[tuple[Api, ...]] = tuple(APIS)
