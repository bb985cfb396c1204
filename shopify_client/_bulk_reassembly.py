"""Reassembling a bulk query's JSONL into root records with child lists.

Shopify writes one JSON object per line; each node of a nested connection is a line
of its own with ``__parentId`` (the ``id`` of its parent). A child comes after its
parent, but directly after it only with ``groupObjects: true``, which is no longer the
default from 2026-01 (https://shopify.dev/changelog/bulk-operations-group-objects-default-changed-to-false;
https://shopify.dev/docs/api/usage/bulk-operations/queries, "Download result data").
So no root is complete before the end of the file.

The lines go, as they arrive, into a ``sqlite3`` database in a temporary file (not a
dict of everything): memory stays at sqlite's page cache plus one root's children,
however large the file. After the last line, an index on the parent id finds each
root's children, in file order. sqlite reads each line's top-level ``__parentId``
(``json_extract``, in C) as it is inserted, and each root's ``id`` when joining; a
child's parent is checked again when it is parsed.

Which connection a child belongs to: its ``__typename`` (the generator selects it on
every nested connection), else the type in its ``gid://shopify/<Type>/<n>`` id; a
parent with one connection needs neither.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._bulk_errors import BulkIncompleteResultError

__all__ = ["BulkConnection", "Reassembler"]

#: sqlite's page cache, in KiB (negative: KiB, not pages): the memory bound of the store
_CACHE_KIB = 8192


@dataclass(frozen=True)
class BulkConnection:
    """One connection a bulk query selects under its parent node.

    ``key``: its field's response key in the record; ``typenames``: the concrete
    types of its nodes; ``children``: the connections its nodes select in turn."""

    key: str
    typenames: frozenset[str]
    children: tuple[BulkConnection, ...] = field(default=())


def _gid_type(value: object) -> str | None:
    if isinstance(value, str) and value.startswith("gid://shopify/"):
        parts = value.split("/")
        if len(parts) >= 5:
            return parts[3]
    return None


class Reassembler:
    """Lines in with :meth:`feed` (any chunking), then :meth:`finish`, then
    :meth:`records`. Close it (or use ``with``) to remove its temporary file."""

    def __init__(
        self,
        connections: tuple[BulkConnection, ...],
        *,
        operation_id: str | None = None,
        directory: str | None = None,
    ) -> None:
        self.connections = connections
        self.operation_id = operation_id
        fd, self.path = tempfile.mkstemp(prefix="shopify-bulk-", suffix=".sqlite3", dir=directory)
        os.close(fd)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "temp_store=FILE",
            f"cache_size=-{_CACHE_KIB}",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE lines (seq INTEGER PRIMARY KEY, parent TEXT, body TEXT)")
        self._db.execute("BEGIN")
        self._pending = b""
        self._finished = False
        #: non-empty lines read, and root lines among them
        self.lines = 0
        self.roots = 0

    # -- in -----------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        if self._finished:
            raise RuntimeError("Reassembler.feed after finish")
        data = self._pending + chunk if self._pending else chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            self._pending = data
            return
        self._pending = data[cut + 1 :]
        self._insert(data[:cut])

    def _insert(self, complete: bytes) -> None:
        """Whole lines: decoded at once, their parent id read by sqlite's json_extract
        (in C, the top-level ``__parentId`` only) as they are inserted."""
        try:
            text = complete.decode("utf-8")
        except UnicodeDecodeError:
            raise self._error(f"the file is not UTF-8 after line {self.lines}") from None
        rows = [(line,) for line in text.split("\n") if line and not line.isspace()]
        if not rows:
            return
        try:
            self._db.executemany(
                "INSERT INTO lines (parent, body) VALUES (json_extract(?1, '$.__parentId'), ?1)",
                rows,
            )
        except sqlite3.Error:
            for offset, (line,) in enumerate(rows, self.lines + 1):
                self._parse(line, f"line {offset}")
            raise self._error(f"a line after line {self.lines} is not JSON") from None
        self.lines += len(rows)

    def restart(self) -> None:
        """The download starts again from its first byte: forget every line."""
        self._pending = b""
        self._db.execute("DELETE FROM lines")
        self.lines = 0
        self.roots = 0

    def finish(self) -> None:
        """The file is complete: store what is left and index the children."""
        if self._finished:
            return
        if self._pending:
            self._insert(self._pending)
            self._pending = b""
        self._db.execute("COMMIT")
        (self.roots,) = self._db.execute(
            "SELECT count(*) FROM lines WHERE parent IS NULL"
        ).fetchone()
        if self.connections:
            self._db.execute(
                "CREATE INDEX children ON lines (parent, seq) WHERE parent IS NOT NULL"
            )
        self._finished = True

    # -- out ----------------------------------------------------------------------

    def records(self) -> Iterator[dict[str, Any]]:
        """Every root, in file order, with its connections as lists of children (in
        file order). Raises BulkIncompleteResultError at the end if some child had no
        parent in the file, and for a line that is not a JSON object."""
        if not self._finished:
            raise RuntimeError("Reassembler.records before finish")
        self._used = 0
        if not self.connections:
            rows = self._db.execute("SELECT body FROM lines WHERE parent IS NULL ORDER BY seq")
            for number, (body,) in enumerate(rows, 1):
                yield self._parse(body, f"root {number}")
            return
        # One pass in C: each root (file order) joined to its children (file order)
        # through the index on the parent id; json_extract reads the root's id.
        rows = self._db.execute(
            "SELECT r.seq, r.body, c.body FROM lines r LEFT JOIN lines c "
            "ON c.parent = json_extract(r.body, '$.id') "
            "WHERE r.parent IS NULL ORDER BY r.seq, c.seq"
        )
        current: int | None = None
        root_body = ""
        children: list[str] = []
        try:
            for seq, body, child in rows:
                if seq != current:
                    if current is not None:
                        yield self._build(root_body, children)
                    current, root_body, children = seq, body, []
                if child is not None:
                    children.append(child)
        except sqlite3.Error:
            raise self._error("a root line is not JSON") from None
        if current is not None:
            yield self._build(root_body, children)
        orphans = self.lines - self.roots - self._used
        if orphans:
            raise self._error(
                f"{orphans} child line(s) name a parent that is not in the file "
                "(or a child of a connection the query does not select)"
            )

    def _parse(self, body: str | bytes, where: str) -> dict[str, Any]:
        try:
            value = json.loads(body)
        except ValueError:
            raise self._error(f"{where} of the result is not JSON") from None
        if not isinstance(value, dict):
            raise self._error(f"{where} of the result is not a JSON object")
        return value

    def _parse_all(self, bodies: list[str], parent_id: str) -> list[dict[str, Any]]:
        """The children of one parent, parsed by one json.loads (a JSON array)."""
        try:
            values = json.loads("[" + ",".join(bodies) + "]")
        except ValueError:
            values = [self._parse(b, f"a child of {parent_id}") for b in bodies]
        if len(values) != len(bodies) or not all(isinstance(v, dict) for v in values):
            # "a,b" inside one body would parse as two: read them one by one
            values = [self._parse(b, f"a child of {parent_id}") for b in bodies]
        return values  # type: ignore[no-any-return]

    def _build(self, body: str, children: list[str]) -> dict[str, Any]:
        record = self._parse(body, "a root")
        self._fill(record, self.connections, children)
        return record

    def _fill(
        self, parent: dict[str, Any], connections: tuple[BulkConnection, ...], bodies: list[str]
    ) -> None:
        for connection in connections:
            parent[connection.key] = []
        if not bodies:
            return
        parent_id = parent.get("id")
        if not isinstance(parent_id, str):
            return  # nothing joined: its children are counted as orphans
        self._used += len(bodies)
        for child in self._parse_all(bodies, parent_id):
            if child.pop("__parentId", None) != parent_id:
                raise self._error(f"a child of {parent_id} names another parent when parsed")
            connection = self._pick(connections, child, parent_id)
            if connection.children:
                self._attach(child, connection.children)
            parent[connection.key].append(child)

    def _attach(self, parent: dict[str, Any], connections: tuple[BulkConnection, ...]) -> None:
        """A second level: the children of a child, by one indexed query."""
        parent_id = parent.get("id")
        bodies: list[str] = []
        if isinstance(parent_id, str):
            bodies = [
                body
                for (body,) in self._db.execute(
                    "SELECT body FROM lines WHERE parent = ? ORDER BY seq", (parent_id,)
                )
            ]
        self._fill(parent, connections, bodies)

    def _pick(
        self, connections: tuple[BulkConnection, ...], child: dict[str, Any], parent_id: str
    ) -> BulkConnection:
        if len(connections) == 1:
            return connections[0]
        typename = child.get("__typename")
        if not isinstance(typename, str):
            typename = _gid_type(child.get("id"))
        for connection in connections:
            if typename in connection.typenames:
                return connection
        raise self._error(
            f"a child of {parent_id} (type {typename or 'unknown'}) fits none of its "
            f"connections ({', '.join(c.key for c in connections)})"
        )

    def _error(self, message: str) -> BulkIncompleteResultError:
        return BulkIncompleteResultError(
            f"bulk result of {self.operation_id or 'the operation'}: {message}",
            operation_id=self.operation_id,
            status="COMPLETED",
        )

    # -- lifecycle ----------------------------------------------------------------

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    def __enter__(self) -> Reassembler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
