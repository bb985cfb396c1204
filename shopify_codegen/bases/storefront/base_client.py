"""Synchronous base of the generated Storefront client; the runtime lives in shopify_client."""

from shopify_client import StorefrontBaseClient


class BaseClient(StorefrontBaseClient):
    """Transport, retries and errors for the generated `Client` (see shopify_client)."""
