"""Shop domain normalisation and endpoint URLs."""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from ._exceptions import ConfigurationError

if TYPE_CHECKING:
    from ._apis import Api

# Shopify serves both APIs of a shop on its permanent ``{name}.myshopify.com``
# host. Apps often take ``shop`` from a query string (OAuth callbacks, embedded
# apps), so any other host would let a caller send the token anywhere: custom
# Storefront domains go through ``endpoint=``, an explicit choice.
SHOP_SUFFIX = ".myshopify.com"


# Compiled on first use (a client's construction), not at import.
@functools.cache
def _host_label() -> re.Pattern[str]:
    return re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@functools.cache
def _version() -> re.Pattern[str]:
    return re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$|^unstable$")


def normalize_shop(shop: str) -> str:
    """Return the bare host name of a shop, lower-cased.

    Accepts ``your-store.myshopify.com``, ``https://Your-Store.myshopify.com/`` and
    the like; rejects anything that is not a ``{name}.myshopify.com`` host name
    (other domains, IP addresses, paths, ports, spaces).
    """
    if not isinstance(shop, str) or not shop.strip():
        raise ConfigurationError("shop must be a host name such as 'your-store.myshopify.com'")
    raw = shop.strip()
    host = raw
    if "://" in raw:
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or parts.path not in ("", "/") or parts.query:
            raise ConfigurationError(
                f"shop {raw!r} is not a host name; pass e.g. 'your-store.myshopify.com' "
                "(or endpoint= for a full URL)"
            )
        host = parts.netloc
    host = host.rstrip("/").lower()
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if len(labels) < 2 or not all(_host_label().fullmatch(label) for label in labels):
        raise ConfigurationError(
            f"shop {raw!r} is not a host name; pass e.g. 'your-store.myshopify.com'"
        )
    if len(labels) != 3 or not host.endswith(SHOP_SUFFIX):
        raise ConfigurationError(
            f"shop {raw!r} is not a Shopify shop domain: shop= takes the shop's "
            f"'your-store{SHOP_SUFFIX}' host only (for a custom Storefront domain or a "
            "proxy, pass the full https URL as endpoint=)"
        )
    return host


def check_version(version: str) -> str:
    if not _version().fullmatch(version):
        raise ConfigurationError(f"API version {version!r} is not of the form YYYY-MM")
    return version


def check_endpoint_version(endpoint: str, api: str, version: str) -> None:
    """Refuse an ``endpoint=`` whose path names a Shopify API version other than the
    client's: Shopify would serve that version, while the generated types describe
    ``version``. A path that names no version (a proxy that adds it) is taken."""
    named = [
        part for part in urlsplit(endpoint).path.split("/") if part and _version().fullmatch(part)
    ]
    if named and version not in named:
        raise ConfigurationError(
            f"endpoint {_shown(endpoint)} is for {api} API {named[-1]}, but this client's "
            f"package was generated for {api} API {version}: pass an endpoint at "
            f"{version} (e.g. fake.endpoint({api!r}, Client.api_version) in tests), or use "
            f"a package generated for {named[-1]} (`shopify-codegen bump`)"
        )


def endpoint_for(api: Api, shop: str, version: str) -> str:
    """The GraphQL URL of ``api`` at ``version`` for ``shop``: a shop domain for the
    Storefront and Admin APIs, the shop's numeric id for the Customer Account API
    (served from ``shopify.com``, see :mod:`._apis`)."""
    from ._apis import APIS  # a dataclass: built at the first construction, not at import

    spec = APIS[api]
    check_version(version)
    if spec.host is not None:
        shop_id = normalize_shop_id(shop)
        return f"https://{spec.host}{spec.path.format(shop_id=shop_id, version=version)}"
    host = normalize_shop(shop)
    return f"https://{host}{spec.path.format(version=version)}"


#: The longest shop id taken: Shopify's ids are 64-bit integers (at most 20 digits).
SHOP_ID_MAX_DIGITS = 20


