"""Per-call ``headers=`` (issue 21, item 9): the framing headers and Host are refused
before anything is sent, a per-call token is scrubbed like the client's own, and a
per-call header replaces the client's of the same name whatever its case.

Servers are raw sockets on 127.0.0.1 that stop by themselves (raw_server.py).
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Iterator

import httpx
import pytest

from shopify_client import AuthenticationError, ConfigurationError
from shopify_client.testing import STOREFRONT_TOKEN
from shopify_storefront import AsyncClient as AsyncStorefrontClient
from shopify_storefront import Client as StorefrontClient
from tests.shopify_client.raw_server import Connection, head, raw_server

DATA = b'{"data": {"customer": null}}'
PER_CALL_TOKEN = "shpat_per-call-0123456789abcdef"
TOKEN_HEADER = "X-Shopify-Storefront-Access-Token"


def request_headers(raw: bytes) -> list[tuple[str, str]]:
    lines = raw.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
    return [(name.strip(), value.strip()) for name, _, value in (ln.partition(":") for ln in lines)]


def echo_headers(conn: Connection) -> None:
    """A 401 whose message quotes every header value it got (as a proxy's error page might)."""
    quoted = " ".join(value for _, value in request_headers(conn.request))
    body = ('{"errors": "[API] Invalid API key or access token: ' + quoted + '"}').encode()
    conn.send(head("401 Unauthorized", length=len(body)) + body)


def answer(conn: Connection) -> None:
    conn.send(head(length=len(DATA)) + DATA)


@pytest.fixture(params=[False, True], ids=["own-http", "http_client"])
def http_option(request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """No option (the client makes its own httpx client), or a caller's ``http_client=``."""
    if not request.param:
        yield {}
        return
    with httpx.Client() as http:
        yield {"http_client": http}


def client(url: str, **options: object) -> StorefrontClient:
    return StorefrontClient(endpoint=url, access_token=STOREFRONT_TOKEN, max_retries=0, **options)  # type: ignore[arg-type]


def shown(exc: BaseException) -> str:
    """Everything of an error a log, a traceback or a pickle would show."""
    return " ".join([str(exc), repr(exc), repr(vars(exc)), repr(pickle.loads(pickle.dumps(exc)))])


@pytest.mark.parametrize("name", [TOKEN_HEADER, "Authorization", "X-Partner-Api-Key", "Cookie"])
def test_a_per_call_secret_header_is_scrubbed_from_errors(
    name: str, http_option: dict[str, object]
) -> None:
    with (
        raw_server(echo_headers) as server,
        client(server.url(), **http_option) as sf,
        pytest.raises(AuthenticationError) as info,
    ):
        sf.customer(customer_access_token="t", headers={name: PER_CALL_TOKEN})
    assert (name, PER_CALL_TOKEN) in request_headers(server.requests[0])  # it was sent
    assert PER_CALL_TOKEN not in shown(info.value)
    assert STOREFRONT_TOKEN not in shown(info.value)
    assert "[REDACTED]" in str(info.value)


def test_a_per_call_secret_header_is_scrubbed_async() -> None:
    async def call(url: str) -> None:
        async with AsyncStorefrontClient(
            endpoint=url, access_token=STOREFRONT_TOKEN, max_retries=0
        ) as sf:
            await sf.customer(customer_access_token="t", headers={TOKEN_HEADER: PER_CALL_TOKEN})

    with raw_server(echo_headers) as server, pytest.raises(AuthenticationError) as info:
        asyncio.run(call(server.url()))
    assert PER_CALL_TOKEN not in shown(info.value)


def test_a_header_that_holds_no_secret_is_shown_as_it_was() -> None:
    with (
        raw_server(echo_headers) as server,
        client(server.url()) as sf,
        pytest.raises(AuthenticationError) as info,
    ):
        sf.customer(customer_access_token="t", headers={"X-Request-Tag": "checkout-42"})
    assert "checkout-42" in str(info.value)


REFUSED = [
    ("Content-Length", "5"),
    ("content-length", "523"),
    ("Transfer-Encoding", "chunked"),
    ("HOST", "evil.example"),
    ("Host", "127.0.0.1"),
    ("Connection", "upgrade"),
    ("Upgrade", "h2c"),
    ("Keep-Alive", "timeout=5"),
    ("TE", "trailers"),
]


@pytest.mark.parametrize("name, value", REFUSED, ids=[n for n, _ in REFUSED])
def test_framing_headers_and_host_are_refused_before_sending(
    name: str, value: str, http_option: dict[str, object]
) -> None:
    with raw_server(answer) as server, client(server.url(), **http_option) as sf:
        with pytest.raises(ConfigurationError, match=f"may not set {name}"):
            sf.customer(customer_access_token="t", headers={name: value})
        assert sf.customer(customer_access_token="t").customer is None  # the client still works
    assert len(server.requests) == 1  # only the second call was sent


def test_framing_headers_are_refused_async() -> None:
    async def call(url: str) -> None:
        async with AsyncStorefrontClient(
            endpoint=url, access_token=STOREFRONT_TOKEN, max_retries=0
        ) as sf:
            await sf.customer(customer_access_token="t", headers={"Transfer-Encoding": "chunked"})

    with (
        raw_server(answer) as server,
        pytest.raises(ConfigurationError, match="may not set Transfer-Encoding"),
    ):
        asyncio.run(call(server.url()))
    assert server.requests == []


def test_one_name_given_twice_is_refused() -> None:
    with (
        raw_server(answer) as server,
        client(server.url()) as sf,
        pytest.raises(ConfigurationError, match="twice"),
    ):
        sf.customer(customer_access_token="t", headers={"X-Tag": "a", "x-tag": "b"})
    assert server.requests == []


@pytest.mark.parametrize("headers", [["X-Tag", "a"], "X-Tag: a", 42])
def test_headers_that_are_not_a_mapping_are_a_typed_error(headers: object) -> None:
    with (
        raw_server(answer) as server,
        client(server.url()) as sf,
        pytest.raises(ConfigurationError, match="mapping"),
    ):
        sf.customer(customer_access_token="t", headers=headers)  # type: ignore[arg-type]
    assert server.requests == []


def test_a_per_call_header_replaces_the_clients_whatever_its_case(
    http_option: dict[str, object],
) -> None:
    with raw_server(answer) as server, client(server.url(), **http_option) as sf:
        sf.customer(customer_access_token="t", headers={TOKEN_HEADER.lower(): PER_CALL_TOKEN})
    sent = request_headers(server.requests[0])
    tokens = [value for name, value in sent if name.lower() == TOKEN_HEADER.lower()]
    assert tokens == [PER_CALL_TOKEN]  # one token header: the call's, not both
    assert STOREFRONT_TOKEN not in server.requests[0].decode("latin-1")
