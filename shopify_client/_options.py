"""The per-call options every generated method takes besides its variables."""

# No ``from __future__ import annotations`` here: a TypedDict turns each string
# annotation into a ForwardRef, which compiles it at import (~50 us apiece).
from collections.abc import Mapping
from typing import TypedDict

import httpx

__all__ = ["CallOptions"]


class CallOptions(TypedDict, total=False):
    """``client.products(first=5, timeout=3)``: mypy checks these names and types.

    * ``timeout``: seconds (or an ``httpx.Timeout``) for each attempt of this call,
      instead of the client's;
    * ``headers``: extra request headers for this call (ASCII, one line each). Host,
      Content-Length, Transfer-Encoding and the hop-by-hop headers are refused (a
      ConfigurationError, before anything is sent); the value of a credential header
      (a token, Authorization, Cookie, ``*-Key``...) is scrubbed from the call's errors.
    """

    timeout: float | httpx.Timeout
    headers: Mapping[str, str]
