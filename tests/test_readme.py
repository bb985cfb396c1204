"""The README's Python examples run, as written, against FakeShopify on 127.0.0.1.

Requests to the documentation's shop (``your-development-store.myshopify.com``) are
routed to the local fake at the transport level, over real sockets; the examples
read their tokens from the environment variables they name.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shopify_client.testing import ADMIN_TOKEN, STOREFRONT_TOKEN, FakeShopify
from tests.conftest import ROOT

DOCS_HOST = "your-development-store.myshopify.com"
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.DOTALL)


@pytest.fixture
def routed_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeShopify]:
    with FakeShopify() as fake:

        def reroute(request: httpx.Request) -> None:
            if request.url.host == DOCS_HOST:
                request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=fake.port)

        sync_handle = httpx.HTTPTransport.handle_request
        async_handle = httpx.AsyncHTTPTransport.handle_async_request

        def handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            reroute(request)
            return sync_handle(self, request)

        async def handle_async(
            self: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            reroute(request)
            return await async_handle(self, request)

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async)
        monkeypatch.setenv("SHOPIFY_STOREFRONT_TOKEN", STOREFRONT_TOKEN)
        monkeypatch.setenv("SHOPIFY_ADMIN_TOKEN", ADMIN_TOKEN)
        yield fake


def test_readme_has_examples_for_both_apis_sync_and_async() -> None:
    text = "\n".join(BLOCKS)
    assert len(BLOCKS) >= 4
    for needle in (
        "from shopify_storefront import Client",
        "AsyncClient",
        "from shopify_admin import Client",
        "except AuthenticationError",
    ):
        assert needle in text, needle


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(
    index: int, routed_fake: FakeShopify, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace: dict[str, Any] = {"__name__": f"readme_example_{index}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(BLOCKS[index], f"README.md example {index + 1}", "exec"), namespace)
    out = capsys.readouterr().out
    assert out.strip(), "every example prints what it got"
    assert routed_fake.requests, "the example reached the fake shop"
    assert "Traceback" not in out
    for secret in (STOREFRONT_TOKEN, ADMIN_TOKEN, "7dx2gx2Z"):
        assert secret not in out


def test_readme_performance_table_is_the_committed_bench_run() -> None:
    import json

    table = json.loads((ROOT / "bench" / "results" / "latest.json").read_text())["table"].rstrip(
        "\n"
    )
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("<!-- bench-table -->\n", 1)[1].split("\n<!-- /bench-table -->", 1)[0]
    assert shown == table
