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

from ._bulk_mutation_errors import BulkMutationLinesError

__all__ = ["MAX_NAMED", "ResultStore"]

_CACHE_KIB = 2048
#: how many missing / duplicated lines an error names
MAX_NAMED = 100


class ResultStore:
    """Lines in with :meth:`feed` (any chunking) and :meth:`finish`; then
    :meth:`check` and :meth:`rows`. :meth:`close` removes the file."""

    def __init__(self, *, directory: str | None = None) -> None:
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
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE results (seq INTEGER PRIMARY KEY, line, body TEXT)")
        self._db.execute("BEGIN")
        self._pending = b""
        self.lines = 0

    def feed(self, chunk: bytes) -> None:
        data = self._pending + chunk if self._pending else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            self._pending = data
            return
        self._pending = data[cut + 1 :]
        self._insert(data[:cut])

    def restart(self) -> None:
        """The storage host sent the file again from its start."""
        self._db.execute("DELETE FROM results")
        self._pending = b""
        self.lines = 0

    def _insert(self, complete: bytes) -> None:
        text = complete.decode("utf-8", errors="replace")
        rows = [(line,) for line in text.split("\n") if line and not line.isspace()]
        if not rows:
            return
        try:
            self._db.executemany(
                "INSERT INTO results (line, body) VALUES "
                "(CASE WHEN json_valid(?1) THEN json_extract(?1, '$.__lineNumber') END, ?1)",
                rows,
            )
        except sqlite3.Error:  # a line json_extract cannot read: stored unnumbered
            for (row,) in rows:
                self._db.execute("INSERT INTO results (line, body) VALUES (NULL, ?)", (row,))
        self.lines += len(rows)

    def finish(self) -> None:
        if self._pending.strip():
            self._insert(self._pending)
        self._pending = b""
        self._db.execute("COMMIT")
        self._db.execute("CREATE INDEX by_line ON results (line)")

    def highest(self) -> int | None:
        row = self._db.execute(
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
        db = self._db
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
            said.append(
                f"{expected - distinct} input lines have no result (lines {_shown(missing)})"
            )
        if duplicated:
            said.append(f"lines {_shown(duplicated)} have more than one result")
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
        for line, body in self._db.execute("SELECT line, body FROM results ORDER BY line"):
            yield int(line), str(body)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _shown(lines: list[int]) -> str:
    text = ", ".join(str(n) for n in lines[:20])
    return text + (", ..." if len(lines) > 20 else "")
