"""One HTTP attempt, bounded in time and bytes, never following a redirect.

Each attempt is sent with ``follow_redirects=False`` (whoever built the httpx
client: a redirect would carry the token headers, and for 307/308 the body, to
another host), streamed, and read with two bounds:

- **time**: the whole attempt (connect, send, wait, the full body) ends by its
  deadline, ``timeout=`` seconds after it began (:mod:`._deadlines`). httpx's own
  timeouts bound each read; a server sending one byte a second would pass them for
  ever.
- **bytes**: the body may hold at most ``max_response_bytes`` once decoded (gzip
  and deflate are decoded here, a bounded piece at a time, so a gzip bomb costs
  no more memory than the cap). Past it, reading stops and the connection closes.

A socket is shut only while the attempt that owns it still holds its connection:
the body is read from httpx's response stream (not ``iter_raw``, which hands the
connection back to the pool as it reads the last chunk), the attempt leaves the
watchdog (waiting for a fire under way) and only then is the response closed. A
connection that a deadline shut, or that holds bytes past its response (an answer
sent ahead, which the next call would take for its own), is closed rather than
pooled (:func:`._connection.keep_or_drop`).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._connection import WRITER, keep_or_drop
from ._deadlines import AttemptDeadlineExceeded, _AsyncAttempt, _deadlines_for, _SyncAttempt
from ._exceptions import InvalidResponseError, ResponseTooLargeError

if TYPE_CHECKING:
    pass  # at run time, imported by the first async attempt (~20 ms otherwise)

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


# The small records of this module (and of _request, _pacing) are plain slotted
# classes, not dataclasses: @dataclass builds its methods with exec() at import,
# ~0.75 ms a class, and the package's import time is a goal of issue 11.


class Limits:
    """What bounds one attempt: ``seconds`` as a whole (None: httpx's phases only)."""

    __slots__ = ("max_bytes", "seconds")

    def __init__(self, seconds: float | None, max_bytes: int) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes

    def __repr__(self) -> str:
        return f"Limits(seconds={self.seconds!r}, max_bytes={self.max_bytes!r})"

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


class Progress:
    """What one attempt got before it failed: the status and request id of a response
    whose body was then cut (so the error can name them)."""

    __slots__ = ("request_id", "status_code")

    def __init__(self) -> None:
        self.status_code: int | None = None
        self.request_id: str | None = None

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


class RawResponse:
    """One attempt's answer, read whole."""

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code = status_code
        self.headers = headers  # header_fields(): lower-case names
        self.body = body


class _BodyReader:
    """Decodes Content-Encoding piece by piece, never holding more than ``limit`` bytes."""

    def __init__(self, headers: dict[str, str], limit: int, status: int) -> None:
        self._headers = headers
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

    def response(self) -> RawResponse:
        """The answer, its body read whole (see :meth:`finish`)."""
        return RawResponse(self._status, self._headers, self.finish())


def _reader_for(response: httpx.Response, limits: Limits, progress: Progress | None) -> _BodyReader:
    """The reader of ``response``'s body: its headers read once (``header_fields``),
    and its status and request id noted in ``progress`` first, so that an error
    while reading can name them. Shared by the sync and async attempts."""
    fields = header_fields(response.headers)
    status = response.status_code
    if progress is not None:
        progress.saw(status, fields.get("x-request-id"))
    return _BodyReader(fields, limits.max_bytes, status)


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
    response: httpx.Response | None = None
    outer = WRITER.attempt  # a call made from inside another's (an event hook's)
    try:
        request = http.build_request("POST", url, content=body, **options)
        if attempt:
            # httpx copies the extensions it is given: hand the request's own dict
            # to the attempt, so that the trace can take itself off (_stop_tracing).
            request.extensions["trace"] = attempt.trace
            attempt.extensions = request.extensions
        WRITER.attempt = attempt  # a tapped stream tells it before it writes
        response = http.send(request, stream=True, follow_redirects=False)
        try:
            if attempt:
                attempt.request_sent = True
                attempt.track_response(response)
            reader = _reader_for(response, limits, progress)
            if attempt:
                attempt.check()
            if response.is_stream_consumed:
                reader.whole(response.content)
            else:
                for chunk in _sync_stream(response):
                    reader.feed(chunk)
                    if attempt:
                        attempt.check()
            return reader.response()
        finally:
            if attempt:
                attempt.done()  # before response.close() hands the connection back
            keep_or_drop(response, drop=attempt is not None and attempt.fired)
            response.close()
    except httpx.TransportError as exc:
        if attempt and (attempt.fired or time.monotonic() >= attempt.deadline):
            raise AttemptDeadlineExceeded(attempt.seconds, attempt.request_sent) from exc
        raise
    finally:
        WRITER.attempt = outer
        if attempt and response is None:  # no answer: done() was not reached above
            attempt.done()


def _sync_stream(response: httpx.Response) -> httpx.SyncByteStream:
    """The response's raw stream, read here rather than through ``iter_raw``: that
    closes the response (and hands its connection back to the pool) as soon as the
    last chunk is read, before the attempt is off the watchdog."""
    stream = response.stream
    if not isinstance(stream, httpx.SyncByteStream):
        raise RuntimeError("a sync client's response has an async stream")
    return stream


def _async_stream(response: httpx.Response) -> httpx.AsyncByteStream:
    """As :func:`_sync_stream`: the connection stays this attempt's until it is checked."""
    stream = response.stream
    if not isinstance(stream, httpx.AsyncByteStream):
        raise RuntimeError("an async client's response has a sync stream")
    return stream


async def _receive_async(
    http: httpx.AsyncClient,
    request: httpx.Request,
    limits: Limits,
    progress: Progress | None,
    attempt: _AsyncAttempt,
) -> RawResponse:
    response = await http.send(request, stream=True, follow_redirects=False)
    attempt.sent = True
    try:
        reader = _reader_for(response, limits, progress)
        if response.is_stream_consumed:
            reader.whole(response.content)
        else:
            async for chunk in _async_stream(response):
                reader.feed(chunk)
        return reader.response()
    finally:
        keep_or_drop(response, drop=False)  # bytes past the answer: not pooled
        await response.aclose()


async def send_async(
    http: httpx.AsyncClient,
    url: httpx.URL,
    body: bytes,
    options: Mapping[str, Any],
    limits: Limits,
    progress: Progress | None = None,
) -> RawResponse:
    """POST ``body`` once; the answer read whole within ``limits`` (the loop's
    :class:`_LoopDeadlines`, or an anyio cancel scope under another event loop)."""
    request = http.build_request("POST", url, content=body, **options)
    attempt = _AsyncAttempt(request.extensions)
    request.extensions["trace"] = attempt.trace
    seconds = limits.seconds
    if not seconds:
        return await _receive_async(http, request, limits, progress, attempt)
    import asyncio  # loaded by now (an event loop runs); not a module-level import

    try:
        task = asyncio.current_task()
    except RuntimeError:  # no asyncio loop running
        task = None
    if task is None:  # not asyncio (trio...): anyio's cancel scope
        import anyio  # here, not at module level: the sync client does not need it

        result: RawResponse | None = None
        with anyio.move_on_after(seconds):
            result = await _receive_async(http, request, limits, progress, attempt)
        if result is None:
            raise AttemptDeadlineExceeded(seconds, attempt.sent) from None
        return result
    loop = task.get_loop()
    deadlines = _deadlines_for(loop)
    if deadlines is None:
        try:
            async with asyncio.timeout(seconds):
                return await _receive_async(http, request, limits, progress, attempt)
        except TimeoutError:
            raise AttemptDeadlineExceeded(seconds, attempt.sent) from None
    attempt.task = task
    attempt.deadline = loop.time() + seconds
    cancelling = task.cancelling()
    deadlines.watch(attempt, loop)
    try:
        result = await _receive_async(http, request, limits, progress, attempt)
    except asyncio.CancelledError:
        # Ours alone (no one else cancelled the task meanwhile): the deadline.
        if attempt.fired and task.uncancel() <= cancelling:
            raise AttemptDeadlineExceeded(seconds, attempt.sent) from None
        raise
    finally:
        deadlines.unwatch(attempt)
    if attempt.fired:
        task.uncancel()  # fired as the answer completed, and swallowed: forget it
    return result
