"""Shop domains are normalised or rejected; endpoint URLs follow Shopify's documented forms."""

from __future__ import annotations

import pytest

from shopify_admin import Client as AdminClient
from shopify_client import ConfigurationError, endpoint_for, normalize_shop
from shopify_client._endpoint import check_endpoint, is_loopback_host
from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient


@pytest.mark.parametrize(
    "given",
    [
        "your-store.myshopify.com",
        "Your-Store.MyShopify.com",
        "YOUR-STORE.MYSHOPIFY.COM",
        "your-store.myshopify.com/",
        "https://your-store.myshopify.com",
        "https://your-store.myshopify.com/",
        "https://Your-Store.myshopify.com/",
        "http://your-store.myshopify.com",
        "HTTPS://your-store.myshopify.com",
        "  your-store.myshopify.com  ",
        "your-store.myshopify.com.",
    ],
)
def test_shop_is_normalised_to_a_bare_lower_case_host(given: str) -> None:
    assert normalize_shop(given) == "your-store.myshopify.com"


def test_digits_are_accepted() -> None:
    assert normalize_shop("store-42.myshopify.com") == "store-42.myshopify.com"


@pytest.mark.parametrize(
    "given",
    [
        "evil.com",
        "shop.example.co.uk",  # a custom domain goes through endpoint=, an explicit choice
        "x.myshopify.com.evil.com",
        "myshopify.com",
        "a.b.myshopify.com",
        "evilmyshopify.com",
        "169.254.169.254",
        "10.0.0.1",
        "https://10.0.0.1",
        "[::1]",
        "metadata.google.internal",
    ],
)
def test_shop_takes_only_a_myshopify_host(given: str) -> None:
    """Apps take ``shop`` from a query string: any other host would receive the token."""
    with pytest.raises(ConfigurationError, match="shop"):
        normalize_shop(given)
    with pytest.raises(ConfigurationError):
        StorefrontClient(shop=given, access_token=STOREFRONT_TOKEN)
    with pytest.raises(ConfigurationError):
        AdminClient(shop=given, access_token=ADMIN_TOKEN)


@pytest.mark.parametrize(
    "given",
    [
        "",
        "   ",
        "your-store",  # a single label is not a shop domain
        "localhost",
        "your-store.myshopify.com/admin",
        "your-store.myshopify.com/api/2024-10/graphql.json",
        "https://your-store.myshopify.com/admin",
        "https://your-store.myshopify.com/api/2024-10/graphql.json",
        "your-store.myshopify.com:443",
        "https://your-store.myshopify.com:8443",
        "your store.myshopify.com",
        "your-store .myshopify.com",
        "your-store.myshopify.com?x=1",
        "https://your-store.myshopify.com/?x=1",
        "ftp://your-store.myshopify.com",
        "https://user:secret@your-store.myshopify.com",
        "your_store.myshopify.com",
        "-store.myshopify.com",
        "store-.myshopify.com",
        "your-store..myshopify.com",
        "https://",
        "!!!",
        "your-store.myshopify.com\n.evil",  # `$` would match before the newline
        "your-store\n.myshopify.com",
        "a" * 64 + ".myshopify.com",
    ],
)
def test_non_host_names_are_rejected(given: str) -> None:
    with pytest.raises(ConfigurationError):
        normalize_shop(given)


