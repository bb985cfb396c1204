"""Synchronous base of the generated Customer Account client (runtime: shopify_client)."""

from shopify_client import CustomerBaseClient


class BaseClient(CustomerBaseClient):
    """Transport, retries and errors for the generated `Client` (see shopify_client)."""
