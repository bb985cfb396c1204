"""Where a shop's login and Customer Account API live: fixed URLs or discovery.

Shopify documents both (https://shopify.dev/docs/api/customer/2026-04, "Discovery
endpoints" and "Authentication"):

- from the shop's numeric id: ``https://shopify.com/authentication/{shop_id}/oauth/authorize``,
  ``.../oauth/token``, ``https://shopify.com/authentication/{shop_id}/logout``, and
  the API at ``https://shopify.com/{shop_id}/account/customer/api/{version}/graphql``;
- from the shop's domain: ``https://{shop_domain}/.well-known/openid-configuration``
  (OpenID Connect Discovery: ``issuer``, ``authorization_endpoint``, ``token_endpoint``,
  ``end_session_endpoint``) and ``https://{shop_domain}/.well-known/customer-account-api``
  (``graphql_api``, ``mcp_api``).

A discovery document decides where the customer's code and tokens are sent, so
every URL in it (the ``issuer`` included, which decides which ID tokens are taken)
must be https on port 443 of Shopify's hosts (``shopify.com``, ``*.shopify.com``,
``*.myshopify.com``) or on the very origin the caller named; anything else is a
:class:`DiscoveryError` and nothing is sent there. Documents are cached per origin
(bounded in size and age) and fetched with a byte cap, a deadline and no redirect.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from .._exceptions import ConfigurationError, ShopifyError
from ._errors import DiscoveryError
from ._http import Answer, new_async_client, new_client, send, send_async

__all__ = ["DiscoveryCache", "ShopEndpoints", "endpoints_for_shop_id"]

SHOPIFY_HOST = "shopify.com"
SHOPIFY_SUFFIXES = (".shopify.com", ".myshopify.com")
OPENID_PATH = "/.well-known/openid-configuration"
CUSTOMER_API_PATH = "/.well-known/customer-account-api"
#: How long a discovered document is trusted, and how many shops are remembered.
CACHE_SECONDS = 3600.0
CACHE_ENTRIES = 128


@dataclass(frozen=True)
class ShopEndpoints:
    """Where one shop's customer login and Customer Account API are."""

    authorization_endpoint: str
    token_endpoint: str
    end_session_endpoint: str
    issuer: str | None = None
    graphql_api: str | None = None  # discovery's URL (its version is Shopify's choice)

    def graphql_endpoint(self, version: str) -> str | None:
        """``graphql_api`` at ``version`` when it names one in Shopify's form, else as is."""
        if self.graphql_api is None:
            return None
        from .._endpoint import check_version

        check_version(version)
        parts = self.graphql_api.rstrip("/").split("/")
        if len(parts) >= 3 and parts[-1] == "graphql" and parts[-3] == "api":
            parts[-2] = version
            return "/".join(parts)
        return self.graphql_api