def normalize_shop_id(shop_id: object) -> str:
    """A shop's numeric id as the Customer Account API's URLs hold it (``"12345"``).

    Takes an int, a string of digits, or the shop's GID (``gid://shopify/Shop/12345``);
    anything else (a domain, a path, a sign, spaces) is refused: the id is written
    into a URL path on ``shopify.com``, so nothing but digits may reach it."""
    if isinstance(shop_id, bool):
        shop_id = None
    if isinstance(shop_id, int) and shop_id > 0:
        text = str(shop_id)
    elif isinstance(shop_id, str):
        text = shop_id.strip()
        if text.startswith("gid://shopify/Shop/"):
            text = text[len("gid://shopify/Shop/") :]
    else:
        text = ""
    if text.isascii() and text.isdigit() and len(text) <= SHOP_ID_MAX_DIGITS and int(text) > 0:
        return str(int(text))
    shown = (
        repr(shop_id)
        if isinstance(shop_id, str | int) and len(str(shop_id)) <= 64 and str(shop_id).isprintable()
        else "(not shown)"
    )
    raise ConfigurationError(
        f"shop id {shown} is not a Shopify shop id: the Customer Account API takes the "
        "shop's numeric id (e.g. 12345678, or gid://shopify/Shop/12345678), not its domain"
    )


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _shown(endpoint: str) -> str:
    """``endpoint`` as an error message shows it: any user information (a password?)
    replaced, at most 200 characters, control characters escaped."""
    text = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", r"\1(...)@", endpoint)
    return repr(text if len(text) <= 200 else text[:200] + "...")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def check_endpoint(endpoint: object) -> str:
    """Accept https URLs anywhere, plain http only on loopback (tests, local proxies).

    The URL must read the same to the standard library and to httpx (which sends it):
    one scheme, host and port, the port a number from 1 to 65535 (httpx took port
    99999, and the socket layer then connected to 99999 - 65536 = 34463).
    """
    if not isinstance(endpoint, str):
        raise ConfigurationError(
            f"endpoint must be a URL string such as 'https://your-store.example/api/"
            f"2024-10/graphql.json', not {type(endpoint).__name__}"
        )
    try:
        parts = urlsplit(endpoint)
    except ValueError:  # an unclosed "[" (IPv6 literal)
        raise ConfigurationError(
            f"endpoint {_shown(endpoint)} is not a URL: its host cannot be read"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"endpoint {_shown(endpoint)} is not an http(s) URL")
    if parts.username or parts.password:
        raise ConfigurationError("endpoint must not carry credentials in the URL")
    try:
        port = parts.port
    except ValueError:  # not a number, or past 65535
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise ConfigurationError(
            f"endpoint {_shown(endpoint)} has no valid port: a port is a number from 1 to 65535"
        )
    try:
        url = httpx.URL(endpoint)
        host = url.host  # decodes an IDNA (xn--) host: idna's errors are UnicodeErrors
        raw_host = url.raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise ConfigurationError(
            f"endpoint {_shown(endpoint)} is not a URL that can be sent to (its host or "
            "its characters)"
        ) from None
    sent_host = raw_host.lower() if parts.hostname.isascii() else host
    default = _DEFAULT_PORTS[parts.scheme]
    if (url.scheme, sent_host, url.port or default) != (
        parts.scheme,
        parts.hostname,
        port or default,
    ):
        raise ConfigurationError(
            f"endpoint {_shown(endpoint)} reads as two different URLs (its host or port "
            "depends on the parser); write it plainly"
        )
    if not (_host_name().fullmatch(raw_host) or _is_ipv6(raw_host)):
        raise ConfigurationError(
            f"endpoint {_shown(endpoint)} does not name a host: labels of letters, digits, "
            "'-' and '_' between dots (or an IP address)"
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigurationError(
            f"endpoint {_shown(endpoint)} uses plain http on a non-loopback host; "
            "use https (plain http is only allowed for 127.0.0.1, ::1 and localhost)"
        )
    return endpoint


@functools.cache
def _host_name() -> re.Pattern[str]:
    """Dot-separated labels of 1-63 letters, digits, '-' (not first or last) and '_',
    as the IDNA-encoded host is sent; a trailing dot (the DNS root) allowed."""
    label = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
    return re.compile(rf"(?:{label}\.)*{label}\.?")


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False
