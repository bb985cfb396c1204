"""Reading a grouped bulk file as it arrives: each root's record as soon as its block ends.

With ``groupObjects: true`` (and in every version before 2025-07, which had no such
argument) Shopify writes each node's children directly after it
(https://shopify.dev/docs/api/usage/bulk-operations/queries, "Download result data"):
a root line, then the lines of its descendants, then the next root. So a root is
complete when the next root line (or the end of the file) comes, and its record can
be typed and yielded while the rest of the file is still on its way: the typing
hides behind the download, and memory holds one root's block, not a store.

:class:`GroupedReader` is the sink of :mod:`._bulk_download` for
``records(stream=True)``: lines in with :meth:`~GroupedReader.feed`, the JSON texts of
the roots completed so far out with :meth:`~GroupedReader.take` (typed by
:func:`._bulk_reassembly.type_texts`, as the store's are). Each line is read by the
same rules as the store's (:mod:`._bulk_lines`, else ``json.loads``) and assembled by
the same function (:func:`._bulk_reassembly.assemble`).

It checks the grouping it relies on: a child line whose parent is not the root of the
current block (or, two levels down, one of that block's children) is a
BulkIncompleteResultError naming the line, since a record already yielded may lack
it. A download that starts again from the first byte (a storage host that ignores
Range) drops the bytes already read instead of reading them twice.
"""

from __future__ import annotations

import json

from ._bulk_errors import BulkIncompleteResultError
from ._bulk_lines import (
    NAME_ESCAPE,
    PARENT,
    UNSURE,
    LineSplitter,
    child_parts,
    gid_type,
    root_id,
    top_string,
)
from ._bulk_reassembly import BulkConnection, Child, Parsed, _with_lists, assemble, read_parsed

__all__ = ["GroupedReader"]

_ID = '"id":"'
_TYPENAME = '"__typename":"'


