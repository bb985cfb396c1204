"""Shared fixtures of the runtime tests: a running FakeShopify, quiet version warnings.

The generated clients pin versions (Storefront 2024-10, Admin 2024-01) that are past
Shopify's support window on the machine's date, so constructing one warns
(:class:`UnsupportedVersionWarning`) once per process. Every test here starts with
an empty "already warned" set and that warning silenced; the version tests turn it
back on with ``pytest.warns`` / ``warnings.catch_warnings``.
"""

from __future__ import annotations

import socket
import warnings
from collections.abc import Iterator

import pytest

from shopify_client import RetryPolicy, UnsupportedVersionWarning, _versions
from shopify_client.testing import FakeShopify
from shopify_client.testing.redis_server import RedisServer

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


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    """A running FakeShopify, stopped after the test."""
    with FakeShopify() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on 127.0.0.1 (Debian's package redis-server: .ci/run installs
    it; without it these tests fail, never skip), stopped after the session."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """The URL of the session's redis-server, running and emptied for this test."""
    redis_server.resume()  # a test that froze it or killed it leaves it so
    redis_server.start()
    import redis

    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    yield redis_server.url