def test_non_string_shop_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        normalize_shop(None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        normalize_shop(42)  # type: ignore[arg-type]


def test_rejection_message_shows_the_expected_form() -> None:
    with pytest.raises(ConfigurationError, match=r"your-store\.myshopify\.com"):
        normalize_shop("https://shop.myshopify.com/admin")


def test_configuration_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        normalize_shop("not a shop")


@pytest.mark.parametrize("shop", ["your-store.myshopify.com", "https://Your-Store.myshopify.com/"])
def test_storefront_endpoint(shop: str) -> None:
    assert (
        endpoint_for("storefront", shop, "2024-10")
        == "https://your-store.myshopify.com/api/2024-10/graphql.json"
    )


@pytest.mark.parametrize("shop", ["your-store.myshopify.com", "https://Your-Store.myshopify.com/"])
def test_admin_endpoint(shop: str) -> None:
    assert (
        endpoint_for("admin", shop, "2024-01")
        == "https://your-store.myshopify.com/admin/api/2024-01/graphql.json"
    )


def test_unstable_version_is_accepted() -> None:
    assert endpoint_for("admin", "s.myshopify.com", "unstable") == (
        "https://s.myshopify.com/admin/api/unstable/graphql.json"
    )


@pytest.mark.parametrize(
    "version", ["2024-13", "2024-00", "24-10", "2024-1", "latest", "", "2024-10\n", "unstable\n"]
)
def test_malformed_versions_are_rejected(version: str) -> None:
    with pytest.raises(ConfigurationError, match="YYYY-MM"):
        endpoint_for("storefront", "s.myshopify.com", version)


def test_generated_clients_build_their_endpoint_from_shop() -> None:
    with StorefrontClient(shop="https://Your-Store.myshopify.com/", access_token="t0k3n") as sf:
        assert sf.endpoint == "https://your-store.myshopify.com/api/2024-10/graphql.json"
    with AdminClient(shop="your-store.myshopify.com", access_token=ADMIN_TOKEN) as admin:
        assert admin.endpoint == "https://your-store.myshopify.com/admin/api/2024-01/graphql.json"


def test_generated_client_rejects_a_bad_shop() -> None:
    with pytest.raises(ConfigurationError):
        StorefrontClient(shop="your-store.myshopify.com/admin", access_token=STOREFRONT_TOKEN)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://your-store.myshopify.com/api/2024-10/graphql.json",
        "https://proxy.example.com:8443/shopify/graphql",
        "https://10.0.0.5/graphql.json",
        "http://127.0.0.1:8080/api/2024-10/graphql.json",
        "http://127.0.0.1/api/2024-10/graphql.json",
        "http://[::1]:8080/api/2024-10/graphql.json",
        "http://localhost:8080/api/2024-10/graphql.json",
        "http://LOCALHOST:8080/api/2024-10/graphql.json",
        "http://127.0.0.2:8080/graphql.json",  # all of 127.0.0.0/8 is loopback
    ],
)
def test_endpoint_accepts_https_anywhere_and_http_on_loopback(endpoint: str) -> None:
    assert check_endpoint(endpoint) == endpoint
    with StorefrontClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN) as client:
        assert client.endpoint == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://your-store.myshopify.com/api/2024-10/graphql.json",
        "http://10.0.0.5/graphql.json",
        "http://192.168.1.10:8080/graphql.json",
        "http://localhost.evil.com/graphql.json",
        "http://127.0.0.1.nip.io/graphql.json",
        "http://[::2]/graphql.json",
    ],
)
def test_endpoint_rejects_plain_http_off_loopback(endpoint: str) -> None:
    with pytest.raises(ConfigurationError, match="plain http"):
        check_endpoint(endpoint)
    with pytest.raises(ConfigurationError):
        StorefrontClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN)


@pytest.mark.parametrize(
    "endpoint",
    [
        "",
        "your-store.myshopify.com/api/2024-10/graphql.json",
        "ftp://your-store.myshopify.com/graphql.json",
        "file:///etc/passwd",
        "https://",
        "https:///graphql.json",
    ],
)
def test_endpoint_rejects_non_http_urls(endpoint: str) -> None:
    with pytest.raises(ConfigurationError, match="not an http"):
        check_endpoint(endpoint)


