"""The one list of Shopify APIs this project knows: name, URL path, auth headers.

Everything that must name an API (endpoint URLs, client classes, the CLI's
``--api`` choices) reads it from here.
"""

from __future__ import annotations

from typing import Final, Literal

from ._record import Record

__all__ = ["APIS", "API_NAMES", "Api", "ApiSpec"]

Api = Literal["storefront", "admin"]


class ApiSpec(Record):
    __slots__ = ("name", "path", "token_headers")
    name: Api
    path: str  # the GraphQL path on a shop's host, with {version}
    token_headers: tuple[str, ...]  # every header that carries one of its tokens

    def __init__(self, name: Api, path: str, token_headers: tuple[str, ...]) -> None:
        _set = object.__setattr__
        _set(self, "name", name)
        _set(self, "path", path)
        _set(self, "token_headers", token_headers)


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
