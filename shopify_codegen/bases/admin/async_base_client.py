"""Asynchronous base of the generated Admin client; the runtime lives in shopify_client."""

from shopify_client import AsyncAdminBaseClient


class AsyncBaseClient(AsyncAdminBaseClient):
    """Transport, retries and errors for the generated `AsyncClient` (see shopify_client)."""
