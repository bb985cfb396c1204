"""The runtime's checks and redaction, as public names for tools built on the clients.

``shopify-codegen`` downloads schemas and generates code under the same rules as the
clients: the same list of APIs, endpoint and token checks, and redaction. It imports
them from here, never from the runtime's private modules, so the runtime can move
its internals without breaking the tooling (tests/shopify_codegen/test_layering.py).
"""

from __future__ import annotations

from ._apis import API_NAMES, APIS, Api, ApiSpec
from ._auth import check_token
from ._endpoint import check_endpoint, endpoint_for, is_loopback_host
from ._redact import excerpt, is_sensitive_key, scrub

__all__ = [
    "APIS",
    "API_NAMES",
    "Api",
    "ApiSpec",
    "check_endpoint",
    "check_token",
    "endpoint_for",
    "excerpt",
    "is_loopback_host",
    "is_sensitive_key",
    "scrub",
]
