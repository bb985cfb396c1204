"""The deadline of one attempt, sync or async: ``timeout=`` seconds for the whole of it.

Async attempts are cancelled at their deadline by one timer per event loop
(:class:`_LoopDeadlines`; an anyio cancel scope under trio, see
``_transport.send_async``). Sync attempts check the deadline between reads and at
each httpcore phase until the request goes out (connect, TLS: the trace then takes
itself off, see ``_stop_tracing``), and a watchdog thread shuts the socket down at
the deadline, which ends a read blocked on it. The socket is known from the connect
of a new connection, and from the first byte written on a reused one
(:func:`._connection.tap_writes`), so a server that drips its headers on a
kept-alive connection is cut at the deadline too. One corner is left to httpx's
read timeout: the first call of this client on a connection that a caller's
``http_client=`` opened elsewhere (its socket is known once its headers are in).

The watchdog never shuts a connection another call may hold: it fires an attempt
only while that attempt is on its list, and an attempt leaves the list (waiting for
a fire under way, :meth:`_Watchdog.settle`) before its connection goes back to the
pool. Nor an HTTP/2 one, which carries other calls at once.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._connection import tap_writes

if TYPE_CHECKING:
    import asyncio  # at run time, imported by the first async attempt (~20 ms otherwise)

    import httpx

__all__ = ["AttemptDeadlineExceeded"]


class AttemptDeadlineExceeded(Exception):
    """Internal: the attempt ran past its deadline (the client turns it into a TransportError)."""

    def __init__(self, seconds: float, request_sent: bool) -> None:
        super().__init__(f"the attempt took longer than timeout={seconds:g}s")
        self.seconds = seconds
        self.request_sent = request_sent


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
