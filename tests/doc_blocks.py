"""What the README and docs/ tests share: their code blocks, and the fake shop they run on.

The examples call the documentation's shop (``your-development-store.myshopify.com``);
:func:`routed_fake` routes those requests to a local FakeShopify at the transport
level, over real sockets, and sets the token variables the examples read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopify_client.testing import ADMIN_TOKEN, CUSTOMER_CLIENT_ID, STOREFRONT_TOKEN, FakeShopify
from tests.conftest import ROOT

DOCS_HOST = "your-development-store.myshopify.com"
DOCS = sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    path: Path
    lang: str
    text: str
    line: int  # of the opening fence, 1-based

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def named_file(self) -> str | None:
        """The file a block's first line names (``# shopify/queries/x.graphql``), if any."""
        first = self.text.split("\n", 1)[0]
        match = re.fullmatch(r"# ([\w./-]+\.\w+)(?: .*)?", first)
        return match.group(1) if match else None


def blocks(path: Path, lang: str | None = None, *, text: str | None = None) -> list[Block]:
    """The fenced code blocks of ``path`` (or of ``text``, a part of it), in order."""
    body = path.read_text(encoding="utf-8") if text is None else text
    found = []
    for match in FENCE.finditer(body):
        if lang is None or match.group(1) == lang:
            line = body.count("\n", 0, match.start()) + 1
            found.append(Block(path, match.group(1), match.group(2), line))
    return found


def section(path: Path, heading: str) -> str:
    """The text of ``path`` under ``heading`` (a whole line), to the next heading of its level."""
    text = path.read_text(encoding="utf-8")
    level = heading.split(" ", 1)[0]
    start = text.index("\n" + heading + "\n") + 1
    end = text.find("\n" + level + " ", start + len(heading))
    return text[start : end if end != -1 else len(text)]


@contextmanager
def routed_fake(monkeypatch: pytest.MonkeyPatch, **kwargs: Any) -> Iterator[FakeShopify]:
    """A started FakeShopify that the documentation's shop host is routed to."""
    with FakeShopify(**kwargs) as fake:

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
        monkeypatch.setenv("SHOPIFY_CUSTOMER_CLIENT_ID", CUSTOMER_CLIENT_ID)
        yield fake
