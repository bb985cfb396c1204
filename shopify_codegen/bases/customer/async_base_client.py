"""Asynchronous base of the generated Customer Account client (runtime: shopify_client)."""

from shopify_client import AsyncCustomerBaseClient


class AsyncBaseClient(AsyncCustomerBaseClient):
    """Transport, retries and errors for the generated `AsyncClient` (see shopify_client)."""
