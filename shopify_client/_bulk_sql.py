"""The bulk store's SQL: its tables, how rows go in, and the queries that give each
root's JSON text back (see :mod:`._bulk_reassembly`).

A table holds heads: an object's text without its last ``}``. A row of ``kids`` holds
``n`` children of one parent: their heads joined by ``},`` (so ``body || '}'`` is
their bodies joined by ``,``, and ``group_concat(body, '},') || '}'`` the bodies of
all a parent's rows).
"""

from __future__ import annotations

import itertools
import sqlite3
from typing import Any

__all__ = [
    "CHILD",
    "GROUPED",
    "INDEX",
    "ONE",
    "ONE_UTF8",
    "PRAGMAS",
    "ROOT",
    "ROWS_PER_INSERT",
    "TABLES",
    "extend_rows",
    "insert",
    "insert_flat",
    "root_head",
]

#: sqlite's page cache, in KiB (negative: KiB, not pages): the memory bound of the store
#: (2 MiB: at 1,000,000 lines 8 MiB made the peak 1.4x the 10,000-line one, and was
#: no faster: the OS keeps the file's pages anyway)
CACHE_KIB = 2048
#: the store is a throw-away file: no journal, no fsync, one writer
PRAGMAS = (
    "journal_mode=OFF",
    "synchronous=OFF",
    "temp_store=FILE",
    "locking_mode=EXCLUSIVE",
    f"cache_size=-{CACHE_KIB}",
)
TABLES = (
    "CREATE TABLE roots (seq INTEGER PRIMARY KEY, id TEXT, body TEXT)",
    "CREATE TABLE kids (seq INTEGER PRIMARY KEY, parent TEXT, kind TEXT, id TEXT, "
    "n INTEGER DEFAULT 1, body TEXT)",
)
#: after the last line; covering (the bodies too): a root's children are read from
#: the index alone, in file order, not fetched row by row from the table. Measured
#: on 100,000 lines: 0.31 s typed against 0.34 s without (0.53x of json.loads against
#: 0.50x); the cost is disk: the store takes about 1.9x the result file, not 1.3x
#: (docs/bulk.md says so, and ``directory=`` puts it where there is room)
INDEX = "CREATE INDEX kids_parent ON kids (parent, kind, seq, n, body)"

#: the bodies back from the heads, in SQL
ROOT = "r.body || '}'"
CHILD = "c.body || '}'"

#: several connections: a row a (root, connection), the children joined by sqlite
GROUPED = (
    f"SELECT r.seq, {ROOT}, c.kind, group_concat({CHILD}, ','), coalesce(sum(c.n), 0) "
    "FROM roots r LEFT JOIN kids c INDEXED BY kids_parent ON c.parent = r.id "
    "GROUP BY r.seq, c.kind ORDER BY r.seq, c.kind"
)

#: one connection: sqlite writes each root's whole text (:func:`_with_lists` in
#: SQL: the root's members, then ``"key":[children]``), in C, a row a root
_ONE_TEXT = (
    "r.body || CASE WHEN r.body = '{' THEN '' ELSE ',' END || ? "
    "|| coalesce(group_concat(c.body, '},') || '}', '') || ']}'"
)
_ONE_FROM = (
    ", coalesce(sum(c.n), 0) "
    "FROM roots r LEFT JOIN kids c INDEXED BY kids_parent ON c.parent = r.id "
    "GROUP BY r.seq ORDER BY r.seq"
)
ONE = f"SELECT {_ONE_TEXT}{_ONE_FROM}"
#: the same text, as the bytes the store holds (a cast to BLOB converts nothing in
#: a UTF-8 database): pydantic parses them with no str made on the way
ONE_UTF8 = f"SELECT CAST({_ONE_TEXT} AS BLOB){_ONE_FROM}"


#: rows an INSERT statement takes at once (one VALUES list): the per-statement work of
#: sqlite and of the sqlite3 module is shared by this many rows (1.7x faster than a
#: row a statement, for lines of ~100 bytes)
ROWS_PER_INSERT = 64


def insert(db: sqlite3.Connection, into: str, rows: list[tuple[Any, ...]]) -> None:
    """``rows`` (all of one width) into ``into`` (``table (columns)``), in order."""
    width = len(rows[0])
    one = "(" + ", ".join("?" * width) + ")"
    full = len(rows) - len(rows) % ROWS_PER_INSERT
    if full:
        # the parameters of ROWS_PER_INSERT rows a statement, flattened in C
        values = itertools.chain.from_iterable(itertools.islice(rows, full))
        db.executemany(
            f"INSERT INTO {into} VALUES " + ", ".join([one] * ROWS_PER_INSERT),
            zip(*[values] * (width * ROWS_PER_INSERT), strict=False),
        )
    if full < len(rows):
        db.executemany(f"INSERT INTO {into} VALUES {one}", rows[full:])


def extend_rows(flat: list[object], *columns: list[Any]) -> None:
    """Rows (one item of each of ``columns``, all of one length) onto ``flat``, the
    parameters of rows one after another: interleaved by slice assignment, in C, with
    no tuple a row."""
    width, start = len(columns), len(flat)
    flat.extend(itertools.repeat(None, width * len(columns[0])))
    for at, column in enumerate(columns):
        flat[start + at :: width] = column


def insert_flat(db: sqlite3.Connection, into: str, width: int, flat: list[object]) -> None:
    """The rows of ``flat`` (:func:`extend_rows`; ``width`` parameters a row) into
    ``into`` (``table (columns)``), in order."""
    one = "(" + ", ".join("?" * width) + ")"
    rows = len(flat) // width
    full = (rows - rows % ROWS_PER_INSERT) * width
    if full:
        values = itertools.islice(flat, full)
        db.executemany(
            f"INSERT INTO {into} VALUES " + ", ".join([one] * ROWS_PER_INSERT),
            zip(*[values] * (width * ROWS_PER_INSERT), strict=False),
        )
    if full < len(flat):
        rest = iter(flat[full:])
        db.executemany(f"INSERT INTO {into} VALUES {one}", zip(*[rest] * width, strict=False))


def root_head(body: str) -> str:
    """A root's body (``{`` to ``}``) as the store keeps it: without its last ``}``,
    and an empty object as ``{`` (so that a connection's list goes in without a comma)."""
    head = body[:-1]
    return "{" if head.rstrip(" \t\r") == "{" else head
