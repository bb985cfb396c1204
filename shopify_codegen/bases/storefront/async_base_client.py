"""Asynchronous base of the generated Storefront client; the runtime lives in shopify_client."""

from shopify_client import AsyncStorefrontBaseClient


class AsyncBaseClient(AsyncStorefrontBaseClient):
    """Transport, retries and errors for the generated `AsyncClient` (see shopify_client)."""
