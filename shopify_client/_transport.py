"""One HTTP attempt, bounded in time and bytes, never following a redirect.

Each attempt is sent with ``follow_redirects=False`` (whoever built the httpx
client: a redirect would carry the token headers, and for 307/308 the body, to
another host), streamed, and read with two bounds:

- **time**: the whole attempt (connect, send, wait, the full body) ends by its
  deadline, ``timeout=`` seconds after it began. httpx's own timeouts bound each
  read; a server sending one byte a second would pass them for ever.
- **bytes**: the body may hold at most ``max_response_bytes`` once decoded (gzip
  and deflate are decoded here, a bounded piece at a time, so a gzip bomb costs
  no more memory than the cap). Past it, reading stops and the connection closes.

Async attempts run under ``asyncio.timeout`` (an anyio cancel scope under trio). Sync attempts
check the deadline between reads and at each httpcore phase until the request
goes out (connect, TLS: the trace then takes itself off, see ``_stop_tracing``), and
a watchdog thread shuts the socket down at the deadline, which ends a read blocked
on it.
One corner is left to httpx's read timeout: a server that drips its *headers* on
a kept-alive connection reused from the pool (the socket is not known until the
headers are in).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ._exceptions import InvalidResponseError, ResponseTooLargeError

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT",
    "AttemptDeadlineExceeded",
    "Limits",
    "Progress",
    "RawResponse",
    "send_async",
    "send_sync",
]

DEFAULT_TIMEOUT = 30.0  # seconds, one attempt as a whole
# A GraphQL answer is bounded by its query cost (Admin: 1,000 points a query);
# Shopify's largest documented answers are a few MB. 64 MB decoded leaves room.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
ACCEPT_ENCODING = "gzip, deflate"


class AttemptDeadlineExceeded(Exception):
    """Internal: the attempt ran past its deadline (the client turns it into a TransportError)."""

    def __init__(self, seconds: float, request_sent: bool) -> None:
        super().__init__(f"the attempt took longer than timeout={seconds:g}s")
        self.seconds = seconds
        self.request_sent = request_sent


@dataclass(frozen=True)
class Limits:
    """What bounds one attempt: ``seconds`` as a whole (None: httpx's phases only)."""

    seconds: float | None
    max_bytes: int

    @classmethod
    def of(cls, timeout: float | httpx.Timeout | None, max_bytes: int) -> Limits:
        return cls(attempt_seconds(timeout), max_bytes)


def attempt_seconds(timeout: float | httpx.Timeout | None) -> float | None:
    """The whole-attempt deadline of a ``timeout=`` value.

    A number is the deadline. An ``httpx.Timeout`` keeps its per-phase meaning, and
    the attempt as a whole is bounded by the largest of its phases.
    """
    if timeout is None:
        return None
    if isinstance(timeout, httpx.Timeout):
        parts = [t for t in (timeout.connect, timeout.read, timeout.write, timeout.pool) if t]
        return max(parts) if parts else None
    return float(timeout)


@dataclass
class Progress:
    """What one attempt got before it failed: the status and request id of a response
    whose body was then cut (so the error can name them)."""

    status_code: int | None = None
    request_id: str | None = None

    def saw(self, status_code: int, request_id: str | None) -> None:
        self.status_code = status_code
        self.request_id = request_id


def header_fields(headers: httpx.Headers) -> dict[str, str]:
    """The response's headers read once into a plain dict: lower-case names, repeated
    fields joined with ", " (as ``httpx.Headers.get`` does), so each later look-up
    costs a dict access instead of a scan of every header."""
    fields: dict[str, str] = {}
    for name, value in headers.multi_items():
        fields[name] = f"{fields[name]}, {value}" if name in fields else value
    return fields


@dataclass(frozen=True, slots=True)
class RawResponse:
    status_code: int
    headers: dict[str, str]  # header_fields(): lower-case names
    body: bytes


class _BodyReader:
    """Decodes Content-Encoding piece by piece, never holding more than ``limit`` bytes."""

    def __init__(self, headers: Mapping[str, str], limit: int, status: int) -> None:
        self._limit = limit
        self._status = status
        self._request_id = headers.get("x-request-id")
        self._parts: list[bytes] = []
        self._size = 0
        coding = headers.get("content-encoding", "").strip().lower()
        self._raw_deflate_fallback = False
        self._zlib: Any = None
        if coding in ("", "identity"):
            pass
        elif coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            self._zlib = zlib.decompressobj()
            self._raw_deflate_fallback = True
        else:
            raise InvalidResponseError(
                f"the response uses Content-Encoding {coding[:40]!r}; the client asked for "
                f"{ACCEPT_ENCODING!r} only",
                status_code=status,
                request_id=self._request_id,
            )

    def _add(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise ResponseTooLargeError(
                f"the response holds more than max_response_bytes={self._limit:,} bytes "
                "(decoded); reading stopped there",
                status_code=self._status,
                request_id=self._request_id,
                limit=self._limit,
            )
        if data:
            self._parts.append(data)

    def _bad_encoding(self) -> InvalidResponseError:
        return InvalidResponseError(
            "the response body could not be decoded (its Content-Encoding is wrong)",
            status_code=self._status,
            request_id=self._request_id,
        )

    def feed(self, chunk: bytes) -> None:
        if self._zlib is None:
            self._add(chunk)
            return
        room = self._limit - self._size
        try:
            out = self._zlib.decompress(chunk, room + 1)
        except zlib.error:
            if not (self._raw_deflate_fallback and self._size == 0):
                raise self._bad_encoding() from None
            # Some servers send raw deflate without the zlib wrapper.
            self._raw_deflate_fallback = False
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                out = self._zlib.decompress(chunk, room + 1)
            except zlib.error:
                raise self._bad_encoding() from None
        self._raw_deflate_fallback = False
        self._add(out)

    def whole(self, content: bytes) -> None:
        """A body httpx already read and decoded (a transport that returns it whole)."""
        self._add(content)

    def finish(self) -> bytes:
        if self._zlib is not None:
            try:
                self._add(self._zlib.flush())
            except zlib.error:
                raise self._bad_encoding() from None
        return b"".join(self._parts)


class _Watchdog:
    """One daemon thread that runs each registered action at its deadline, unless
    cancelled first: cheaper than a thread per call.

    The hot path (a call that ends in time) costs a heap push and pop under a lock:
    the thread is woken only when a new deadline is earlier than the one it sleeps
    towards (or it sleeps with nothing to wait for), never once per call.
    """

    _IDLE = float("inf")

    def __init__(self) -> None:
        self._reset()
        # A forked child has no watchdog thread (and maybe a lock held at the fork).
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cancelled: set[int] = set()
        self._ids = itertools.count()
        self._cond = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._wake_at = self._IDLE  # when the thread will next look at the heap

    def schedule(self, deadline: float, action: Callable[[], None]) -> int:
        with self._cond:
            handle = next(self._ids)
            heapq.heappush(self._heap, (deadline, handle, action))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="shopify-client-watchdog", daemon=True
                )
                self._wake_at = deadline
                self._thread.start()
            elif deadline < self._wake_at:
                self._wake_at = deadline
                self._cond.notify()
            return handle

    def cancel(self, handle: int) -> None:
        with self._cond:
            if self._heap and self._heap[0][1] == handle:
                heapq.heappop(self._heap)  # the usual case: the oldest call ends first
            else:
                self._cancelled.add(handle)
            while self._heap and self._heap[0][1] in self._cancelled:
                self._cancelled.discard(heapq.heappop(self._heap)[1])

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    while self._heap and self._heap[0][1] in self._cancelled:
                        self._cancelled.discard(heapq.heappop(self._heap)[1])
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        _, _, action = heapq.heappop(self._heap)
                        break
                    if not self._heap:
                        self._wake_at = self._IDLE
                        if not self._cond.wait(timeout=60.0) and not self._heap:
                            self._thread = None  # idle for a minute: end, restart on demand
                            return
                        continue
                    self._wake_at = self._heap[0][0]
                    self._cond.wait(timeout=self._wake_at - now)
            # A watchdog must survive what it stops.
            with contextlib.suppress(Exception):
                action()


_WATCHDOG = _Watchdog()


# httpcore's trace events (httpcore/_trace.py names them "<module>.<phase>.<stage>").
_CONNECTED = frozenset(
    {
        "connection.connect_tcp.complete",
        "connection.connect_unix_socket.complete",
        "connection.start_tls.complete",
    }
)
_SENDING = frozenset({"http11.send_request_headers.started", "http2.send_request_headers.started"})


def _stop_tracing(extensions: dict[str, Any]) -> None:
    """Take the trace callback off the request once its headers start to go out.

    httpcore reads ``request.extensions["trace"]`` afresh at each phase, and calls it
    about ten times a request (each call also costs httpcore a context manager, and
    an await for the async client). What the attempt needs from it is known by then:
    the socket of a new connection (``connect_tcp``/``start_tls`` come first) and that
    the request may have been sent. The later phases are bounded as before: the
    watchdog (sync) or ``asyncio.timeout`` (async), and the checks between reads.
    The pool picks the connection before this event, so no connect can follow it.
    """
    extensions.pop("trace", None)


class _SyncAttempt:
    """The deadline of one sync attempt: phase checks (httpcore trace) and the watchdog."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.fired = False
        self.request_sent = False
        # No lock: append-then-read-flag here and set-flag-then-copy in _fire (each
        # atomic under the GIL) mean every stream is shut down at least once.
        self._streams: list[Any] = []
        self._handle = _WATCHDOG.schedule(self.deadline, self._fire)
        self.extensions: dict[str, Any] = {}  # the request's own, set by send_sync

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event in _CONNECTED:
            self._track(info.get("return_value"))
        elif event in _SENDING:
            # Fail-safe: from the first header byte on, the request may reach Shopify.
            self.request_sent = True
            _stop_tracing(self.extensions)
        if self.fired or time.monotonic() >= self.deadline:
            raise AttemptDeadlineExceeded(self.seconds, self.request_sent)

    def check(self) -> None:
        if self.fired or time.monotonic() >= self.deadline:
            raise AttemptDeadlineExceeded(self.seconds, self.request_sent)

    def _track(self, stream: Any) -> None:
        if stream is None:
            return
        self._streams.append(stream)
        if self.fired:
            self._shutdown(stream)

    def track_response(self, response: httpx.Response) -> None:
        self._track(response.extensions.get("network_stream"))

    def _fire(self) -> None:
        self.fired = True
        for stream in list(self._streams):
            self._shutdown(stream)

    @staticmethod
    def _shutdown(stream: Any) -> None:
        """End whatever read or write is blocked on ``stream``'s socket.

        ``socket.socket.shutdown`` itself, also for a TLS socket: ``SSLSocket.shutdown``
        would drop its SSL object under the reading thread's feet; shutting the
        descriptor makes that read fail cleanly (an httpx ReadError, then ours).
        """
        try:
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass

    def done(self) -> None:
        _WATCHDOG.cancel(self._handle)


def send_sync(
    http: httpx.Client,
    url: httpx.URL,
    body: bytes,
    options: Mapping[str, Any],
    limits: Limits,
    progress: Progress | None = None,
) -> RawResponse:
    """POST ``body`` once; the answer read whole within ``limits``."""
    attempt = _SyncAttempt(limits.seconds) if limits.seconds else None
    try:
        request = http.build_request("POST", url, content=body, **options)
        if attempt:
            # httpx copies the extensions it is given: hand the request's own dict
            # to the attempt, so that the trace can take itself off (_stop_tracing).
            request.extensions["trace"] = attempt.trace
            attempt.extensions = request.extensions
        response = http.send(request, stream=True, follow_redirects=False)
        try:
            fields = header_fields(response.headers)
            status = response.status_code
            if progress is not None:
                progress.saw(status, fields.get("x-request-id"))
            if attempt:
                attempt.request_sent = True
                attempt.track_response(response)
                attempt.check()
            reader = _BodyReader(fields, limits.max_bytes, status)
            if response.is_stream_consumed:
                reader.whole(response.content)
            else:
                for chunk in response.iter_raw():
                    reader.feed(chunk)
                    if attempt:
                        attempt.check()
            return RawResponse(status, fields, reader.finish())
        finally:
            response.close()
    except httpx.TransportError as exc:
        if attempt and (attempt.fired or time.monotonic() >= attempt.deadline):
            raise AttemptDeadlineExceeded(attempt.seconds, attempt.request_sent) from exc
        raise
    finally:
        if attempt:
            attempt.done()


async def send_async(
    http: httpx.AsyncClient,
    url: httpx.URL,
    body: bytes,
    options: Mapping[str, Any],
    limits: Limits,
    progress: Progress | None = None,
) -> RawResponse:
    """POST ``body`` once; the answer read whole within ``limits`` (``asyncio.timeout``,
    or an anyio cancel scope under another event loop)."""
    sent = False
    request = http.build_request("POST", url, content=body, **options)
    extensions = request.extensions  # httpx copied them: this is the request's own dict

    async def trace(event: str, info: Mapping[str, Any]) -> None:
        nonlocal sent
        if event in _SENDING:
            sent = True
            _stop_tracing(extensions)

    extensions["trace"] = trace

    async def attempt() -> RawResponse:
        nonlocal sent
        response = await http.send(request, stream=True, follow_redirects=False)
        sent = True
        try:
            fields = header_fields(response.headers)
            status = response.status_code
            if progress is not None:
                progress.saw(status, fields.get("x-request-id"))
            reader = _BodyReader(fields, limits.max_bytes, status)
            if response.is_stream_consumed:
                reader.whole(response.content)
            else:
                async for chunk in response.aiter_raw():
                    reader.feed(chunk)
            return RawResponse(status, fields, reader.finish())
        finally:
            await response.aclose()

    if not limits.seconds:
        return await attempt()
    import asyncio

    try:
        asyncio.current_task()
    except RuntimeError:  # not asyncio (trio...): anyio's cancel scope
        import anyio  # here, not at module level: the sync client does not need it

        result: RawResponse | None = None
        with anyio.move_on_after(limits.seconds):
            result = await attempt()
        if result is None:
            raise AttemptDeadlineExceeded(limits.seconds, sent) from None
        return result
    try:
        async with asyncio.timeout(limits.seconds):  # cheaper than a cancel scope
            return await attempt()
    except TimeoutError:
        raise AttemptDeadlineExceeded(limits.seconds, sent) from None
