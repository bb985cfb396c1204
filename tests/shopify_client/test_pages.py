"""The page loop behind every generated ``iter_<method>``: its caps and its bounds.

A scripted "server" (a function of ``after``) stands in for the generated method;
each test bounds it (it ends the walk itself after a few hundred pages), so that a
loop that would run for ever fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from shopify_client import (
    UNSET,
    ConfigurationError,
    InvalidResponseError,
    InvalidVariablesError,
    ShopifyError,
    UnsetType,
)
from shopify_client._pages import MAX_EMPTY_PAGES, Page, iterate_pages, iterate_pages_async

#: after this many pages a scripted server says hasNextPage: false, whatever it said before
GIVE_UP = 300

Answer = tuple[list[int], bool, str | None]


class Server:
    """Pages from ``script(number, after)``; records every ``after`` it was sent."""

    def __init__(self, script: Callable[[int, str | None], Answer]) -> None:
        self.script = script
        self.sent: list[str | None] = []

    def fetch(self, after: str | UnsetType) -> Answer:
        value = None if isinstance(after, UnsetType) else after
        self.sent.append(value)
        items, has_next, cursor = self.script(len(self.sent), value)
        return items, has_next and len(self.sent) < GIVE_UP, cursor

    async def fetch_async(self, after: str | UnsetType) -> Answer:
        await asyncio.sleep(0)
        return self.fetch(after)


def read(answer: Answer) -> Page[int]:
    return answer


def walk(server: Server, **caps: Any) -> list[int]:
    return list(iterate_pages("Products", "products", server.fetch, read, **_caps(caps)))


def walk_async(server: Server, **caps: Any) -> list[int]:
    async def collect() -> list[int]:
        pages = iterate_pages_async("Products", "products", server.fetch_async, read, **_caps(caps))
        return [item async for item in pages]

    return asyncio.run(collect())


def _caps(caps: dict[str, Any]) -> dict[str, Any]:
    return {"max_pages": caps.get("max_pages"), "max_items": caps.get("max_items")}


WALKS = [pytest.param(walk, id="sync"), pytest.param(walk_async, id="async")]


def numbered(pages: int, per_page: int = 2) -> Server:
    """``pages`` good pages of ``per_page`` items, cursors "c1", "c2"..."""
    return Server(
        lambda n, after: (
            [n * 10 + i for i in range(per_page)],
            n < pages,
            f"c{n}",
        )
    )


@pytest.mark.parametrize("run", WALKS)
def test_every_page_is_walked_in_order(run: Callable[..., list[int]]) -> None:
    server = numbered(3)
    assert run(server) == [10, 11, 20, 21, 30, 31]
    assert server.sent == [None, "c1", "c2"]


@pytest.mark.parametrize("run", WALKS)
@pytest.mark.parametrize(
    "script",
    [
        pytest.param(lambda n, after: ([n], True, "A"), id="the same cursor"),
        pytest.param(lambda n, after: ([n], True, "B" if after == "A" else "A"), id="A-B-A"),
        pytest.param(lambda n, after: ([n], True, f"c{n % 5}"), id="a cycle of five"),
        pytest.param(lambda n, after: ([], True, "A"), id="empty pages, the same cursor"),
    ],
)
def test_a_cursor_already_sent_is_an_invalid_response(
    run: Callable[..., list[int]], script: Callable[[int, str | None], Answer]
) -> None:
    server = Server(script)
    with pytest.raises(InvalidResponseError, match="already sent") as caught:
        run(server)
    assert caught.value.path == "products.pageInfo.endCursor"
    assert len(server.sent) <= 6  # stopped at the first repeat, not after GIVE_UP pages
    assert len(set(server.sent)) == len(server.sent)  # no cursor was sent twice


@pytest.mark.parametrize("run", WALKS)
@pytest.mark.parametrize("cursor", [None, ""])
def test_a_next_page_without_a_cursor_is_an_invalid_response(
    run: Callable[..., list[int]], cursor: str | None
) -> None:
    server = Server(lambda n, after: ([n], True, cursor))
    with pytest.raises(InvalidResponseError, match="no endCursor"):
        run(server)
    assert server.sent == [None]


@pytest.mark.parametrize("run", WALKS)
def test_empty_pages_with_new_cursors_are_bounded(run: Callable[..., list[int]]) -> None:
    server = Server(lambda n, after: ([], True, f"c{n}"))
    with pytest.raises(InvalidResponseError, match="in a row with no item") as caught:
        run(server)
    assert len(server.sent) == MAX_EMPTY_PAGES
    assert caught.value.path == "products.pageInfo.hasNextPage"


@pytest.mark.parametrize("run", WALKS)
def test_an_item_resets_the_count_of_empty_pages(run: Callable[..., list[int]]) -> None:
    # an item every MAX_EMPTY_PAGES - 1 pages: a sparse but honest walk goes on
    every = MAX_EMPTY_PAGES - 1
    server = Server(lambda n, after: ([n] if n % every == 0 else [], n < 3 * every, f"c{n}"))
    assert run(server) == [every, 2 * every, 3 * every]


@pytest.mark.parametrize("run", WALKS)
def test_zero_caps_fetch_nothing(run: Callable[..., list[int]]) -> None:
    for caps in ({"max_items": 0}, {"max_pages": 0}, {"max_items": 0, "max_pages": 5}):
        server = numbered(3)
        assert run(server, **caps) == []
        assert server.sent == []


@pytest.mark.parametrize("run", WALKS)
def test_caps_stop_the_walk_at_once(run: Callable[..., list[int]]) -> None:
    server = numbered(10)
    assert run(server, max_items=3) == [10, 11, 20]
    assert server.sent == [None, "c1"]
    server = numbered(10)
    assert run(server, max_pages=2) == [10, 11, 20, 21]
    assert server.sent == [None, "c1"]
    # the last page asked for may have a bad cursor: it is not followed
    server = Server(lambda n, after: ([n], True, None if n == 2 else f"c{n}"))
    assert run(server, max_pages=2) == [1, 2]


@pytest.mark.parametrize(
    ("caps", "error", "message"),
    [
        ({"max_items": -1}, ConfigurationError, "max_items .* not -1"),
        ({"max_pages": -5}, ConfigurationError, "max_pages .* not -5"),
        ({"max_pages": "2"}, InvalidVariablesError, "max_pages .* not str"),
        ({"max_items": 2.5}, InvalidVariablesError, "max_items .* not float"),
        ({"max_items": True}, InvalidVariablesError, "max_items .* not bool"),
    ],
)
def test_bad_caps_fail_when_called_before_any_request(
    caps: dict[str, Any], error: type[ShopifyError], message: str
) -> None:
    server = numbered(3)
    with pytest.raises(error, match=message):
        iterate_pages("Products", "products", server.fetch, read, **_caps(caps))
    with pytest.raises(error, match=message):
        iterate_pages_async("Products", "products", server.fetch_async, read, **_caps(caps))
    assert server.sent == []
    assert issubclass(error, TypeError | ValueError)  # what Python code expects of bad arguments


def test_a_null_parent_ends_the_walk() -> None:
    calls: list[object] = []

    def fetch(after: str | UnsetType) -> None:
        calls.append(after)

    def nothing(result: None) -> Page[int]:
        return None

    assert list(iterate_pages("Nested", "collection.products", fetch, nothing, None, None)) == []
    assert calls == [UNSET]


def test_a_long_honest_walk_is_not_refused() -> None:
    server = numbered(GIVE_UP, per_page=1)
    assert len(walk(server)) == GIVE_UP
    assert len(set(server.sent)) == GIVE_UP
