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

Async attempts are cancelled at their deadline by one timer per event loop
(:class:`_LoopDeadlines`; an anyio cancel scope under trio). Sync attempts
check the deadline between reads and at each httpcore phase until the request
goes out (connect, TLS: the trace then takes itself off, see ``_stop_tracing``), and
a watchdog thread shuts the socket down at the deadline, which ends a read blocked
on it. The socket is known from the connect of a new connection, and from the first
byte written on a reused one (:func:`._connection.tap_writes`), so a server that
drips its headers on a kept-alive connection is cut at the deadline too. One corner
is left to httpx's read timeout: the first call of this client on a connection that
a caller's ``http_client=`` opened elsewhere (its socket is known once its headers
are in).

A socket is shut only while the attempt that owns it still holds its connection:
the body is read from httpx's response stream (not ``iter_raw``, which hands the
connection back to the pool as it reads the last chunk), the attempt leaves the
watchdog (waiting for a fire under way) and only then is the response closed. A
connection that a deadline shut, or that holds bytes past its response (an answer
sent ahead, which the next call would take for its own), is closed rather than
pooled (:func:`._connection.keep_or_drop`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import weakref
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._connection import WRITER, keep_or_drop, tap_writes
from ._exceptions import InvalidResponseError, ResponseTooLargeError

if TYPE_CHECKING:
    import asyncio  # at run time, imported by the first async attempt (~20 ms otherwise)

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


class _Watchdog:
    """One daemon thread that runs ``fire()`` on each watched sync attempt still
    running at its deadline: cheaper than a thread (or a timer) per call.

    The hot path takes no lock: :meth:`watch` and :meth:`unwatch` are one dict
    store and one dict pop (each atomic), and a comparison with the time the thread
    will next look. Only an attempt whose deadline is earlier than that time (the
    first one after an idle spell, or a shorter per-call ``timeout=``) wakes the
    thread. While the thread looks at the attempts, ``_wake_at`` is infinite, so
    that an attempt added meanwhile wakes it again (the notify waits for the lock,
    which the thread holds until it sleeps: it cannot be lost).
    """

    _IDLE = float("inf")
    # The longest single sleep: Condition.wait overflows past threading.TIMEOUT_MAX
    # (~292 years), and a phase of httpx.Timeout may be that long or infinite.
    _LONGEST_SLEEP = 3600.0

    def __init__(self) -> None:
        self._reset()
        # A forked child has no watchdog thread (and maybe a lock held at the fork).
        # POSIX only: Windows has no fork (nor os.register_at_fork).
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._active: dict[_SyncAttempt, None] = {}
        self._cond = threading.Condition(threading.Lock())
        # Held while an attempt is taken off and fired: see settle().
        self._firing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wake_at = self._IDLE  # when the thread will next look (inf: it must be woken)

    def watch(self, attempt: _SyncAttempt) -> None:
        self._active[attempt] = None
        if attempt.deadline < self._wake_at:
            with self._cond:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="shopify-client-watchdog", daemon=True
                    )
                    self._thread.start()
                self._cond.notify()

    def unwatch(self, attempt: _SyncAttempt) -> bool:
        """Take ``attempt`` off; False if the watchdog took it first (to fire it).

        Whoever pops the attempt owns it (dict.pop is atomic): the thread fires only
        the attempts it popped itself, so an attempt that ended in time is never fired.
        """
        return self._active.pop(attempt, _GONE) is not _GONE

    def settle(self) -> None:
        """Wait for a fire under way to end (after :meth:`unwatch` found the attempt
        taken): the thread takes an attempt off and fires it under ``_firing``."""
        with self._firing:
            pass

    def _due(self) -> list[_SyncAttempt] | None:
        """The attempts past their deadline (still listed: :meth:`_run` takes each off
        as it fires it), or None after an idle minute (the thread ends). Called with
        the lock held; sleeps until there is work."""
        while True:
            self._wake_at = self._IDLE
            now = time.monotonic()
            attempts = list(self._active.copy())  # dict.copy: atomic against watch()
            due = [a for a in attempts if a.deadline <= now]
            if due:
                return due
            if not attempts:
                if not self._cond.wait(timeout=60.0) and not self._active:
                    self._thread = None  # idle for a minute: end, restart on demand
                    return None
                continue
            self._wake_at = min(a.deadline for a in attempts)
            self._cond.wait(timeout=min(self._wake_at - now, self._LONGEST_SLEEP))

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    due = self._due()
                if due is None:
                    return
                for attempt in due:
                    # Fire only what this thread took off: not an attempt that ended
                    # meanwhile (its connection may be back in the pool, lent to
                    # another call). A watchdog must survive what it stops.
                    with self._firing:
                        if self._active.pop(attempt, _GONE) is not _GONE:
                            with contextlib.suppress(Exception):
                                attempt.fire()
        except BaseException:
            # Whatever ends the thread, the next watch() must start a new one.
            with self._cond:
                if self._thread is threading.current_thread():
                    self._thread = None
                    self._wake_at = self._IDLE
            raise


