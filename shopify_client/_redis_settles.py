"""Settles deferred so that a call over Redis costs one round trip, not two.

A call paced over Redis reserves before it is sent and settles after its answer
(learn its cost, re-read the bucket, give back what it did not spend). Sent as they
happen, that is two round trips a call. Instead, :meth:`Settles.put` keeps the
settle, and the limiter's next command to Redis (the reserve of its next call,
from any thread or task of the process) carries every settle kept so far, applied
by the same script before it reserves (``_redis_scripts.PACE``): the steady path is
one round trip a call.

A settle is never kept for long: when no command comes within
:data:`SETTLE_DELAY`, it is sent on its own, off the caller's path:

* settled by sync code: by a daemon thread of the limiter (started on demand, gone
  after :data:`IDLE_EXIT` seconds without settles);
* settled by a task: by a timer on its event loop, then a task of that loop;
* at the latest when a client closes (``close()``, ``aclose()``: :meth:`flush`),
  and at interpreter exit (:func:`atexit`) for a limiter that can talk to Redis
  from sync code.

What is lost if none of these runs (a process killed, a loop closed without
``aclose()`` on a limiter given only a ``redis.asyncio.Redis``) is what a process
that died mid-call loses: its reservations stay counted until their lease ends.

While a settle waits, Redis counts its call as still in flight: other processes see
a little less room for those milliseconds, never more.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import ClassVar

__all__ = ["IDLE_EXIT", "MAX_BATCH", "SETTLE_DELAY", "Entry", "Settles"]

#: seconds a settle waits for the limiter's next command before it is sent alone
SETTLE_DELAY = 0.002
#: seconds without settles after which the flushing thread ends (started again on demand)
IDLE_EXIT = 1.0
#: the most settles one command carries (more wait for the next)
MAX_BATCH = 64

#: one settle: its learned-costs key, its fields packed for the script, and when its
#: answer came (monotonic: the command sends the answer's age, see _redis_scripts)
Entry = tuple[str, str, float]


class Settles:
    """The settles one limiter keeps until its next command (thread- and task-safe).

    ``send``: sends a batch from sync code (None: the limiter has no sync client);
    ``send_async``: from a task.
    """

    _live: ClassVar[weakref.WeakSet[Settles]] = weakref.WeakSet()

    def __init__(
        self,
        send: Callable[[list[Entry]], None] | None,
        send_async: Callable[[list[Entry]], Awaitable[None]],
        wait: float,
    ) -> None:
        self._send, self._send_async = send, send_async
        self._wait = wait  # the longest flush() waits for a batch the thread is sending
        self._cond = threading.Condition(threading.Lock())
        self._pending: list[Entry] = []
        self._since = 0.0  # monotonic: when the oldest pending settle was kept
        self._thread: threading.Thread | None = None
        self._idle = False  # the thread waits to be told of a settle
        self._sending = 0  # batches the thread is sending
        self._timers: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pid = os.getpid()
        if send is not None:
            Settles._live.add(self)

    def __len__(self) -> int:
        return len(self._pending)

    def _forked(self) -> None:
        """In a child process: the parent's settles are the parent's to send."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._pending, self._thread, self._idle, self._sending = [], None, False, 0
            self._cond = threading.Condition(threading.Lock())
            self._timers = weakref.WeakSet()
            self._tasks = set()

    # -- keeping -------------------------------------------------------------------------

    def put(self, entry: Entry, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Keep a settle for the next command; sent within SETTLE_DELAY if none comes:
        by the thread (``loop`` None, from sync code), else by a timer on ``loop``."""
        self._forked()
        with self._cond:
            if not self._pending:
                self._since = time.monotonic()
            self._pending.append(entry)
            if loop is None and self._send is not None:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="shopify_client-settles", daemon=True
                    )
                    self._thread.start()
                elif self._idle:
                    self._cond.notify()
                return
        if loop is None:
            return  # no sync client and no loop: the next command, or flush(), sends it
        if loop not in self._timers:
            self._timers.add(loop)
            with contextlib.suppress(RuntimeError):  # a closed loop: the next command sends it
                try:
                    running = asyncio.get_running_loop()
                except RuntimeError:
                    running = None
                if running is loop:
                    loop.call_later(SETTLE_DELAY, self._due, loop)
                else:
                    loop.call_soon_threadsafe(loop.call_later, SETTLE_DELAY, self._due, loop)

    def take(self, limit: int = MAX_BATCH) -> list[Entry]:
        """The settles kept so far (at most ``limit``), for a command to carry."""
        if not self._pending:  # unlocked: one kept just now goes with the next command
            return []
        self._forked()
        with self._cond:
            batch, self._pending = self._pending[:limit], self._pending[limit:]
            if self._pending:
                self._since = time.monotonic()
        return batch

    def give_back(self, batch: list[Entry]) -> None:
        """Settles a command could not carry after all (see the limiter's faults)."""
        with self._cond:
            if not self._pending:
                self._since = time.monotonic()
            self._pending[:0] = batch

    # -- sending when no command comes ------------------------------------------------------

    def _run(self) -> None:
        """The thread: told of a settle when it sleeps, it looks again once that one
        is due, and sends what is due then. Told at most once per SETTLE_DELAY, not
        once per settle (each telling costs the caller a thread switch)."""
        send = self._send
        assert send is not None
        cond = self._cond
        while True:
            with cond:
                if not self._pending:
                    self._idle = True
                    told = cond.wait(IDLE_EXIT)
                    self._idle = False
                    if not told and not self._pending:
                        self._thread = None
                        return
                # due: the settle it was told of (even if a command took it since)
                left = self._since + SETTLE_DELAY - time.monotonic()
                if left > 0:
                    cond.wait(left)  # nobody tells it now (not idle)
                if not self._pending or self._since + SETTLE_DELAY > time.monotonic():
                    continue  # taken meanwhile (sleep until told), or a younger one
                batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
                if self._pending:
                    self._since = time.monotonic() - SETTLE_DELAY  # due at once too
                self._sending += 1
            try:
                send(batch)
            finally:
                with cond:
                    self._sending -= 1
                    cond.notify_all()

    def _due(self, loop: asyncio.AbstractEventLoop) -> None:
        """A loop's timer: send what waited SETTLE_DELAY, look again later if younger."""
        if not self._pending:
            self._timers.discard(loop)
            return
        left = self._since + SETTLE_DELAY - time.monotonic()
        if left > 0:
            loop.call_later(left, self._due, loop)
            return
        batch = self.take()
        if self._pending:
            loop.call_soon(self._due, loop)
        else:
            self._timers.discard(loop)
        task = loop.create_task(self._send_batch(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_batch(self, batch: list[Entry]) -> None:
        try:
            await self._send_async(batch)
        except asyncio.CancelledError:  # the loop is ending: the next command, or exit
            self.give_back(batch)
            raise

    # -- at once -----------------------------------------------------------------------------

    def flush(self) -> None:
        """Send every kept settle now, from sync code (a client's ``close()``), and wait
        for a batch the thread is sending (within the command timeout)."""
        self._forked()
        if self._send is not None:
            while batch := self.take():
                self._send(batch)
        deadline = time.monotonic() + self._wait
        with self._cond:
            while self._sending and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)

    async def flush_async(self) -> None:
        """Send every kept settle now, from a task (a client's ``aclose()``)."""
        self._forked()
        while batch := self.take():
            await self._send_async(batch)
        loop = asyncio.get_running_loop()
        mine = [task for task in self._tasks if task.get_loop() is loop]
        if mine:
            await asyncio.wait(mine, timeout=self._wait)

    @classmethod
    def _at_exit(cls) -> None:
        live = [settles for settles in list(cls._live) if settles._pending]
        if not live:
            return
        # a Redis gone by now is no news worth a WARNING at exit: the leases end
        logging.getLogger("shopify_client").setLevel(logging.ERROR)
        for settles in live:
            with contextlib.suppress(Exception):  # never fail an interpreter's exit
                settles.flush()


atexit.register(Settles._at_exit)