def test_endpoint_rejects_credentials_without_echoing_them() -> None:
    with pytest.raises(ConfigurationError) as info:
        check_endpoint("https://user:hunter22@your-store.myshopify.com/graphql.json")
    assert "hunter22" not in str(info.value)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("example.com", False),
        ("10.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# An endpoint that httpx and the standard library read differently, or that names no
# port a socket can use, is refused at construction (issue 21, item 17): httpx took
# port 99999 and the socket layer connected to 99999 - 65536 = 34463 (the token went
# there); the async client raised a bare ExceptionGroup at the first call; an unclosed
# "[" raised urllib's plain ValueError.
BAD_ENDPOINTS = {
    "port-past-65535": "http://127.0.0.1:99999/api/2024-10/graphql.json",
    "ipv6-port-past-65535": "http://[::1]:99999/graphql.json",
    "port-0": "http://127.0.0.1:0/graphql.json",
    "negative-port": "http://127.0.0.1:-1/graphql.json",
    "signed-port": "https://shop.example:+443/graphql.json",
    "full-width-port": "https://shop.example:\uff14\uff14\uff13/graphql.json",
    "two-ports": "http://127.0.0.1:80:80/graphql.json",
    "unclosed-ipv6": "https://[::1",
    "unclosed-ipv6-path": "http://[::1/graphql.json",
    "space-in-host": "https://exa mple.com/graphql.json",
    "tab-in-host": "http://127.0.0.1\t.evil.com/graphql.json",
    "line-break": "http://127.0.0.1/graphql.json\r\nHost: evil.example",
    "percent-in-host": "https://%65vil.example/graphql.json",
    "bad-idna": "https://xn--/graphql.json",
    "empty-label": "https://shop..example/graphql.json",
    "leading-hyphen": "https://-shop.example/graphql.json",
}


@pytest.mark.parametrize("endpoint", BAD_ENDPOINTS.values(), ids=BAD_ENDPOINTS.keys())
def test_an_endpoint_no_socket_can_reach_as_written_is_refused(endpoint: str) -> None:
    with pytest.raises(ConfigurationError, match="endpoint"):
        check_endpoint(endpoint)
    with pytest.raises(ConfigurationError):
        StorefrontClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN)
    with pytest.raises(ConfigurationError):
        AsyncStorefrontClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN)


def test_a_port_past_65535_names_the_range() -> None:
    with pytest.raises(ConfigurationError, match="1 to 65535"):
        check_endpoint("http://127.0.0.1:99999/api/2024-10/graphql.json")


@pytest.mark.parametrize("endpoint", [5, None, b"https://shop.example/graphql.json"])
def test_an_endpoint_that_is_not_a_string_is_a_configuration_error(endpoint: object) -> None:
    with pytest.raises(ConfigurationError, match="URL string"):
        check_endpoint(endpoint)


def test_an_unreadable_endpoint_does_not_echo_its_credentials() -> None:
    with pytest.raises(ConfigurationError) as info:
        check_endpoint("https://user:hunter22@[::1/graphql.json")
    assert "hunter22" not in str(info.value)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://shop.example:443/graphql.json",  # the default port, written out
        "https://xn--exmple-cua.example/graphql.json",  # an IDNA host, encoded
        "https://ex\u00e4mple.example/graphql.json",  # the same, not encoded
        "https://SHOP.example/graphql.json",
        "http://127.0.0.1:65535/graphql.json",
        "http://[::1]/graphql.json",
        "https://shop.example./graphql.json",  # the DNS root's dot
        "https://a_b.example/graphql.json",
    ],
)
def test_unusual_but_plain_endpoints_are_accepted(endpoint: str) -> None:
    assert check_endpoint(endpoint) == endpoint


# -- an endpoint= that names another API version ------------------------------------


def test_an_endpoint_for_another_version_is_refused_naming_both() -> None:
    """Shopify serves the version the URL names: a 2026-04 package sent to .../2024-10/
    would get 2024-10 answers, and the later mismatch warning would blame Shopify."""
    from shopify_admin_2026_04 import Client as Admin202604

    endpoint = "https://your-store.myshopify.com/admin/api/2024-10/graphql.json"
    with pytest.raises(ConfigurationError) as info:
        Admin202604(endpoint=endpoint, access_token=ADMIN_TOKEN)
    message = str(info.value)
    assert "2024-10" in message and "2026-04" in message and "admin" in message


def test_a_local_endpoint_for_another_version_is_refused_too() -> None:
    with pytest.raises(ConfigurationError, match=r"storefront API unstable.*2024-10"):
        StorefrontClient(
            endpoint="http://127.0.0.1:9/api/unstable/graphql.json", access_token=STOREFRONT_TOKEN
        )


@pytest.mark.parametrize(
    "endpoint",
    [
        f"https://proxy.example/api/{StorefrontClient.api_version}/graphql.json",
        "https://proxy.example/graphql",  # a proxy that adds the version itself
        "https://proxy.example/shopify/storefront",
        "https://proxy.example/v2024/graphql?version=2023-01",  # not a path segment
    ],
)
def test_an_endpoint_at_the_clients_version_or_naming_none_is_taken(endpoint: str) -> None:
    client = StorefrontClient(endpoint=endpoint, access_token=STOREFRONT_TOKEN)
    try:
        assert client.endpoint == endpoint
    finally:
        client.close()
