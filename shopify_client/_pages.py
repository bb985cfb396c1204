"""The page loop behind the generated ``iter_<method>`` helpers.

A generated helper says how to fetch one page (its method, with ``after``) and how
to read one (the connection's items, ``hasNextPage``, ``endCursor``); the walk
itself, and every bound on it, lives here, tested once for every connection shape
and for both flavours:

* ``max_pages`` / ``max_items`` are checked when the helper is called, before any
  request; ``0`` means nothing is fetched and nothing is yielded;
* a page that says ``hasNextPage: true`` must give a cursor (``endCursor`` null or
  empty would end the walk early and lose items silently), and a cursor already
  sent must not come back (a repeated or cycling cursor would page for ever):
  either is an :class:`InvalidResponseError`;
* :data:`MAX_EMPTY_PAGES` pages in a row with no item (and ``hasNextPage: true``)
  are one too: with nothing yielded, the caller's loop never runs, so it could not
  break out of the walk itself.

The cursors sent are remembered as 16-byte digests, so a server's long cursors do
not pile up in memory over a long walk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import TypeVar

from ._exceptions import ConfigurationError, InvalidResponseError, InvalidVariablesError
from ._variables import UNSET, UnsetType

__all__ = ["MAX_EMPTY_PAGES", "Page", "check_caps", "iterate_pages", "iterate_pages_async"]

T = TypeVar("T")
R = TypeVar("R")

#: pages in a row that may hold no item while saying ``hasNextPage: true``
MAX_EMPTY_PAGES = 50

#: one page as the generated helper reads it: (items, hasNextPage, endCursor), or
#: None when an object on the way to the connection is null (nothing to walk)
Page = tuple[Sequence[T], bool | None, str | None] | None


def _check_cap(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidVariablesError(
            f"{name} must be None or a whole number of 0 or more, not {type(value).__name__}",
            variable=name,
        )
    if value < 0:
        raise ConfigurationError(f"{name} must be None or a whole number of 0 or more, not {value}")
    return value


def check_caps(max_pages: object, max_items: object) -> tuple[int | None, int | None]:
    """The caps as given, or a typed error naming the wrong one (nothing sent yet):
    :class:`InvalidVariablesError` (a ``TypeError``) for another type than ``int``,
    :class:`ConfigurationError` (a ``ValueError``) for a negative number."""
    return _check_cap("max_pages", max_pages), _check_cap("max_items", max_items)


def _digest(cursor: str) -> bytes:
    import hashlib

    return hashlib.blake2b(cursor.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class _Walk:
    """The state of one walk and its decisions; no I/O."""

    __slots__ = ("empty", "items", "max_items", "max_pages", "operation", "pages", "sent", "where")

    def __init__(
        self, operation: str, where: str, max_pages: int | None, max_items: int | None
    ) -> None:
        self.operation = operation
        self.where = where
        self.max_pages = max_pages
        self.max_items = max_items
        self.pages = 0
        self.items = 0
        self.empty = 0
        self.sent: set[bytes] = set()

    @property
    def done(self) -> bool:
        """Whether a cap is already reached (``0`` for either: nothing to do)."""
        return (self.max_items is not None and self.items >= self.max_items) or (
            self.max_pages is not None and self.pages >= self.max_pages
        )

    def took(self) -> bool:
        """Count one yielded item; True when ``max_items`` is now reached."""
        self.items += 1
        return self.max_items is not None and self.items >= self.max_items

    def _error(self, what: str, field: str) -> InvalidResponseError:
        return InvalidResponseError(
            f"{self.operation}: page {self.pages} of {self.where} {what}",
            path=f"{self.where}.pageInfo.{field}",
        )

    def next_after(self, yielded: int, has_next: bool | None, cursor: str | None) -> str | None:
        """The cursor to send for the next page, or None when the walk is over."""
        self.pages += 1
        if not has_next or self.done:
            return None
        if not isinstance(cursor, str) or not cursor:
            raise self._error(
                "says hasNextPage: true but gives no endCursor: the next page cannot "
                "be asked for, and stopping here would drop the items past it",
                "endCursor",
            )
        digest = _digest(cursor)
        if digest in self.sent:
            raise self._error(
                "gives back an endCursor already sent for an earlier page: following "
                "it would fetch the same pages for ever",
                "endCursor",
            )
        self.empty = self.empty + 1 if yielded == 0 else 0
        if self.empty >= MAX_EMPTY_PAGES:
            raise self._error(
                f"is the {MAX_EMPTY_PAGES}th page in a row with no item that says "
                "hasNextPage: true; stopping (pass max_pages= to bound a walk)",
                "hasNextPage",
            )
        self.sent.add(digest)
        return cursor


def iterate_pages(
    operation: str,
    where: str,
    fetch: Callable[[str | UnsetType], R],
    read: Callable[[R], Page[T]],
    max_pages: int | None,
    max_items: int | None,
) -> Iterator[T]:
    """Every item of the connection at ``where`` (its keys, e.g. ``"products"``),
    page after page. The caps are checked now, before the first request."""
    walk = _Walk(operation, where, *check_caps(max_pages, max_items))
    return _sync(walk, fetch, read)


def _sync(
    walk: _Walk, fetch: Callable[[str | UnsetType], R], read: Callable[[R], Page[T]]
) -> Iterator[T]:
    after: str | UnsetType = UNSET
    while not walk.done:
        page = read(fetch(after))
        if page is None:
            return
        items, has_next, cursor = page
        yielded = 0
        for item in items:
            yield item
            yielded += 1
            if walk.took():
                return
        next_after = walk.next_after(yielded, has_next, cursor)
        if next_after is None:
            return
        after = next_after


def iterate_pages_async(
    operation: str,
    where: str,
    fetch: Callable[[str | UnsetType], Awaitable[R]],
    read: Callable[[R], Page[T]],
    max_pages: int | None,
    max_items: int | None,
) -> AsyncIterator[T]:
    """:func:`iterate_pages` for the async clients: the caps are checked now too."""
    walk = _Walk(operation, where, *check_caps(max_pages, max_items))
    return _async(walk, fetch, read)


async def _async(
    walk: _Walk, fetch: Callable[[str | UnsetType], Awaitable[R]], read: Callable[[R], Page[T]]
) -> AsyncIterator[T]:
    after: str | UnsetType = UNSET
    while not walk.done:
        page = read(await fetch(after))
        if page is None:
            return
        items, has_next, cursor = page
        yielded = 0
        for item in items:
            yield item
            yielded += 1
            if walk.took():
                return
        next_after = walk.next_after(yielded, has_next, cursor)
        if next_after is None:
            return
        after = next_after
