"""The one list of Shopify APIs this project knows: name, URL path, auth headers.

Everything that must name an API (endpoint URLs, client classes, the CLI's
``--api`` choices) reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["APIS", "API_NAMES", "Api", "ApiSpec"]

Api = Literal["storefront", "admin"]


@dataclass(frozen=True)
class ApiSpec:
    name: Api
    path: str  # the GraphQL path on a shop's host, with {version}
    token_headers: tuple[str, ...]  # every header that carries one of its tokens


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
}

API_NAMES: Final[tuple[Api, ...]] = tuple(APIS)
