"""Keeping access tokens and passwords out of logs, reprs and exception messages."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["REDACTED", "SENSITIVE_HEADERS", "is_sensitive_key", "redact_json", "scrub"]

REDACTED = "[REDACTED]"

SENSITIVE_HEADERS = frozenset(
    {
        "x-shopify-storefront-access-token",
        "shopify-storefront-private-token",
        "x-shopify-access-token",
        "authorization",
        "cookie",
        "set-cookie",
    }
)


@functools.cache
def _sensitive_key() -> re.Pattern[str]:
    # Compiled on first use (an error to scrub, a log to redact), not at import.
    return re.compile(r"(token|password|secret|authorization|multipass)", re.IGNORECASE)


def is_sensitive_key(key: str) -> bool:
    return bool(_sensitive_key().search(key))


MAX_DEPTH = 64


def redact_json(value: Any, _depth: int = 0, _sensitive: bool = False) -> Any:
    """A copy of a JSON value with every sensitive key's value replaced.

    A sensitive key's scalar value is replaced; under a sensitive key, a list's
    scalar items are too (``{"passwords": ["a", "b"]}``), and objects in it are
    redacted key by key. Anything nested deeper than ``MAX_DEPTH`` is replaced
    whole: it cannot be checked cheaply, so it is not shown.
    """
    if _depth > MAX_DEPTH:
        return REDACTED
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            sensitive = isinstance(k, str) and is_sensitive_key(k)
            if sensitive and v is not None and not isinstance(v, Mapping | list):
                out[k] = REDACTED
            else:
                out[k] = redact_json(v, _depth + 1, sensitive and isinstance(v, list))
        return out
    if isinstance(value, list):
        return [
            REDACTED
            if _sensitive and v is not None and not isinstance(v, Mapping | list)
            else redact_json(v, _depth + 1, _sensitive and isinstance(v, list))
            for v in value
        ]
    return value


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret (at least 4 chars) in ``text``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text
