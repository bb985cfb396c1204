"""One refresh per refresh token at a time, and its result for the requests that raced it.

Shopify rotates refresh tokens: once one is used, it is ``invalid_grant``. Two
requests of one customer (two tabs, a page and its XHR) that both find the access
token near expiry would both refresh with the same refresh token; the second gets
``invalid_grant``, a :class:`RefreshError`, and the customer is sent to log in
again although their session is fine. So, per auth object:

- refreshes of the same refresh token run one at a time (other customers' run
  beside them);
- the tokens a refresh returned are handed, for :data:`RECENT_SECONDS`, to any
  refresh of the same (now used) refresh token instead of a second request.

The refresh tokens are kept as their SHA-256 only; the renewed tokens are held in
memory for those seconds (as the caller's session holds them). Waits are bounded:
a refresh still running after :data:`WAIT_SECONDS` is a :class:`RefreshError`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from ._errors import RefreshError
from ._http import DEADLINE
from ._tokens import CustomerTokens

__all__ = ["RECENT_SECONDS", "WAIT_SECONDS", "RefreshFlights"]

#: How long a refresh's result answers for the refresh token it used up.
RECENT_SECONDS = 60.0
#: How long a refresh waits for one of the same token already running.
WAIT_SECONDS = 2 * DEADLINE
_MAX_RECENT = 4096


def _key(refresh_token: str) -> bytes:
    return hashlib.sha256(refresh_token.encode()).digest()


def _too_long() -> RefreshError:
    return RefreshError(
        f"another refresh of these tokens ran past {WAIT_SECONDS:g}s: not renewed "
        "(retry, or log the customer in again)"
    )


class RefreshFlights:
    """The refreshes in progress and just done, per refresh token (thread-safe)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[bytes, tuple[Any, int]] = {}
        self._recent: OrderedDict[bytes, tuple[float, CustomerTokens]] = OrderedDict()

    # -- the results --------------------------------------------------------------------

    def recent(self, refresh_token: str) -> CustomerTokens | None:
        """The tokens a refresh of ``refresh_token`` returned moments ago, if any."""
        key = _key(refresh_token)
        now = time.monotonic()
        with self._guard:
            while self._recent and now - next(iter(self._recent.values()))[0] > RECENT_SECONDS:
                self._recent.popitem(last=False)
            entry = self._recent.get(key)
        return entry[1] if entry else None

    def remember(self, refresh_token: str, renewed: CustomerTokens) -> None:
        with self._guard:
            self._recent[_key(refresh_token)] = (time.monotonic(), renewed)
            while len(self._recent) > _MAX_RECENT:
                self._recent.popitem(last=False)

    # -- one at a time ------------------------------------------------------------------

    def _take(self, key: bytes, factory: Any) -> Any:
        with self._guard:
            lock, users = self._locks.get(key) or (factory(), 0)
            self._locks[key] = (lock, users + 1)
        return lock

    def _give_back(self, key: bytes) -> None:
        with self._guard:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @contextmanager
    def turn(self, refresh_token: str) -> Iterator[None]:
        """Hold the refresh of ``refresh_token`` (threads)."""
        key = _key(refresh_token)
        lock = self._take(key, threading.Lock)
        try:
            if not lock.acquire(timeout=WAIT_SECONDS):
                raise _too_long()
            try:
                yield
            finally:
                lock.release()
        finally:
            self._give_back(key)

    @asynccontextmanager
    async def turn_async(self, refresh_token: str) -> AsyncIterator[None]:
        """Hold the refresh of ``refresh_token`` (tasks: asyncio or trio)."""
        import anyio

        key = _key(refresh_token)
        lock = self._take(key, anyio.Lock)
        try:
            acquired = False
            with anyio.move_on_after(WAIT_SECONDS):
                await lock.acquire()
                acquired = True
            if not acquired:
                raise _too_long()
            try:
                yield
            finally:
                lock.release()
        finally:
            self._give_back(key)