_GONE: Any = object()  # dict.pop's default: the key was already taken off
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
    watchdog (sync) or the loop's deadline timer (async), and the checks between reads.
    The pool picks the connection before this event, so no connect can follow it.
    """
    extensions.pop("trace", None)


class _SyncAttempt:
    """The deadline of one sync attempt: phase checks (httpcore trace) and the watchdog."""

    __slots__ = ("_streams", "deadline", "extensions", "fired", "request_sent", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.fired = False
        self.request_sent = False
        # No lock: append-then-read-flag here and set-flag-then-copy in fire (each
        # atomic under the GIL) mean every stream is shut down at least once.
        self._streams: list[Any] = []
        self.extensions: dict[str, Any] = {}  # the request's own, set by send_sync
        _WATCHDOG.watch(self)

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
        if stream is None or stream in self._streams:
            return
        tap_writes(stream)  # the next call on this connection learns it as it writes
        self._streams.append(stream)
        if self.fired:
            self._shutdown(stream)

    track = _track  # what a tapped stream calls, before each write of this attempt

    def track_response(self, response: httpx.Response) -> None:
        self._track(response.extensions.get("network_stream"))

    def fire(self) -> None:
        """The deadline passed (the watchdog's thread): end what blocks the attempt."""
        self.fired = True
        for stream in list(self._streams):
            self._shutdown(stream)

    @staticmethod
    def _shutdown(stream: Any) -> None:
        """End whatever read or write is blocked on ``stream``'s socket.

        ``socket.socket.shutdown`` itself, also for a TLS socket: ``SSLSocket.shutdown``
        would drop its SSL object under the reading thread's feet; shutting the
        descriptor makes that read fail cleanly (an httpx ReadError, then ours).

        Never an HTTP/2 connection (a caller's ``http2=True`` client): it carries other
        calls at the same time, which the shutdown would cut. Its reads are bounded by
        httpx's read timeout and the checks between them.
        """
        try:
            tls = stream.get_extra_info("ssl_object")
            if tls is not None and tls.selected_alpn_protocol() == "h2":
                return
            sock = stream.get_extra_info("socket")
            if isinstance(sock, socket.socket):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass

    def done(self) -> None:
        """The attempt ended: off the watchdog, before its connection goes back to the
        pool. If the watchdog took it first (past its deadline, in the gap after the
        last check), its shutdown is under way: wait for it to end, so that it lands
        on this attempt's connection, never on the next call's (the caller then
        drops the connection: ``fired`` is set)."""
        if not _WATCHDOG.unwatch(self):
            _WATCHDOG.settle()


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


class _AsyncAttempt:
    """One async attempt: whether its request may have gone out, and its deadline."""

    __slots__ = ("deadline", "extensions", "fired", "sent", "task")

    def __init__(self, extensions: dict[str, Any]) -> None:
        self.deadline = float("inf")
        self.fired = False
        self.sent = False
        self.task: asyncio.Task[Any] | None = None
        self.extensions = extensions  # the request's own (httpx copied the ones it got)

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event in _SENDING:
            self.sent = True
            _stop_tracing(self.extensions)

    def fire(self) -> None:
        self.fired = True
        if self.task is not None:
            self.task.cancel()


class _LoopDeadlines:
    """The deadlines of every async attempt running on one event loop, behind one timer.

    ``asyncio.timeout`` costs each call a timer handle pushed on the loop's heap and
    cancelled (~5 us, more as cancelled handles pile up). Here an attempt is one dict
    store and one dict pop; the one timer is moved only when an attempt ends earlier
    than it (the first after an idle spell, or a shorter per-call ``timeout=``). At its
    time the timer cancels the tasks past their deadline, as ``asyncio.timeout`` does,
    and is set again for the earliest deadline left.

    It holds no reference to the loop, not even through its timer's handle (which
    refers to the loop): the registry is keyed weakly by the loop, and a value that
    refers to its key keeps it for ever (every ``asyncio.run``'s loop, its selector
    and heap). So the pending timer is not cancelled when an earlier one is set: it
    knows the time it was set for, and does nothing once that is no longer
    ``_when`` (superseded; it is a later time, so it costs one no-op call then).
    """

    def __init__(self) -> None:
        self._active: dict[_AsyncAttempt, None] = {}
        self._when = float("inf")

    def watch(self, attempt: _AsyncAttempt, loop: asyncio.AbstractEventLoop) -> None:
        self._active[attempt] = None
        if attempt.deadline < self._when:
            self._when = attempt.deadline
            loop.call_at(attempt.deadline, self._expire, loop, attempt.deadline)

    def unwatch(self, attempt: _AsyncAttempt) -> None:
        self._active.pop(attempt, None)

    def _expire(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if when != self._when:
            return  # superseded by an earlier timer, which has run or set a new one
        now = loop.time()
        self._when = float("inf")
        upcoming = float("inf")
        for attempt in list(self._active):
            if attempt.deadline <= now:
                del self._active[attempt]
                attempt.fire()
            elif attempt.deadline < upcoming:
                upcoming = attempt.deadline
        if upcoming < self._when:
            self._when = upcoming
            loop.call_at(upcoming, self._expire, loop, upcoming)


_LOOP_DEADLINES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopDeadlines] = (
    weakref.WeakKeyDictionary()
)
_LOOP_DEADLINES_LOCK = threading.Lock()  # loops of several threads may ask at once


def _new_loop_deadlines_lock() -> None:
    """A forked child gets a free lock: one held by another thread at the fork (its
    first call on a new loop) would stay held, and the child's first async call hang."""
    global _LOOP_DEADLINES_LOCK
    _LOOP_DEADLINES_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX only (no fork on Windows)
    os.register_at_fork(after_in_child=_new_loop_deadlines_lock)


def _deadlines_for(loop: asyncio.AbstractEventLoop) -> _LoopDeadlines | None:
    """The loop's deadlines; None for a loop that takes no weak reference (asyncio's
    and uvloop's both do): its attempts use ``asyncio.timeout``."""
    try:
        deadlines = _LOOP_DEADLINES.get(loop)
        if deadlines is None:
            with _LOOP_DEADLINES_LOCK:
                deadlines = _LOOP_DEADLINES.setdefault(loop, _LoopDeadlines())
    except TypeError:
        return None
    return deadlines


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
