"""Reassembling a bulk query's JSONL into root records with child lists.

Shopify writes one JSON object per line; each node of a nested connection is a line
of its own with ``__parentId`` (the ``id`` of its parent). A child comes after its
parent, but directly after it only with ``groupObjects: true``, which is no longer the
default from 2026-01 (https://shopify.dev/changelog/bulk-operations-group-objects-default-changed-to-false;
https://shopify.dev/docs/api/usage/bulk-operations/queries, "Download result data").
So no root is complete before the end of the file.

The lines go, as they arrive (while the download runs), into a ``sqlite3`` database in
a temporary file (not a dict of everything): memory stays at sqlite's page cache plus
one batch of lines, however large the file. Roots and children go to two tables, in
batches (4,096 lines, 64 rows an INSERT; the children of one parent in a chunk as one
row where a chunk holds several; one transaction, no journal, no fsync; the SQL is in
:mod:`._bulk_sql`). After the last line, an index on the parent id (holding the
children's text too) gives each root's children in file order, and sqlite writes
each root's whole JSON text, its children joined into arrays (``group_concat``, in C).

Each line is parsed once, at the end, by pydantic's JSON parser straight into the
typed record (:meth:`Reassembler.texts` gives a root's JSON text with its connections
as arrays). On the way in, a line is not parsed: its top-level ``__parentId``, ``id``
and ``__typename`` are read from the text, where that is exact. Where children need
no type or id (one connection, the common case), a chunk of compact lines is read at
once by :func:`._bulk_lines.read_compact`, which checks its rules for the whole
chunk in C; any other chunk is read line by line by the rules of
:func:`._bulk_lines.top_string`; any line those rules do not settle (spaces, escapes
in a key, a nested object before the key, a repeated key) is read with ``json.loads``.

Which connection a child belongs to: its ``__typename`` (the generator selects it on
every nested connection), else the type in its ``gid://shopify/<Type>/<n>`` id; a
parent with one connection needs neither.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from . import _bulk_sql as sql
from ._bulk_errors import BulkIncompleteResultError
from ._bulk_lines import (
    NAME_ESCAPE,
    UNSURE,
    LineSplitter,
    child_parts,
    gid_type,
    read_compact,
    root_id,
    top_string,
)

if TYPE_CHECKING:
    import pydantic

ModelT = TypeVar("ModelT", bound="pydantic.BaseModel")

__all__ = [
    "BulkConnection",
    "Child",
    "Parsed",
    "Reassembler",
    "assemble",
    "read_parsed",
    "type_texts",
]

#: lines stored at once (one executemany a table)
_BATCH = 4096

_PARENT = '"__parentId":"'
_ID = '"id":"'
_TYPENAME = '"__typename":"'


@dataclass(frozen=True)
class BulkConnection:
    """One connection a bulk query selects under its parent node.

    ``key``: its field's response key in the record; ``typenames``: the concrete
    types of its nodes; ``children``: the connections its nodes select in turn."""

    key: str
    typenames: frozenset[str]
    children: tuple[BulkConnection, ...] = field(default=())


def _levels(connections: tuple[BulkConnection, ...]) -> Iterator[tuple[BulkConnection, ...]]:
    yield connections
    for connection in connections:
        yield from _levels(connection.children)


class Reassembler:
    """Lines in with :meth:`feed` (any chunking), then :meth:`finish`, then
    :meth:`texts` (JSON text per root) or :meth:`records` (dicts). Close it (or use
    ``with``) to remove its temporary file."""

    def __init__(
        self,
        connections: tuple[BulkConnection, ...],
        *,
        operation_id: str | None = None,
        directory: str | None = None,
    ) -> None:
        self.connections = connections
        self.operation_id = operation_id
        levels = [level for level in _levels(connections) if level]
        #: a child's type is read only where some parent has several connections
        self._typed = any(len(level) > 1 for level in levels)
        #: a child's id is read only where children have children
        self._nested = any(c.children for c in connections)
        #: children need neither type nor id: :func:`read_compact` can read the chunks
        self._compact = bool(connections) and not (self._typed or self._nested)
        self._key_of = {name: c.key for c in connections for name in c.typenames}
        fd, self.path = tempfile.mkstemp(prefix="shopify-bulk-", suffix=".sqlite3", dir=directory)
        os.close(fd)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in sql.PRAGMAS:
            self._db.execute(f"PRAGMA {pragma}")
        for table in sql.TABLES:
            self._db.execute(table)
        self._db.execute("BEGIN")
        self._roots: list[tuple[str | None, str]] = []
        self._kids: list[tuple[str | None, ...]] = []
        #: where children need no type or id: the children of each parent in this
        #: batch, stored as one row (n of them, their bodies joined by commas)
        self._groups: dict[str, list[str]] = {}
        #: roots and children read by read_compact: (id, head), (parent, head)
        self._heads: list[object] = []
        #: their children: (parent, n, the heads of n children joined by "},")
        self._kid_heads: list[object] = []
        self._held = 0
        self._lines = LineSplitter()
        self._finished = False
        #: non-empty lines read, and root lines among them
        self.lines = 0
        self.roots = 0
        self._used = 0

    # -- in -----------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        if self._finished:
            raise RuntimeError("Reassembler.feed after finish")
        complete = self._lines.take(chunk)
        if complete is not None:
            self._insert(complete)

    def _insert(self, complete: bytes) -> None:
        """Whole lines: decoded at once, sorted into roots and children by their text
        (:func:`read_compact` for the whole chunk where it can, else line by line by
        :func:`top_string`), stored by one executemany per table."""
        try:
            text = complete.decode("utf-8")
        except UnicodeDecodeError:
            raise self._error(f"the file is not UTF-8 after line {self.lines}") from None
        lines = text.split("\n")
        # one look at the whole chunk: most have no escaped letter at all
        escapes = "\\u00" in text and NAME_ESCAPE.search(text) is not None
        compact = read_compact(text, lines) if self._compact and not escapes else None
        if compact is None:
            # the two readings hold lines apart: the store gets them in file order
            if self._heads or self._kid_heads:
                self._flush()
            self._insert_lines(lines, escapes)
        else:
            if self._roots or self._groups or self._kids:
                self._flush()
            ids, root_heads, parents, heads = compact
            sql.extend_rows(self._heads, ids, root_heads)
            if len(set(parents)) * 2 > len(parents):
                # mostly one child a parent in this chunk (ungrouped): a row each
                sql.extend_rows(self._kid_heads, parents, [1] * len(parents), heads)
            else:  # the children of one parent in this chunk: one row
                groups: dict[str, list[str]] = {}
                for parent, head in zip(parents, heads, strict=True):
                    group = groups.get(parent)
                    if group is None:
                        groups[parent] = [head]
                    else:
                        group.append(head)
                sql.extend_rows(
                    self._kid_heads,
                    list(groups),
                    [len(h) for h in groups.values()],
                    ["},".join(h) for h in groups.values()],
                )
            self.roots += len(ids)
            self.lines += len(lines)
            self._held += len(lines)
        if self._held >= _BATCH:
            self._flush()

    def _insert_lines(self, lines: list[str], escapes: bool) -> None:
        """The careful reading, a line at a time (the rules of :func:`top_string`)."""
        roots, kids, groups = self._roots, self._kids, self._groups
        held = len(roots)
        first = number = self.lines
        want_id = bool(self.connections)
        typed, nested = self._typed, self._nested
        wide = typed or nested  # children keep their type and id too
        for line in lines:
            if not line:
                continue
            number += 1
            if line[0] != "{" or line[-1] != "}" or (escapes and NAME_ESCAPE.search(line)):
                if not self._slow(line, number, roots, kids):
                    number -= 1  # a blank line
                continue
            at = line.rfind(_PARENT)
            if at < 0:
                if "__parentId" in line:
                    self._slow(line, number, roots, kids)
                    continue
                if not want_id:
                    roots.append((None, line))
                    continue
                own_id = root_id(line)
                if own_id is UNSURE:
                    self._slow(line, number, roots, kids)
                    continue
                roots.append((own_id, line))
                continue
            parts = child_parts(line, at)
            if parts is None:
                self._slow(line, number, roots, kids)
                continue
            parent, body = parts
            if not wide:
                group = groups.get(parent)
                if group is None:
                    groups[parent] = [body]
                else:
                    group.append(body)
                continue
            child_id = top_string(body, _ID)
            typename = top_string(body, _TYPENAME) if typed else None
            if child_id is UNSURE or typename is UNSURE:
                self._slow(line, number, roots, kids)
                continue
            kind = self._kind(typename or gid_type(child_id)) if typed else None
            kids.append((parent, kind, child_id, body))
        self.roots += len(roots) - held
        self.lines = number
        self._held += number - first

    def _flush(self) -> None:
        """The lines held so far, into the store (one executemany a table)."""
        roots, kids, groups = self._roots, self._kids, self._groups
        heads, kid_heads = self._heads, self._kid_heads
        self._roots, self._kids, self._groups, self._held = [], [], {}, 0
        self._heads, self._kid_heads = [], []
        db = self._db
        try:
            if kid_heads:
                sql.insert_flat(db, "kids (parent, n, body)", 3, kid_heads)
            if heads:
                sql.insert_flat(db, "roots (id, body)", 2, heads)
            # bodies (each ends with "}") to heads: "," joins bodies as "}," joins heads
            if groups:
                sql.insert(
                    db,
                    "kids (parent, n, body)",
                    [(p, len(b), ",".join(b)[:-1]) for p, b in groups.items()],
                )
            if roots:
                sql.insert(db, "roots (id, body)", [(i, sql.root_head(body)) for i, body in roots])
            if kids:  # children that keep their type and id
                sql.insert(
                    db,
                    "kids (parent, kind, id, body)",
                    [(p, k, i, str(b)[:-1]) for p, k, i, b in kids],
                )
        except sqlite3.Error as exc:
            raise self._store_error(exc) from None

    def _store_error(self, exc: sqlite3.Error) -> BulkIncompleteResultError:
        return self._error(
            f"its temporary store ({os.path.dirname(self.path)}) failed: {exc}; "
            "a directory= with room for the file helps"
        )

    def _slow(
        self,
        line: str,
        number: int,
        roots: list[tuple[str | None, str]],
        kids: list[tuple[str | None, ...]],
    ) -> bool:
        """A line the text rules do not settle, parsed and kept (False: a blank line)."""
        parsed = read_parsed(line, number, self._error)
        if parsed is None:
            return False
        if parsed.parent is None:
            roots.append((parsed.id, parsed.body))
            return True
        if not (self._typed or self._nested):
            self._groups.setdefault(parsed.parent, []).append(parsed.body)
            return True
        kind = parsed.typename if parsed.typename is not None else gid_type(parsed.id)
        kids.append(
            (parsed.parent, self._kind(kind) if self._typed else None, parsed.id, parsed.body)
        )
        return True

    def _kind(self, typename: str | None) -> str | None:
        """What the store keeps of a child's type: with one level of connections, the
        key of the connection it fits (so the children of one connection, of all its
        types, stay in file order together), or its type itself (``?`` before it) where
        it fits none; with two levels, its type (its parent's connections decide)."""
        if self._nested or typename is None:
            return typename
        key = self._key_of.get(typename)
        return key if key is not None else "?" + typename

    def restart(self) -> None:
        """The download starts again from its first byte: forget every line."""
        self._lines.clear()
        self._roots, self._kids, self._groups, self._held = [], [], {}, 0
        self._heads, self._kid_heads = [], []
        try:
            self._db.execute("DELETE FROM roots")
            self._db.execute("DELETE FROM kids")
        except sqlite3.Error as exc:
            raise self._store_error(exc) from None
        self.lines = 0
        self.roots = 0

    def finish(self) -> None:
        """The file is complete: store what is left and index the children."""
        if self._finished:
            return
        last = self._lines.rest()
        if last:
            self._insert(last)
        try:
            self._flush()
            self._db.execute("COMMIT")
            if self.connections:
                self._db.execute(sql.INDEX)
        except sqlite3.Error as exc:
            raise self._store_error(exc) from None
        self._finished = True

    # -- out ----------------------------------------------------------------------

    def texts(self) -> Iterator[str]:
        """Every root's JSON text, in file order, with its connections as arrays of its
        children (in file order). Raises BulkIncompleteResultError at the end if some
        child had no parent in the file (or fits none of its parent's connections)."""
        yield from self._texts(sql.ONE)

    def _texts(self, one: str) -> Iterator[Any]:
        """:meth:`texts`, with ``one`` as the query of one connection (:data:`._bulk_sql.ONE`:
        str, :data:`._bulk_sql.ONE_UTF8`: the same text as UTF-8 bytes)."""
        if not self._finished:
            raise RuntimeError("Reassembler.texts before finish")
        self._used = 0
        if not self.connections:
            for (body,) in self._db.execute(f"SELECT {sql.ROOT} FROM roots r ORDER BY seq"):
                yield body
        elif self._nested or not self._in_order(sql.GROUPED):
            yield from self._texts_by_rows()
        elif len(self.connections) == 1 and self._in_order(one):
            yield from self._texts_one(one)
        else:
            yield from self._texts_grouped()
        orphans = self.lines - self.roots - self._used
        if orphans < 0:  # a parent's children counted once for each root of its id
            raise self._error(
                "some root id is in the file more than once (its children were counted "
                f"{-orphans} time(s) too often): Shopify writes each node once"
            )
        if orphans:
            raise self._error(
                f"{orphans} child line(s) name a parent that is not in the file "
                "(or a child of a connection the query does not select)"
            )

    def _in_order(self, query: str) -> bool:
        """group_concat keeps the order its rows come in: this plan gives them in
        (root, kind, file) order, through the index, with no sort of its own. Another
        plan (another sqlite) falls back to reading the rows one by one."""
        plan = " ".join(
            str(row[-1])
            for row in self._db.execute("EXPLAIN QUERY PLAN " + query, (None,) * query.count("?"))
        )
        return "TEMP B-TREE" not in plan and "kids_parent" in plan

    def _texts_one(self, query: str) -> Iterator[str | bytes]:
        used = 0
        opening = f"{json.dumps(self.connections[0].key)}:["
        try:
            for text, count in self._db.execute(query, (opening,)):
                used += count
                yield text
        finally:
            self._used += used

    def _texts_grouped(self) -> Iterator[str]:
        connections = self.connections
        cursor = self._db.execute(sql.GROUPED)
        rows = (row for batch in iter(lambda: cursor.fetchmany(512), []) for row in batch)
        by_key = {c.key: c for c in connections}
        openings = [f"{json.dumps(c.key)}:[" for c in connections]
        current: int | None = None
        body = ""
        parts: dict[str, str] = {}
        for seq, root, kind, joined, count in rows:
            if seq != current:
                if current is not None:
                    yield _with_lists(body, _parts(connections, openings, parts))
                current, body, parts = seq, root, {}
            if count:
                connection = by_key.get(kind) or self._pick(connections, kind, root)
                self._used += count
                parts[connection.key] = joined
        if current is not None:
            yield _with_lists(body, _parts(connections, openings, parts))

    def _texts_by_rows(self) -> Iterator[str]:
        rows = self._db.execute(
            f"SELECT r.seq, {sql.ROOT}, c.kind, c.id, {sql.CHILD} FROM roots r LEFT JOIN kids c "
            "ON c.parent = r.id ORDER BY r.seq, c.seq"
        )
        current: int | None = None
        body = ""
        children: list[Child] = []
        for seq, root, kind, child_id, child in rows:
            if seq != current:
                if current is not None:
                    yield self._build(body, self.connections, children)
                current, body, children = seq, root, []
            if child is not None:
                children.append((kind, child_id, child))
        if current is not None:
            yield self._build(body, self.connections, children)

    def _build(
        self, body: str, connections: tuple[BulkConnection, ...], children: list[Child]
    ) -> str:
        text, used = assemble(body, connections, children, self._grandchildren, self._pick)
        self._used += used
        return text

    def _grandchildren(self, child_id: str) -> list[Child]:
        return list(
            self._db.execute(
                f"SELECT kind, id, {sql.CHILD} FROM kids c WHERE parent = ? ORDER BY seq",
                (child_id,),
            )
        )

    def _pick(
        self, connections: tuple[BulkConnection, ...], kind: str | None, parent: str
    ) -> BulkConnection:
        for connection in connections:
            if kind in connection.typenames:
                return connection
        kind = kind[1:] if kind is not None and kind.startswith("?") else kind
        parent_id = top_string(parent, _ID) or "a parent"
        raise self._error(
            f"a child of {parent_id} (type {kind or 'unknown'}) fits none of its "
            f"connections ({', '.join(c.key for c in connections)})"
        )

    def typed(
        self,
        model: type[ModelT],
        misfit: Callable[[pydantic.ValidationError], Exception] | None = None,
        *,
        skip: int = 0,
    ) -> Iterator[ModelT]:
        """:meth:`texts`, each parsed and validated at once by pydantic's JSON parser
        into ``model`` (the line's one parse). Text that is not JSON is a
        BulkIncompleteResultError; a misfit is ``misfit(error)`` (default: the
        ValidationError itself). ``skip``: the first ``skip`` roots are neither
        parsed nor yielded (their children are still checked)."""
        texts: Iterator[Any] = self._texts(sql.ONE_UTF8)
        if skip:
            texts = itertools.islice(texts, skip, None)
        yield from type_texts(texts, model, misfit, self.not_json, start=skip)

    def records(self) -> Iterator[dict[str, Any]]:
        """:meth:`texts`, parsed: every root as a dict, its connections as lists."""
        for number, text in enumerate(self.texts(), 1):
            yield self.parse(text, number)

    def parse(self, text: str, number: int) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except ValueError:
            raise self.not_json(number) from None
        if not isinstance(value, dict):
            raise self._error(f"root {number} of the result is not a JSON object")
        return value

    def not_json(self, number: int) -> BulkIncompleteResultError:
        """Root ``number`` (counted from 1), or one of its children, is not JSON."""
        return self._error(f"root {number} of the result, or a child of it, is not JSON")

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


def _parts(
    connections: tuple[BulkConnection, ...], openings: list[str], joined: dict[str, str]
) -> list[str]:
    return [o + joined.get(c.key, "") + "]" for c, o in zip(connections, openings, strict=True)]


def _with_lists(body: str, parts: list[str]) -> str:
    """``body`` (a JSON object's text, ``{`` to ``}``) with ``parts`` (``"key":[...]``)
    added as its last members (a repeated key: the last one counts, in every parser
    used here)."""
    if not parts:
        return body
    if body[-2] not in "{ \t\r":  # the common case: a compact, non-empty object
        return body[:-1] + "," + ",".join(parts) + "}"
    head = body[:-1].rstrip()
    glue = "" if head.endswith("{") else ","
    return head + glue + ",".join(parts) + "}"


#: a child as the store gives it back: (its kind, its id, its body)
Child = tuple[str | None, str | None, str]


class Parsed(NamedTuple):
    """A line read by ``json.loads``: its top-level ``__parentId`` (None: a root),
    ``id`` and ``__typename`` where they are strings, and its body (the object's
    compact text, without ``__parentId``)."""

    parent: str | None
    id: str | None
    typename: str | None
    body: str


def read_parsed(line: str, number: int, error: Callable[[str], Exception]) -> Parsed | None:
    """Line ``number``, one the text rules do not settle, parsed (None: a blank line);
    ``error(message)`` is raised for a line that is not a JSON object."""
    if line.isspace():
        return None
    try:
        value = json.loads(line)
    except ValueError:
        raise error(f"line {number} of the result is not JSON") from None
    if not isinstance(value, dict):
        raise error(f"line {number} of the result is not a JSON object")
    raw_id, raw_type = value.get("id"), value.get("__typename")
    own_id = raw_id if isinstance(raw_id, str) else None
    typename = raw_type if isinstance(raw_type, str) else None
    if "__parentId" not in value:
        body = line.strip()
        if body[-1] != "}" or body[0] != "{":
            body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return Parsed(None, own_id, typename, body)
    parent = value.pop("__parentId")
    if not isinstance(parent, str):
        raise error(f"line {number} names a parent that is not an id")
    return Parsed(
        parent, own_id, typename, json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    )


def assemble(
    body: str,
    connections: tuple[BulkConnection, ...],
    children: list[Child],
    grandchildren: Callable[[str], list[Child]],
    pick: Callable[[tuple[BulkConnection, ...], str | None, str], BulkConnection],
) -> tuple[str, int]:
    """(a parent's JSON text with its connections as arrays of its children, in the
    order given; the children and grandchildren used). ``grandchildren(id)``: a
    child's own children; ``pick(connections, kind, parent)``: the connection a
    child of that kind fits (or raises)."""
    lists: dict[BulkConnection, list[str]] = {c: [] for c in connections}
    used = len(children)
    for kind, child_id, child in children:
        connection = connections[0] if len(connections) == 1 else pick(connections, kind, body)
        if connection.children:
            grand = grandchildren(child_id) if child_id is not None else []
            child, more = assemble(child, connection.children, grand, grandchildren, pick)
            used += more
        lists[connection].append(child)
    text = _with_lists(body, [f"{json.dumps(c.key)}:[{','.join(lists[c])}]" for c in connections])
    return text, used


def type_texts(
    texts: Iterable[str | bytes],
    model: type[ModelT],
    misfit: Callable[[pydantic.ValidationError], Exception] | None,
    not_json: Callable[[int], Exception],
    *,
    start: int = 0,
) -> Iterator[ModelT]:
    """Each root's text parsed and validated at once by pydantic's JSON parser into
    ``model`` (the line's one parse). Text that is not JSON is ``not_json(number)``
    (roots counted from ``start + 1``); a misfit is ``misfit(error)`` (default: the
    ValidationError itself)."""
    import pydantic
    import pydantic_core

    validate: Callable[[str | bytes], Any] = model.model_validate_json
    for number, text in enumerate(texts, start + 1):
        if number == start + 2:  # the first call built the (deferred) validator: call it
            validator = model.__pydantic_validator__
            if isinstance(validator, pydantic_core.SchemaValidator):
                validate = validator.validate_json
        try:
            record = validate(text)
        except pydantic.ValidationError as exc:
            error: Exception = exc
            if any(e["type"] == "json_invalid" for e in exc.errors(include_input=False)):
                error = not_json(number)
            elif misfit is not None:
                error = misfit(exc)
        else:
            yield record
            continue
        # raised outside the except clause: not chained to the ValidationError
        raise error
