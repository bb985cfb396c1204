"""The canned shop: the login flow of Shopify's documentation, with state.

FakeShopify answers every other operation from the schema (see ``_data``); these
three keep state across calls, the way a shop does: a customer access token
created by ``customerAccessTokenCreate`` (right email and password) is what
``customer`` accepts, and a shop holds at most 100 Storefront access tokens.
"""

from __future__ import annotations

import datetime as _dt
import secrets
import threading
from typing import Any

__all__ = [
    "ADMIN_TOKEN",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "PRIVATE_STOREFRONT_TOKEN",
    "STOREFRONT_TOKEN",
    "CannedShop",
]

DEMO_EMAIL = "ghaida@example.com"
DEMO_PASSWORD = "7dx2gx2Z"
STOREFRONT_TOKEN = "fake-storefront-token-0001"
PRIVATE_STOREFRONT_TOKEN = "fake-private-storefront-token-0001"
ADMIN_TOKEN = "shpat_fake_admin_token_0001"


class CannedShop:
    """State and answers of the three documented operations."""

    def __init__(self, email: str, password: str) -> None:
        self.email = email
        self.password = password
        self.customer_tokens: dict[str, str] = {}
        self.storefront_tokens: list[str] = []
        self._lock = threading.Lock()

    def customer_access_token_create(self, variables: dict[str, Any]) -> dict[str, Any]:
        given = variables.get("input") or {}
        if given.get("email") == self.email and given.get("password") == self.password:
            token = secrets.token_hex(16)
            with self._lock:
                self.customer_tokens[token] = self.email
            expires = (_dt.datetime.now(_dt.UTC) + _dt.timedelta(days=14)).replace(microsecond=0)
            payload: dict[str, Any] = {
                "customerAccessToken": {
                    "accessToken": token,
                    "expiresAt": expires.isoformat().replace("+00:00", "Z"),
                },
                "customerUserErrors": [],
            }
        else:
            payload = {
                "customerAccessToken": None,
                "customerUserErrors": [
                    {
                        "code": "UNIDENTIFIED_CUSTOMER",
                        "field": None,
                        "message": "Unidentified customer",
                    }
                ],
            }
        return {"data": {"customerAccessTokenCreate": payload}}

    def customer(self, variables: dict[str, Any]) -> dict[str, Any]:
        if variables.get("customerAccessToken") not in self.customer_tokens:
            return {"data": {"customer": None}}
        return {
            "data": {
                "customer": {
                    "id": "gid://shopify/Customer/410535040",
                    "firstName": "Ghaida",
                    "lastName": "Example",
                    "displayName": "Ghaida Example",
                    "acceptsMarketing": False,
                    "email": self.customer_tokens[variables["customerAccessToken"]],
                    "phone": "+16134504533",
                    "numberOfOrders": "3",
                    "createdAt": "2023-03-01T09:15:00Z",
                    "updatedAt": "2024-11-26T12:00:00Z",
                }
            }
        }

    def storefront_access_token_create(self, variables: dict[str, Any]) -> dict[str, Any]:
        title = (variables.get("input") or {}).get("title")
        with self._lock:
            full = len(self.storefront_tokens) >= 100
            if not full:
                self.storefront_tokens.append(secrets.token_hex(16))
            count = len(self.storefront_tokens)
        if full:
            payload: dict[str, Any] = {
                "userErrors": [
                    {
                        "field": ["input"],
                        "message": "Shop has reached the maximum of 100 storefront access tokens",
                    }
                ],
                "shop": {"id": "gid://shopify/Shop/325953821"},
                "storefrontAccessToken": None,
            }
        else:
            payload = {
                "userErrors": [],
                "shop": {"id": "gid://shopify/Shop/325953821"},
                "storefrontAccessToken": {
                    "id": f"gid://shopify/StorefrontAccessToken/{884719236 + count}",
                    "accessScopes": [
                        {"handle": "unauthenticated_read_product_listings"},
                        {"handle": "unauthenticated_write_checkouts"},
                        {"handle": "unauthenticated_read_checkouts"},
                        {"handle": "unauthenticated_read_selling_plans"},
                    ],
                    "accessToken": self.storefront_tokens[-1],
                    "title": title,
                    "createdAt": _dt.datetime.now(_dt.UTC)
                    .replace(microsecond=0)
                    .isoformat()
                    .replace("+00:00", "Z"),
                },
            }
        return {"data": {"storefrontAccessTokenCreate": payload}}