class GroupedReader:
    """A grouped file's roots, as JSON texts with their connections as arrays, each
    as soon as its block ends. ``skip``: the first ``skip`` roots are counted but
    neither assembled nor handed out (a caller resuming after the records it kept)."""

    def __init__(
        self,
        connections: tuple[BulkConnection, ...],
        *,
        operation_id: str | None = None,
        skip: int = 0,
    ) -> None:
        self.connections = connections
        self.operation_id = operation_id
        #: roots still to skip, of ``skip_count``
        self.skip = self.skip_count = skip
        #: a child's type is read only where some parent has several connections
        self._typed = any(len(c.children) > 1 for c in connections) or len(connections) > 1
        #: a child's id is read only where children have children
        self._nested = any(c.children for c in connections)
        self._wide = self._typed or self._nested
        #: one connection without connections of its own (the common case): its
        #: children's bodies are joined straight into ``"key":[...]``
        self._opening = f"{json.dumps(connections[0].key)}:[" if connections else ""
        self._lines = LineSplitter()
        #: bytes fed since the file's first byte, and bytes of a restarted download
        #: still to drop (already read once)
        self._fed = 0
        self._drop = 0
        self._ready: list[str] = []
        #: the current block: its root (id, body), its children, and (two levels)
        #: the children of each of those, by id
        self._root: tuple[str | None, str] | None = None
        self._kids: list[Child] = []
        self._grand: dict[str, list[Child]] = {}
        self._block_lines = 0
        self._finished = False
        #: non-empty lines read, and root lines among them
        self.lines = 0
        self.roots = 0

    # -- in -----------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        if self._finished:
            raise RuntimeError("GroupedReader.feed after finish")
        if self._drop:
            cut = min(self._drop, len(chunk))
            self._drop -= cut
            chunk = chunk[cut:]
            if not chunk:
                return
        self._fed += len(chunk)
        complete = self._lines.take(chunk)
        if complete is not None:
            self._read(complete)

    def restart(self) -> None:
        """The download starts again from its first byte: the bytes read so far are
        dropped as they come again (the file behind a signed URL does not change)."""
        self._drop = self._fed

    def finish(self) -> None:
        """The file is complete: the last block ends."""
        if self._finished:
            return
        last = self._lines.rest()
        if last:
            self._read(last)
        self._close_block()
        self._finished = True

    # -- out ----------------------------------------------------------------------

    def take(self) -> list[str]:
        """The texts of the roots completed since the last call, in file order."""
        ready, self._ready = self._ready, []
        return ready

    def not_json(self, number: int) -> BulkIncompleteResultError:
        """Root ``number`` (counted from 1), or one of its children, is not JSON."""
        return self._error(f"root {number} of the result, or a child of it, is not JSON")

    # -- the lines ----------------------------------------------------------------

    def _read(self, complete: bytes) -> None:
        try:
            text = complete.decode("utf-8")
        except UnicodeDecodeError:
            raise self._error(f"the file is not UTF-8 after line {self.lines}") from None
        escapes = "\\u00" in text and NAME_ESCAPE.search(text) is not None
        number = self.lines
        for line in text.split("\n"):
            if not line:
                continue
            number += 1
            self.lines = number
            if line[0] != "{" or line[-1] != "}" or (escapes and NAME_ESCAPE.search(line)):
                if not self._slow(line, number):
                    number -= 1  # a blank line (spaces, a lone \r): not an object
                    self.lines = number
                continue
            at = line.rfind(PARENT)
            if at < 0:
                own_id = root_id(line) if self.connections else None
                if own_id is UNSURE or "__parentId" in line:
                    self._slow(line, number)
                else:
                    self._start_block(own_id, line)
                continue
            parts = child_parts(line, at)
            if parts is None:
                self._slow(line, number)
                continue
            parent, body = parts
            if not self._wide:
                root = self._root
                if root is not None and parent == root[0]:
                    self._kids.append((None, None, body))
                    self._block_lines += 1
                else:
                    self._child(parent, None, None, body, number)
                continue
            child_id = top_string(body, _ID)
            typename = top_string(body, _TYPENAME) if self._typed else None
            if child_id is UNSURE or typename is UNSURE:
                self._slow(line, number)
                continue
            self._child(parent, child_id, typename, body, number)

    def _slow(self, line: str, number: int) -> bool:
        """A line the text rules do not settle, parsed (False: a blank line)."""
        parsed: Parsed | None = read_parsed(line, number, self._error)
        if parsed is None:
            return False
        if parsed.parent is None:
            self._start_block(parsed.id, parsed.body)
        else:
            self._child(parsed.parent, parsed.id, parsed.typename, parsed.body, number)
        return True

    def _start_block(self, own_id: str | None, body: str) -> None:
        self._close_block()
        self.roots += 1
        self._root = (own_id, body)
        self._block_lines = 1

    def _child(
        self,
        parent: str,
        child_id: str | None,
        typename: str | None,
        body: str,
        number: int,
    ) -> None:
        if self._root is None:
            raise self._error(f"line {number} is a child of {parent} before any root line")
        kind = typename if typename is not None else gid_type(child_id)
        if parent == self._root[0]:
            self._kids.append((kind, child_id, body))
            if self._nested and child_id is not None:
                self._grand.setdefault(child_id, [])
        elif self._nested and parent in self._grand:
            self._grand[parent].append((kind, child_id, body))
        else:
            raise self._error(
                f"line {number} is a child of {parent}, which is neither the root of its "
                f"block ({self._root[0] or 'a root without id'}) nor a child of that root: "
                "the file is not grouped (children directly after their parent), or the "
                f"line of {parent} is missing. A record already handed out may lack it: read "
                "the file without stream=True (the store takes any order), or start the "
                "query with group_objects=True"
            )
        self._block_lines += 1

    def _close_block(self) -> None:
        if self._root is None:
            return
        root_id_, body = self._root
        kids, grand, lines = self._kids, self._grand, self._block_lines
        self._root, self._kids, self._grand, self._block_lines = None, [], {}, 0
        if self.skip:
            self.skip -= 1
            return
        if not self.connections:
            self._ready.append(body)
            return
        if not self._wide:  # every child was taken as one of the one connection's
            joined = ",".join([kid[2] for kid in kids])
            self._ready.append(_with_lists(body, [self._opening + joined + "]"]))
            return
        text, used = assemble(
            body, self.connections, kids, lambda child: grand.get(child, []), self._pick
        )
        if used != lines - 1:
            raise self._error(
                f"{lines - 1 - used} child line(s) of {root_id_ or 'a root'} fit none of the "
                "connections the query selects there"
            )
        self._ready.append(text)

    def _pick(
        self, connections: tuple[BulkConnection, ...], kind: str | None, parent: str
    ) -> BulkConnection:
        for connection in connections:
            if kind in connection.typenames:
                return connection
        parent_id = top_string(parent, _ID) or "a parent"
        raise self._error(
            f"a child of {parent_id} (type {kind or 'unknown'}) fits none of its "
            f"connections ({', '.join(c.key for c in connections)})"
        )

    def _error(self, message: str) -> BulkIncompleteResultError:
        return BulkIncompleteResultError(
            f"bulk result of {self.operation_id or 'the operation'}: {message}",
            operation_id=self.operation_id,
            status="COMPLETED",
        )

    def close(self) -> None:
        """Nothing on disk: the block is dropped."""
        self._root, self._kids, self._grand, self._ready = None, [], {}, []

    def __repr__(self) -> str:
        return f"GroupedReader(lines={self.lines}, roots={self.roots})"
