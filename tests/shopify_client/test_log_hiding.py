"""httpx's own INFO line for a request names its whole URL; a bulk result file's signed
URL must not reach the logs that way (nor any other of our logs)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest

from shopify_client._log_hiding import KEPT, hide_in_httpx_logs, shown
from shopify_client.testing import FakeShopify

from .bulk_helpers import SPEC, AsyncClient, client_for
from .test_bulk_run import FAST


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 2
        shop.bulk.children = 1
        yield shop


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_a_bulk_downloads_signed_url_is_logged_without_its_query(
    fake: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    run = client_for(fake)._bulk_start(SPEC, {}, False, FAST)
    assert len(list(run)) == 2
    lines = _lines(caplog)
    assert not [line for line in lines if "X-Goog-Signature" in line]
    downloads = [line for line in lines if "HTTP Request: GET" in line and "/results/" in line]
    assert downloads, lines
    assert all("/results/" in line and "?[hidden]" in line for line in downloads)


def test_the_async_download_is_hidden_too(
    fake: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def main() -> int:
        client = AsyncClient(
            endpoint=fake.endpoint("admin", AsyncClient.api_version),
            access_token=fake.admin_token,
            max_retries=0,
        )
        run = await client._bulk_start(SPEC, {}, False, FAST)
        return len([record async for record in run])

    assert asyncio.run(main()) == 2
    assert not [line for line in _lines(caplog) if "X-Goog-Signature" in line]


def test_urls_not_registered_log_as_httpx_writes_them(
    fake: FakeShopify, caplog: pytest.LogCaptureFixture
) -> None:
    """The app's own requests are not rewritten."""
    caplog.set_level(logging.INFO, logger="httpx")
    hide_in_httpx_logs(f"http://127.0.0.1:{fake.port}/hidden?sig=1")
    httpx.get(f"http://127.0.0.1:{fake.port}/own?page=2")
    assert any("/own?page=2" in line for line in _lines(caplog))


def test_the_register_is_bounded() -> None:
    from shopify_client import _log_hiding

    for i in range(KEPT + 50):
        hide_in_httpx_logs(f"https://storage.example/{i}?X-Amz-Signature={i}")
    assert len(_log_hiding._hidden) == KEPT
    assert shown("https://storage.example/f.jsonl?X-Amz-Signature=s") == (
        "https://storage.example/f.jsonl?[hidden]"
    )
    assert shown("https://storage.example/f.jsonl") == "https://storage.example/f.jsonl"
