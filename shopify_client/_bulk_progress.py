"""A ready-made ``progress`` for bulk reads: one line on a terminal, kept up to date.

``run.records(progress=BulkProgress(run))`` shows what a long export is doing::

    ExportProducts gid://shopify/BulkOperation/123: 4.2 of 11.7 MB (36%), 8,100 records, 3.1 MB/s

On a terminal (``file.isatty()``) the line is rewritten in place at most every
``interval`` seconds (0.2) and ended with a newline when the read ends, however it
ends. Elsewhere (a log file, CI) a plain line is written at most every ``every``
seconds (10), and one at the end. It writes nothing but that line: no URL (the signed
one stays out of it), no token. Any callable ``progress(bytes, count)`` can be given
instead; this one is for people watching.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["BulkProgress"]

_MB = 1_000_000


class BulkProgress:
    """``progress=`` for ``records()`` of a bulk query run: bytes
    received (of Shopify's ``fileSize`` once known), records handed out, and the rate.

    ``run``: the handle (its ``query.name``, ``id``, ``state.file_size`` and
    ``records_read`` are read at each update; without it the count given is shown).
    ``file``: where the line goes (default ``sys.stderr``)."""

    def __init__(
        self,
        run: Any = None,
        *,
        file: TextIO | None = None,
        interval: float = 0.2,
        every: float = 10.0,
    ) -> None:
        self.run = run
        self.file = file if file is not None else sys.stderr
        self.interval = interval
        self.every = every
        self._tty = bool(getattr(self.file, "isatty", lambda: False)())
        self._started: float | None = None
        self._last = 0.0
        self._width = 0
        self._shown: tuple[int, int] | None = None
        self._latest = (0, 0)
        self.finished = False

    def __call__(self, received: int, count: int) -> None:
        now = time.monotonic()
        if self._started is None:
            self._started = now
            self._last = now - self.interval - self.every  # the first one is shown
        self._latest = (received, count)
        if self.finished:
            return
        if now - self._last >= (self.interval if self._tty else self.every):
            self._last = now
            self._write(received, count, now, final=False)

    def finish(self) -> None:
        """The read ended (records, or an error): the last figures, and a newline on
        a terminal. Called by ``records()`` itself; only the first call writes."""
        if self.finished:
            return
        self.finished = True
        if self._started is None:
            return  # nothing was received: nothing to say
        received, count = self._latest
        self._write(received, count, time.monotonic(), final=True)

    def line(self, received: int, count: int, elapsed: float) -> str:
        """The text shown for these figures (no line break)."""
        run = self.run
        parts: list[str] = []
        if run is not None:
            name = getattr(getattr(run, "query", None), "name", None)
            parts.append(f"{name} {run.id}" if name else str(run.id))
        state = getattr(run, "state", None)
        total = getattr(state, "file_size", None)
        done = f"{received / _MB:.1f}"
        if isinstance(total, int) and total > 0:
            share = min(100, received * 100 // total)
            figures = f"{done} of {total / _MB:.1f} MB ({share}%)"
        else:
            figures = f"{done} MB"
        records = getattr(run, "records_read", None) if run is not None else None
        shown = records if isinstance(records, int) else count
        figures += f", {shown:,} records"
        if elapsed > 0:
            figures += f", {received / _MB / elapsed:.1f} MB/s"
        return (": ".join([*parts, figures])) if parts else figures

    def _write(self, received: int, count: int, now: float, *, final: bool) -> None:
        assert self._started is not None
        text = self.line(received, count, now - self._started)
        if (received, count) == self._shown and not final:
            return
        self._shown = (received, count)
        try:
            if self._tty:
                pad = " " * max(0, self._width - len(text))
                self.file.write("\r" + text + pad + ("\n" if final else ""))
                self._width = len(text)
            else:
                self.file.write(text + "\n")
            self.file.flush()
        except (OSError, ValueError):  # a closed or broken stream: progress is not worth an error
            self.finished = True

    def __repr__(self) -> str:
        return f"BulkProgress(received={self._latest[0]}, count={self._latest[1]})"
