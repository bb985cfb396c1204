"""Auth headers per API, checked before anything is sent.

A token is sent as an HTTP header value, so it must be visible ASCII with no
whitespace: a trailing newline read from a file, a space, CR/LF (header
injection) or a non-ASCII character is refused here, at construction, with a
:class:`ConfigurationError` that never shows the value. Left to httpx, such a
value fails on every attempt, and the low-level exception (and httpcore's DEBUG
log) prints the whole token.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping

from ._exceptions import ConfigurationError

__all__ = ["admin_auth", "check_header_values", "customer_auth", "storefront_auth"]

# Patterns are compiled on first use (a client's construction), not at import.


@functools.cache
def _token() -> re.Pattern[str]:
    """Visible ASCII (RFC 9110 field-value without spaces): what Shopify tokens are made of."""
    return re.compile(r"[\x21-\x7e]+")


@functools.cache
def _header_value() -> re.Pattern[str]:
    """Any header value: no control characters (CR, LF, NUL...) and ASCII only."""
    return re.compile(r"[\x20-\x7e\t]*")


def check_token(name: str, value: object) -> str:
    """``value`` if it can be sent as a token header; else a ConfigurationError
    that describes the problem without showing the value."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{name} must be a non-empty string")
    if _token().fullmatch(value):
        return value
    if value != value.strip():
        problem = "starts or ends with whitespace (a newline read from a file?)"
    elif any(c in value for c in "\r\n"):
        problem = "contains a line break"
    elif not value.isascii():
        problem = "contains a non-ASCII character"
    else:
        problem = "contains whitespace or a control character"
    raise ConfigurationError(f"{name} {problem}; the token was not used (value not shown)")


def check_header_values(headers: Mapping[str, object]) -> dict[str, str]:
    """Per-call headers: names and values that cannot smuggle a line break."""
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
            raise ConfigurationError(f"header name {name!r} is not a valid HTTP header name")
        if not isinstance(value, str) or not _header_value().fullmatch(value):
            raise ConfigurationError(
                f"header {name} has a value that is not printable ASCII on one line "
                "(value not shown)"
            )
        checked[name] = value
    return checked


def check_buyer_ip(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigurationError("buyer_ip must be an IP address string")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        shown = value if value.isprintable() and len(value) <= 64 else "(not shown)"
        raise ConfigurationError(
            f"buyer_ip {shown!r} is not an IPv4 or IPv6 address (Shopify-Storefront-Buyer-IP)"
        ) from None


def storefront_auth(
    access_token: str | None, private_access_token: str | None, buyer_ip: str | None
) -> dict[str, str]:
    if (access_token is None) == (private_access_token is None):
        raise ConfigurationError(
            "pass exactly one of access_token= (public Storefront token) or "
            "private_access_token= (server-side token)"
        )
    if access_token is not None:
        if buyer_ip is not None:
            raise ConfigurationError("buyer_ip= is only sent with private_access_token=")
        return {"X-Shopify-Storefront-Access-Token": check_token("access_token", access_token)}
    headers = {
        "Shopify-Storefront-Private-Token": check_token(
            "private_access_token", private_access_token
        )
    }
    if buyer_ip is not None:
        headers["Shopify-Storefront-Buyer-IP"] = check_buyer_ip(buyer_ip)
    return headers


def admin_auth(access_token: str | None) -> dict[str, str]:
    if access_token is None:
        raise ConfigurationError("the Admin API needs access_token= (an Admin API access token)")
    return {"X-Shopify-Access-Token": check_token("access_token", access_token)}


def customer_auth(access_token: str | None) -> dict[str, str]:
    """The Customer Account API's header: ``Authorization`` holding the customer's
    access token as its whole value. Shopify's reference sends it bare
    (https://shopify.dev/docs/api/customer/2026-04, "Using the access token"), as
    Hydrogen's client does; a ``Bearer `` prefix is refused rather than sent."""
    if access_token is None:
        raise ConfigurationError(
            "the Customer Account API needs access_token= (a customer's access token, "
            "from shopify_client.customer_auth)"
        )
    if isinstance(access_token, str) and access_token[:7].lower() == "bearer ":
        raise ConfigurationError(
            "access_token starts with 'Bearer ': the Customer Account API takes the bare "
            "token in Authorization; pass the token alone (value not shown)"
        )
    return {"Authorization": check_token("access_token", access_token)}
