"""The runtime's checks and redaction, as public names for tools built on the clients.

``shopify-codegen`` downloads schemas and generates code under the same rules as the
clients: the same list of APIs, endpoint and token checks, and redaction. It imports
them from here, never from the runtime's private modules, so the runtime can move
its internals without breaking the tooling (tests/shopify_codegen/test_layering.py).
"""

from __future__ import annotations

import httpx

from ._apis import API_NAMES, APIS, Api, ApiSpec
from ._auth import check_token
from ._endpoint import check_endpoint, endpoint_for, is_loopback_host
from ._redact import excerpt, is_sensitive_key, scrub
from ._transport import ACCEPT_ENCODING, Limits, _BodyReader, _reader_for

#: The runtime's bounded body decoder (see :func:`body_reader`).
BodyReader = _BodyReader

__all__ = [
    "ACCEPT_ENCODING",
    "APIS",
    "API_NAMES",
    "Api",
    "ApiSpec",
    "BodyReader",
    "body_reader",
    "check_endpoint",
    "check_token",
    "endpoint_for",
    "excerpt",
    "is_loopback_host",
    "is_sensitive_key",
    "scrub",
]


def body_reader(response: httpx.Response, max_bytes: int) -> BodyReader:
    """The runtime's decoder of ``response``'s raw body (``feed`` each chunk of
    ``response.iter_raw()``, then ``finish()`` for the bytes): one Content-Encoding
    at most (gzip or deflate, what ``ACCEPT_ENCODING`` asks for), decoded a bounded
    piece at a time, so no more than ``max_bytes`` is ever held. Raises
    ``ResponseTooLargeError`` past the cap, ``InvalidResponseError`` for any other
    or stacked encoding, or a body that does not decode."""
    return _reader_for(response, Limits(None, max_bytes), None)
