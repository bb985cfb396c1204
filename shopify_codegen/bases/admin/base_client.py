"""Synchronous base of the generated Admin client; the runtime lives in shopify_client."""

from shopify_client import AdminBaseClient


class BaseClient(AdminBaseClient):
    """Transport, retries and errors for the generated `Client` (see shopify_client)."""
