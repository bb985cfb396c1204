"""A short login flow against the local FakeShopify: ``python examples/demo.py`` (``make demo``).

Creates a customer access token (Storefront API), reads the customer with it, then
creates a Storefront access token (Admin API), printing the typed results. Needs
no Shopify account: everything runs against a server on 127.0.0.1 that answers as
Shopify's documentation examples do.
"""

from __future__ import annotations

import logging
import sys
import warnings

from shopify_admin import Client as AdminClient
from shopify_admin import StorefrontAccessTokenInput
from shopify_client import raise_for_user_errors
from shopify_client.testing import (
    ADMIN_TOKEN,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    STOREFRONT_TOKEN,
    FakeShopify,
)
from shopify_storefront import Client as StorefrontClient
from shopify_storefront import CustomerAccessTokenCreateInput


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: object = None,
    line: str | None = None,
) -> None:
    print(f"  ! {category.__name__}: {message}")


def main() -> int:
    logging.basicConfig(level=logging.ERROR)
    warnings.showwarning = _show_warning
    with FakeShopify() as fake:
        print(f"FakeShopify listening on 127.0.0.1:{fake.port}\n")
        print("1. Storefront API: customerAccessTokenCreate")
        with StorefrontClient(
            endpoint=fake.endpoint("storefront", StorefrontClient.api_version),
            access_token=STOREFRONT_TOKEN,
        ) as storefront:
            created = storefront.customer_access_token_create(
                input=CustomerAccessTokenCreateInput(email=DEMO_EMAIL, password=DEMO_PASSWORD)
            )
            payload = raise_for_user_errors(created.customer_access_token_create)
            assert payload is not None and payload.customer_access_token is not None
            token = payload.customer_access_token
            print(f"   {payload!r}")
            print(f"   expires_at is a {type(token.expires_at).__name__}: {token.expires_at}\n")

            print("2. Storefront API: customer(customerAccessToken:)")
            customer = storefront.customer(customer_access_token=token.access_token).customer
            print(f"   {customer!r}\n")

        print("3. Admin API: storefrontAccessTokenCreate")
        with AdminClient(
            endpoint=fake.endpoint("admin", AdminClient.api_version), access_token=ADMIN_TOKEN
        ) as admin:
            result = admin.storefront_access_token_create(
                input=StorefrontAccessTokenInput(title="Demo storefront token")
            )
            created_token = raise_for_user_errors(result.storefront_access_token_create)
            print(f"   {created_token!r}")
            print(f"   query cost: {admin.last_cost}\n")
    print("Demo done: typed results above, secrets shown nowhere.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
