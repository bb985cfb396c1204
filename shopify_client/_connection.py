"""What one sync or async attempt knows of the kept-alive connection it borrows.

httpx's pool lends a connection to one call at a time, then to the next. Two things
of a connection matter to :mod:`._transport` beyond the answer it carries:

- **its socket, from the first byte written**: a connection reused from the pool is
  not announced by httpcore's trace (only a new one is, at connect) and its socket
  was, until now, known only once the response headers were in. A server that
  dripped those headers on a reused connection outlived the sync deadline (the
  watchdog had no socket to shut). :func:`tap_writes` makes every stream opened
  during an attempt tell the attempt of the thread writing on it which stream it is.
- **whether it may go back to the pool**: an answer sent ahead of its request (a
  second response in the bytes of the first) would be handed to the next call,
  another buyer's maybe; and a socket that a deadline shut is of no use.
  :func:`keep_or_drop` tells httpcore's HTTP/1.1 state machine (h11) that the
  client closes such a connection, so that the pool drops it instead of lending it.

Both reach past httpx's public API (httpcore's network stream, and h11's state behind
httpx's response stream), defensively: a transport without them (a caller's own,
``httpx.MockTransport``) is left as it is. tests/shopify_client/test_connection_reuse.py
holds both to the httpx and httpcore versions installed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import httpx

__all__ = ["WRITER", "keep_or_drop", "tap_writes"]


class Tracker(Protocol):
    def track(self, stream: Any) -> None: ...


class _Writer(threading.local):
    """The sync attempt running in this thread (None: none of ours)."""

    attempt: Tracker | None = None


WRITER = _Writer()

_TAPPED = "_shopify_client_tapped"


def tap_writes(stream: Any) -> None:
    """Have ``stream`` (an httpcore network stream) tell the attempt of the thread that
    writes on it, whichever call borrowed its connection, before its first byte goes out."""
    if stream is None or getattr(stream, _TAPPED, False):
        return
    try:
        write = stream.write

        def tapped_write(buffer: bytes, timeout: float | None = None) -> Any:
            attempt = WRITER.attempt
            if attempt is not None:
                attempt.track(stream)
            return write(buffer, timeout)

        stream.write = tapped_write
        setattr(stream, _TAPPED, True)
    except (AttributeError, TypeError):  # a stream with __slots__, or no write: left alone
        pass


def _h11_of(response: httpx.Response) -> Any:
    """The h11 connection behind ``response`` (httpx's client and transport streams,
    httpcore's pool and HTTP/1.1 streams), or None for any other transport or protocol."""
    transport = getattr(response.stream, "_stream", None)  # httpx's Bound(Async)Stream
    pooled = getattr(transport, "_httpcore_stream", None)  # httpx's (Async)ResponseStream
    http11 = getattr(pooled, "_stream", None)  # httpcore's (Async)PoolByteStream
    connection = getattr(http11, "_connection", None)  # (Async)HTTP11ConnectionByteStream
    return getattr(connection, "_h11_state", None)  # (Async)HTTP11Connection's h11


def keep_or_drop(response: httpx.Response, drop: bool) -> None:
    """Before ``response`` is closed (which hands its connection back to the pool): a
    connection that holds bytes past this response, or that ``drop`` says is spent,
    is closed instead (h11 is told the client closes it)."""
    state = _h11_of(response)
    if state is None:
        return
    try:
        if not drop:
            extra, _ = state.trailing_data
            if not extra:
                return
        import h11  # httpcore's own HTTP/1.1 machine: loaded with it

        state.send(h11.ConnectionClosed())  # then httpcore closes rather than keeps it
    except Exception:
        # h11 refused (a state it cannot close from): httpcore closes that one anyway.
        pass