def endpoints_for_shop_id(shop_id: int | str, api_version: str = "2026-04") -> ShopEndpoints:
    """The documented URLs of a shop on ``shopify.com``, from its numeric id (no request).

    ``issuer`` stays None: Shopify documents no issuer for these URLs, and a guessed
    one would refuse every real ID token if wrong. The ID token's ``iss`` and a
    callback's ``iss`` are checked against a *discovered* issuer only."""
    from .._endpoint import endpoint_for, normalize_shop_id

    sid = normalize_shop_id(shop_id)
    base = f"https://{SHOPIFY_HOST}/authentication/{sid}"
    return ShopEndpoints(
        authorization_endpoint=f"{base}/oauth/authorize",
        token_endpoint=f"{base}/oauth/token",
        end_session_endpoint=f"{base}/logout",
        graphql_api=endpoint_for("customer", sid, api_version),
    )


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def shop_origin(shop: str) -> str:
    """``https://{host}`` of a shop domain (myshopify or custom), or a loopback
    ``http://127.0.0.1:port`` URL (tests); no path, no credentials."""
    from .._endpoint import check_endpoint

    raw = shop.strip() if isinstance(shop, str) else ""
    url = raw if "://" in raw else f"https://{raw}"
    try:
        check_endpoint(url)
    except ConfigurationError as exc:
        raise ConfigurationError(f"shop domain for discovery: {exc}") from None
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError(
            "shop domain for discovery must be a host (e.g. 'your-store.myshopify.com'), "
            "not a URL with a path"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _trusted(url: object, origin: str, key: str, where: str) -> str:
    """``url`` if the login may send secrets there, else a DiscoveryError."""
    from .._endpoint import check_endpoint

    if not isinstance(url, str) or not url or len(url) > 2048:
        raise DiscoveryError(
            f"{where}: {key} is missing, not a string, or longer than 2048 characters",
            url=where,
        )
    try:
        check_endpoint(url)
    except ConfigurationError:
        raise DiscoveryError(f"{where}: {key} is not a usable URL", url=where) from None
    scheme, host, port = _origin(url)
    if (scheme, host, port) == _origin(origin):
        return url  # the origin the caller named
    if (
        scheme == "https"
        and port == 443  # Shopify serves on 443 alone: another port is someone else's
        and (host == SHOPIFY_HOST or host.endswith(SHOPIFY_SUFFIXES))
    ):
        return url
    from .._redact import printable

    raise DiscoveryError(
        f"{where}: {key} points to {printable(host[:100])!r} port {port}, which is "
        f"neither Shopify ({SHOPIFY_HOST}, *.shopify.com, *.myshopify.com, on https "
        f"port 443) nor {origin}; refusing to send the customer's code or tokens there",
        url=where,
    )


def _document(answer: Answer, url: str) -> dict[str, Any]:
    if answer.status_code != 200:
        raise DiscoveryError(f"{url} answered HTTP {answer.status_code}", url=url)
    if not isinstance(answer.json, dict):
        raise DiscoveryError(f"{url} did not answer a JSON object", url=url)
    return answer.json


def _endpoints(origin: str, openid: dict[str, Any], api: dict[str, Any] | None) -> ShopEndpoints:
    where = origin + OPENID_PATH
    # the issuer decides which ID tokens (iss) and callbacks (RFC 9207 iss) are taken
    issuer = openid.get("issuer")
    if issuer is not None:
        issuer = _trusted(issuer, origin, "issuer", where)
    return ShopEndpoints(
        authorization_endpoint=_trusted(
            openid.get("authorization_endpoint"), origin, "authorization_endpoint", where
        ),
        token_endpoint=_trusted(openid.get("token_endpoint"), origin, "token_endpoint", where),
        end_session_endpoint=_trusted(
            openid.get("end_session_endpoint"), origin, "end_session_endpoint", where
        ),
        issuer=issuer,
        graphql_api=(
            None
            if api is None
            else _trusted(api.get("graphql_api"), origin, "graphql_api", origin + CUSTOMER_API_PATH)
        ),
    )


class DiscoveryCache:
    """Discovered endpoints per shop origin: at most ``max_entries``, each for
    ``max_age`` seconds. Thread-safe; one is shared by default (:data:`DEFAULT_CACHE`)."""

    def __init__(self, max_entries: int = CACHE_ENTRIES, max_age: float = CACHE_SECONDS) -> None:
        if max_entries < 1 or max_age <= 0:
            raise ConfigurationError("a DiscoveryCache needs max_entries >= 1 and max_age > 0")
        self.max_entries = max_entries
        self.max_age = max_age
        self._entries: OrderedDict[str, tuple[float, ShopEndpoints]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, origin: str) -> ShopEndpoints | None:
        with self._lock:
            entry = self._entries.get(origin)
            if entry is None:
                return None
            if time.monotonic() - entry[0] > self.max_age:
                del self._entries[origin]
                return None
            self._entries.move_to_end(origin)
            return entry[1]

    def put(self, origin: str, endpoints: ShopEndpoints) -> None:
        with self._lock:
            self._entries[origin] = (time.monotonic(), endpoints)
            self._entries.move_to_end(origin)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


DEFAULT_CACHE = DiscoveryCache()


def discover(
    shop: str,
    *,
    http_client: httpx.Client | None = None,
    cache: DiscoveryCache | None = DEFAULT_CACHE,
) -> ShopEndpoints:
    """The endpoints of ``shop`` (its domain) from its two discovery documents."""
    origin = shop_origin(shop)
    cached = cache.get(origin) if cache is not None else None
    if cached is not None:
        return cached
    http = http_client or new_client(origin)
    try:
        openid = _document(
            send(http, "GET", origin + OPENID_PATH, "discovery"), origin + OPENID_PATH
        )
        api = _document(
            send(http, "GET", origin + CUSTOMER_API_PATH, "discovery"), origin + CUSTOMER_API_PATH
        )
    except DiscoveryError:
        raise
    except ShopifyError as exc:
        raise DiscoveryError(f"discovery of {origin} failed: {exc}", url=origin) from None
    finally:
        if http_client is None:
            http.close()
    endpoints = _endpoints(origin, openid, api)
    if cache is not None:
        cache.put(origin, endpoints)
    return endpoints


async def discover_async(
    shop: str,
    *,
    http_client: httpx.AsyncClient | None = None,
    cache: DiscoveryCache | None = DEFAULT_CACHE,
) -> ShopEndpoints:
    """:func:`discover`, for asyncio and trio (via anyio)."""
    origin = shop_origin(shop)
    cached = cache.get(origin) if cache is not None else None
    if cached is not None:
        return cached
    http = http_client or new_async_client(origin)
    try:
        openid = _document(
            await send_async(http, "GET", origin + OPENID_PATH, "discovery"), origin + OPENID_PATH
        )
        api = _document(
            await send_async(http, "GET", origin + CUSTOMER_API_PATH, "discovery"),
            origin + CUSTOMER_API_PATH,
        )
    except DiscoveryError:
        raise
    except ShopifyError as exc:
        raise DiscoveryError(f"discovery of {origin} failed: {exc}", url=origin) from None
    finally:
        if http_client is None:
            await http.aclose()
    endpoints = _endpoints(origin, openid, api)
    if cache is not None:
        cache.put(origin, endpoints)
    return endpoints
