"""A bulk mutation part's result file: checked, then read back in input order.

Shopify writes one line per input line, ``{"data": {...}, "__lineNumber": n}`` (or
``"errors"`` for a line that failed as a whole), ``n`` counting the part's input
lines from 0, in no guaranteed order
(https://shopify.dev/docs/api/usage/bulk-operations/imports, "Download the result
data"). The lines go, as they arrive, into a ``sqlite3`` database in a temporary
file (sqlite reads each ``__lineNumber`` with ``json_extract``, in C); memory stays
at sqlite's page cache however large the file. After the last line an index on the
line number lets :meth:`ResultStore.check` find every missing, duplicated or
unexpected line number before anything is yielded, and :meth:`ResultStore.rows`
reads the lines back in input order.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ._bulk_checks import store_error, store_failure
from ._bulk_errors import BulkDownloadError
from ._bulk_mutation_errors import BulkMutationLinesError

if TYPE_CHECKING:
    from ._bulk_state import BulkOperationState

__all__ = ["MAX_NAMED", "MAX_RESULT_LINE_BYTES", "ResultStore"]

_CACHE_KIB = 2048
#: how many missing / duplicated lines an error names
MAX_NAMED = 100
#: the longest result line kept (one mutation's payload is kilobytes): a longer one
#: is counted as a line with an unexpected number, never held in memory
MAX_RESULT_LINE_BYTES = 16 * 1024 * 1024


class ResultStore:
    """Lines in with :meth:`feed` (any chunking) and :meth:`finish`; then
    :meth:`check` and :meth:`rows`. :meth:`close` removes the file."""

    def __init__(
        self,
        *,
        directory: str | None = None,
        operation_id: str = "",
        state: BulkOperationState | None = None,
    ) -> None:
        """A directory that cannot take the store (removed since the start, full,
        read-only), now or while the file comes in, is a BulkDownloadError naming it
        and keeping ``operation_id`` (the part is still at Shopify: resume it)."""
        self._directory = directory
        self._operation_id = operation_id
        self._state = state
        self._pending = bytearray()
        self._overlong = False
        self.lines = 0
        self.path = ""
        self._db: sqlite3.Connection | None = None
        try:
            fd, self.path = tempfile.mkstemp(
                prefix="shopify-bulk-mut-", suffix=".sqlite3", dir=directory
            )
            os.close(fd)
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            for pragma in (
                "journal_mode=OFF",
                "synchronous=OFF",
                "temp_store=FILE",  # the index's sort spills to disk, not to memory
                f"cache_size=-{_CACHE_KIB}",
            ):
                self.db.execute(f"PRAGMA {pragma}")
            self.db.execute("CREATE TABLE results (seq INTEGER PRIMARY KEY, line, body TEXT)")
            self.db.execute("BEGIN")
        except (OSError, sqlite3.Error) as exc:
            reason = store_failure(exc)
        else:
            return
        self.close()
        raise self._failed(reason)

    def _failed(self, reason: str) -> BulkDownloadError:
        return store_error(self._operation_id, self._state, self._directory, reason)

    def feed(self, chunk: bytes) -> None:
        try:
            self._feed(chunk)
        except sqlite3.Error as exc:  # the disk filled up, or the file went away
            reason = store_failure(exc)
        else:
            return
        raise self._failed(reason)

    def _feed(self, chunk: bytes) -> None:
        cut = chunk.rfind(b"\n")
        if cut < 0:
            self._append(chunk)
            return
        head, rest = chunk[:cut], chunk[cut + 1 :]
        if self._pending or self._overlong:  # the line begun in earlier chunks ends here
            end = head.find(b"\n")
            self._append(head if end < 0 else head[:end])
            self._end_pending()
            head = b"" if end < 0 else head[end + 1 :]
        if head:
            self._insert(head)
        self._append(rest)

    def _append(self, data: bytes) -> None:
        """Add to the line not yet ended, at most ``MAX_RESULT_LINE_BYTES`` of it
        (past that the line is only counted, as one over the limit)."""
        if self._overlong or not data:
            return
        if len(self._pending) + len(data) > MAX_RESULT_LINE_BYTES:
            self._overlong = True
            self._pending = bytearray()
            return
        self._pending += data

    def _end_pending(self) -> None:
        if self._overlong:
            self.db.execute(
                "INSERT INTO results (line, body) VALUES (?, '')",
                (f"a line longer than {MAX_RESULT_LINE_BYTES} bytes",),
            )
            self.lines += 1
        elif self._pending:
            self._insert(bytes(self._pending))
        self._pending = bytearray()
        self._overlong = False

    def restart(self) -> None:
        """The storage host sent the file again from its start."""
        self.db.execute("DELETE FROM results")
        self._pending = bytearray()
        self._overlong = False
        self.lines = 0

    def _insert(self, complete: bytes) -> None:
        text = complete.decode("utf-8", errors="replace")
        rows = [(line,) for line in text.split("\n") if line and not line.isspace()]
        if not rows:
            return
        try:
            self.db.executemany(
                "INSERT INTO results (line, body) VALUES "
                "(CASE WHEN NOT json_valid(?1) THEN NULL "
                # true / false: json_extract would read them as 1 / 0
                "WHEN json_type(?1, '$.__lineNumber') IN ('true', 'false') "
                "THEN json_type(?1, '$.__lineNumber') "
                "ELSE json_extract(?1, '$.__lineNumber') END, ?1)",
                rows,
            )
        except sqlite3.Error:  # a line json_extract cannot read: stored unnumbered
            for (row,) in rows:
                self.db.execute("INSERT INTO results (line, body) VALUES (NULL, ?)", (row,))
        self.lines += len(rows)

    def finish(self) -> None:
        try:
            if self._pending.strip() or self._overlong:
                self._end_pending()
            self._pending = bytearray()
            self.db.execute("COMMIT")
            self.db.execute("CREATE INDEX by_line ON results (line)")
        except sqlite3.Error as exc:
            reason = store_failure(exc)
        else:
            return
        raise self._failed(reason)

    @property
    def db(self) -> sqlite3.Connection:
        assert self._db is not None  # set, or __init__ raised
        return self._db

    def highest(self) -> int | None:
        row = self.db.execute(
            "SELECT MAX(line) FROM results WHERE typeof(line) = 'integer'"
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def check(
        self,
        *,
        expected: int,
        first_line: int,
        part: int,
        operation_id: str,
        allow_missing: bool = False,
    ) -> None:
        """Raises :class:`BulkMutationLinesError` unless each of ``0..expected-1``
        is there exactly once (at most once with ``allow_missing``: a partial file)
        and nothing else is."""
        db = self.db
        duplicated = [
            first_line + int(r[0])
            for r in db.execute(
                "SELECT line FROM results WHERE typeof(line) = 'integer' GROUP BY line "
                "HAVING COUNT(*) > 1 ORDER BY line LIMIT ?",
                (MAX_NAMED,),
            )
        ]
        unexpected = [
            str(r[0])[:40]
            for r in db.execute(
                "SELECT COALESCE(CAST(line AS TEXT), 'none') FROM results "
                "WHERE typeof(line) != 'integer' OR line < 0 OR line >= ? LIMIT 10",
                (expected,),
            )
        ]
        missing: list[int] = []
        distinct = db.execute(
            "SELECT COUNT(DISTINCT line) FROM results "
            "WHERE typeof(line) = 'integer' AND line >= 0 AND line < ?",
            (expected,),
        ).fetchone()[0]
        if distinct < expected and not allow_missing:
            wanted = 0
            for (line,) in db.execute(
                "SELECT DISTINCT line FROM results WHERE typeof(line) = 'integer' "
                "AND line >= 0 AND line < ? ORDER BY line",
                (expected,),
            ):
                while wanted < line and len(missing) < MAX_NAMED:
                    missing.append(first_line + wanted)
                    wanted += 1
                wanted = line + 1
                if len(missing) >= MAX_NAMED:
                    break
            while wanted < expected and len(missing) < MAX_NAMED:
                missing.append(first_line + wanted)
                wanted += 1
        if not (missing or duplicated or unexpected):
            return
        said = []
        if missing:
            count = expected - distinct
            said.append(
                f"{_count(count, 'input line')} {'has' if count == 1 else 'have'} no result "
                f"({_lines(missing)})"
            )
        if duplicated:
            repeated = db.execute(
                "SELECT COUNT(*) FROM (SELECT line FROM results WHERE typeof(line) = 'integer' "
                "GROUP BY line HAVING COUNT(*) > 1)"
            ).fetchone()[0]
            said.append(
                f"{_count(repeated, 'input line')} {'has' if repeated == 1 else 'have'} more "
                f"than one result ({_lines(duplicated)})"
            )
        if unexpected:
            said.append(f"results carry unexpected line numbers ({', '.join(unexpected)})")
        raise BulkMutationLinesError(
            f"bulk mutation {operation_id} (part {part}): " + "; ".join(said),
            operation_id=operation_id,
            part=part,
            missing=tuple(missing),
            duplicated=tuple(duplicated),
            unexpected=tuple(unexpected),
        )

    def rows(self) -> Iterator[tuple[int, str]]:
        """(line in the part, body), in input order."""
        for line, body in self.db.execute("SELECT line, body FROM results ORDER BY line"):
            yield int(line), str(body)

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        if self.path:
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _count(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _lines(lines: list[int]) -> str:
    """``line 2`` or ``lines 0, 4, 7``: indexes in the caller's iterable, from 0."""
    return f"line{'' if len(lines) == 1 else 's'} {_shown(lines)}"


def _shown(lines: list[int]) -> str:
    text = ", ".join(str(n) for n in lines[:20])
    return text + (", ..." if len(lines) > 20 else "")
