"""The bulk store's two threads: sqlite works while Python parses.

``sqlite3`` releases the GIL while sqlite steps a statement, so the store's inserts
(during the download) and its join (after it) run beside the Python work of sorting
lines and validating records, on a second core where there is one:

- :class:`Writer` runs the store's ``executemany`` batches, in order, in a thread of
  its own; the queue between is bounded (a few batches: memory stays flat);
- :class:`Prefetch` steps one query in a thread of its own and hands its rows over in
  batches, through a bounded queue.

Neither waits without a bound on a thread that has ended: the writer drains its queue
until it is told to stop (after an error it drops what is left), and the prefetch
thread gives up a full queue when it is stopped. Only one thread uses the connection
at a time: the writer's batches end (:meth:`Writer.drain`) before the join starts.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["Prefetch", "Writer"]

#: batches waiting between the threads
_QUEUED = 4
#: seconds between looks at the stop flag while a queue is full
_POLL = 0.05


class Writer:
    """``executemany`` batches (and other store calls), in order, in a second thread."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._queue: queue.Queue[Callable[[], object] | None] = queue.Queue(maxsize=_QUEUED)
        self._thread: threading.Thread | None = None
        self._failed: BaseException | None = None
        self._cancelled = False

    def insert(self, sql: str, rows: list[Any]) -> None:
        self.call(lambda: self._db.executemany(sql, rows))

    def call(self, work: Callable[[], object]) -> None:
        self.raise_failure()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="shopify-bulk-store", daemon=True
            )
            self._thread.start()
        self._queue.put(work)

    def _run(self) -> None:
        while True:
            work = self._queue.get()
            if work is None:
                return
            if self._failed is not None or self._cancelled:
                continue  # drained, not run
            try:
                work()
            except BaseException as exc:  # handed to the caller's thread
                self._failed = exc

    def drain(self) -> None:
        """Wait for every batch queued so far; raise the first one's failure."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()
        self.raise_failure()

    def cancel(self) -> None:
        """Drop what is queued and end the thread (the store is being closed)."""
        self._cancelled = True
        thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def raise_failure(self) -> None:
        failed, self._failed = self._failed, None
        if failed is not None:
            raise failed


class Prefetch:
    """The rows of ``sql``, stepped in a second thread, in batches of ``batch``."""

    def __init__(self, db: sqlite3.Connection, sql: str, batch: int = 512) -> None:
        self._db = db
        self._sql = sql
        self._batch = batch
        self._queue: queue.Queue[list[Any] | BaseException] = queue.Queue(maxsize=_QUEUED)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shopify-bulk-read", daemon=True)

    def _put(self, item: list[Any] | BaseException) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            cursor = self._db.execute(self._sql)
            while not self._stop.is_set():
                rows = cursor.fetchmany(self._batch)
                if not self._put(rows) or not rows:
                    break
            cursor.close()
        except BaseException as exc:  # handed to the reading thread
            self._put(exc)

    def __iter__(self) -> Iterator[list[Any]]:
        self._thread.start()
        try:
            while True:
                item = self._queue.get()
                if isinstance(item, BaseException):
                    raise item
                if not item:
                    return
                yield item
        finally:
            self.stop()

    def stop(self) -> None:
        """End the thread (it stops at its next batch) and wait for it."""
        self._stop.set()
        if self._thread.is_alive() or self._thread.ident is not None:
            while self._thread.is_alive():
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    self._thread.join(_POLL)
