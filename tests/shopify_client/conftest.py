"""Shared fixtures of the runtime tests: a running FakeShopify, quiet version warnings.

The generated clients pin versions (Storefront 2024-10, Admin 2024-01) that are past
Shopify's support window on the machine's date, so constructing one warns
(:class:`UnsupportedVersionWarning`) once per process. Every test here starts with
an empty "already warned" set and that warning silenced; the version tests turn it
back on with ``pytest.warns`` / ``warnings.catch_warnings``.
"""

from __future__ import annotations

import socket
import sys
import warnings
from collections.abc import Iterator

import pytest

from shopify_client import RetryPolicy, UnsupportedVersionWarning, _versions
from shopify_client.testing import FakeShopify

STOREFRONT_VERSION = "2024-10"
ADMIN_VERSION = "2024-01"


def fast_policy(max_retries: int = 3) -> RetryPolicy:
    """Retries with waits of a few hundredths of a second at most."""
    return RetryPolicy(max_retries=max_retries, backoff_base=0.01, backoff_max=0.05)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def header(headers: dict[str, str], name: str) -> str | None:
    """A header of a recorded request, by case-insensitive name."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


@pytest.fixture(autouse=True)
def quiet_unsupported_versions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh "already warned" set, and UnsupportedVersionWarning silenced."""
    monkeypatch.setattr(_versions, "_warned", set())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnsupportedVersionWarning)
        yield


def quiet_disconnects(fake: FakeShopify) -> FakeShopify:
    """Keep the server quiet when a client hung up before its answer was written.

    After a client-side read timeout (``Fault("slow")``), the handler thread wakes up
    later, writes to the closed socket and socketserver prints the BrokenPipeError to
    stderr, possibly during another test. Other handler errors are still printed.
    """
    server = fake._server
    assert server is not None, "start the FakeShopify first"
    original = server.handle_error

    def handle_error(request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        original(request, client_address)  # type: ignore[arg-type]

    # not monkeypatch: the handler may outlive the test (and the undo) by a few tenths
    setattr(server, "handle_error", handle_error)  # noqa: B010
    return fake


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    """A running FakeShopify, stopped after the test."""
    with FakeShopify() as server:
        yield quiet_disconnects(server)
