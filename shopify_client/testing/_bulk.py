"""FakeShopify's bulk query operations: run, poll, cancel, and a storage host.

``fake.bulk`` (made on first use) answers ``bulkOperationRunQuery``,
``bulkOperationCancel`` and ``node(id:)`` on a bulk operation id. It runs the bulk
query over deterministic data (``roots`` root nodes, ``children`` nodes per nested
connection; values made from each field's type), writes Shopify's JSONL to a
temporary file (each nested node a line of its own with ``__parentId``; ungrouped:
children scattered after their parents by a seeded shuffle, or grouped: directly
after), and serves it from a second server on 127.0.0.1 (:class:`StorageHost`),
which records every request's headers: a Shopify token there is a leak.

Statuses walk in polls, not seconds (deterministic): CREATED, then RUNNING for
``running_polls`` polls, then the end. :meth:`FakeBulk.inject` plans how the next
operation ends: ``"failed_partial"`` (FAILED, INTERNAL_SERVER_ERROR, half the file at
``partialDataUrl``), ``"access_denied"``, ``"internal_error"``, ``"timeout"``
(FAILED with that code), ``"canceled"`` (by Shopify), ``"expired"`` (EXPIRED),
``"expired_url"`` (COMPLETED, the storage host answers 403), ``"no_url"``
(COMPLETED with objects and no url), ``"short"`` (the file lacks its last root), and
``"drop"`` (the download is cut mid-file once; a Range request resumes it) and
``"stall"`` (the download stops sending mid-file once, for ``stall_seconds``, then
hangs up: a per-read timeout and a Range request get past it).
``others`` lists operations of other apps/processes holding slots: past the
version's slots (1 before 2026-01, 5 from) a start answers Shopify's
"already in progress" userError naming every running operation.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import re
import socket
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from graphql import FieldNode, GraphQLSchema, SelectionSetNode

    from ._bulk_mutation import FakeBulkMutations

__all__ = ["BulkFault", "FakeBulk", "StorageHost"]

BulkFault = Literal[
    "failed_partial",
    "access_denied",
    "internal_error",
    "timeout",
    "canceled",
    "expired",
    "expired_url",
    "no_url",
    "short",
    "drop",
    "stall",
]
_FAILED_CODES = {
    "failed_partial": "INTERNAL_SERVER_ERROR",
    "access_denied": "ACCESS_DENIED",
    "internal_error": "INTERNAL_SERVER_ERROR",
    "timeout": "TIMEOUT",
}
_GID = re.compile(r"gid://shopify/BulkOperation/(\d+)")


# -- the storage host -------------------------------------------------------------


class _StorageHandler(BaseHTTPRequestHandler):
    server: _StorageServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        host = self.server.host
        host.record(dict(self.headers.items()))
        name = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        path = host.files.get(name)
        if path is None or name in host.expired:
            self._plain(403 if name in host.expired else 404, b"<Error>AccessDenied</Error>")
            return
        size = path.stat().st_size
        start = 0
        wanted = self.headers.get("Range")
        match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
        if match:
            start = int(match.group(1))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "application/jsonl")
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        cut = host.take_drop(name)
        stall = host.take_stall(name)
        with path.open("rb") as file:
            file.seek(start)
            left = size - start
            if cut or stall:
                left = max(1, left // 2)
            while left > 0:
                chunk = file.read(min(left, 64 * 1024))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)
        if stall:
            self.wfile.flush()
            time.sleep(host.stall_seconds)  # bounded: the thread then ends
        if cut or stall:
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    def do_POST(self) -> None:
        """A bulk mutation's upload (see ``_bulk_mutation``)."""
        uploads = self.server.host.uploads
        if uploads is None:
            self._plain(404, b"<Error>NoSuchBucket</Error>")
            return
        uploads.receive(self)

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _StorageServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    host: StorageHost

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that hung up mid-file is what the drop fault is for


class StorageHost:
    """The second server: serves result files, supports Range, records headers."""

    def __init__(self) -> None:
        self.files: dict[str, Path] = {}
        self.expired: set[str] = set()
        self._drops: set[str] = set()
        self._stalls: set[str] = set()
        self.stall_seconds = 2.0
        self.requests: list[dict[str, str]] = []
        #: the bulk mutations' uploads (``_bulk_mutation.FakeBulkMutations``), if any
        self.uploads: FakeBulkMutations | None = None
        self._lock = threading.Lock()
        self._server: _StorageServer | None = None

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def start(self) -> None:
        if self._server is not None:
            return
        server = _StorageServer(("127.0.0.1", 0), _StorageHandler)
        server.host = self
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for path in self.files.values():
            with contextlib.suppress(OSError):
                path.unlink()

    def record(self, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(headers)

    def take_drop(self, name: str) -> bool:
        with self._lock:
            if name in self._drops:
                self._drops.discard(name)
                return True
            return False

    def take_stall(self, name: str) -> bool:
        with self._lock:
            if name in self._stalls:
                self._stalls.discard(name)
                return True
            return False

    def publish(self, name: str, path: Path, *, drop: bool = False, stall: bool = False) -> str:
        self.start()
        assert self._server is not None
        self.files[name] = path
        if drop:
            self._drops.add(name)
        if stall:
            self._stalls.add(name)
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/results/{name}?X-Goog-Signature=fake"

    def leaked_headers(self) -> list[str]:
        """Header names seen here that belong to Shopify (tokens, X-Shopify-*)."""
        seen = {name.lower() for headers in self.requests for name in headers}
        return sorted(
            n for n in seen if n.startswith("x-shopify") or n in {"authorization", "cookie"}
        )


# -- the operations ---------------------------------------------------------------


@dataclass
class _Operation:
    id: str
    version: str
    query: str
    grouped: bool
    fault: BulkFault | None
    polls: int = 0
    status: str = "CREATED"
    canceled: bool = False
    error_code: str | None = None
    object_count: int = 0
    root_object_count: int = 0
    file_size: int | None = None
    url: str | None = None
    partial_url: str | None = None
    lines: list[str] = field(default_factory=list)
    worker: threading.Thread | None = None

    @property
    def executed(self) -> bool:
        return self.worker is None or not self.worker.is_alive()

    def node(self) -> dict[str, Any]:
        return {
            "__typename": "BulkOperation",
            "id": self.id,
            "status": self.status,
            "errorCode": self.error_code,
            "objectCount": str(self.object_count),
            "rootObjectCount": str(self.root_object_count),
            "fileSize": None if self.file_size is None else str(self.file_size),
            "url": self.url,
            "partialDataUrl": self.partial_url,
            "type": "QUERY",
        }


class FakeBulk:
    """Bulk query operations of one FakeShopify (``fake.bulk``)."""

    def __init__(self, schemas: Any) -> None:
        self._schemas = schemas  # SchemaData: the committed schemas
        self.roots = 5
        self.children = 3
        self.running_polls = 1
        self.seed = 7
        self.others: list[str] = []
        self.operations: dict[str, _Operation] = {}
        self.storage = StorageHost()
        self._faults: deque[BulkFault] = deque()
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._dir = tempfile.mkdtemp(prefix="fake-bulk-")
        self._mutations: FakeBulkMutations | None = None

    @property
    def mutations(self) -> FakeBulkMutations:
        """Bulk mutations: staged uploads and their runs, their faults
        (:meth:`FakeBulkMutations.inject`) and per-line user errors
        (:attr:`FakeBulkMutations.user_errors`); see ``_bulk_mutation``."""
        if self._mutations is None:
            from ._bulk_mutation import FakeBulkMutations

            self._mutations = FakeBulkMutations(self, self._schemas)
        return self._mutations

    def inject(self, *faults: BulkFault) -> None:
        """How the next operations end, one fault each, in order."""
        self._faults.extend(faults)

    def stop(self) -> None:
        if self._mutations is not None:
            self._mutations.stop()
        self.storage.stop()
        with contextlib.suppress(OSError):
            os.rmdir(self._dir)

    @staticmethod
    def slots(version: str) -> int:
        return 1 if version < "2026-01" else 5

    # -- the GraphQL side -----------------------------------------------------------

    def answer(self, version: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """The answer to a bulk operation document, None for any other."""
        query = body.get("query")
        if not isinstance(query, str):
            return None
        from graphql import FieldNode, OperationDefinitionNode, parse

        try:
            document = parse(query)
        except Exception:
            return None
        operation = next(
            (d for d in document.definitions if isinstance(d, OperationDefinitionNode)), None
        )
        if operation is None:
            return None
        fields = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
        if len(fields) != 1:
            return None
        name = fields[0].name.value
        variables = body.get("variables") or {}
        if name == "bulkOperationRunMutation":
            return self.mutations.run(version, variables)
        if name == "stagedUploadsCreate":
            return self.mutations.stage(version, variables)
        if name == "bulkOperationRunQuery":
            return self._run(version, variables)
        if name == "bulkOperationCancel":
            return self._cancel(str(variables.get("id")))
        if name == "node" and _GID.fullmatch(str(variables.get("id", ""))):
            return {"data": {"node": self._poll(str(variables["id"]))}}
        return None

    def _running(self) -> list[str]:
        ours = [
            o.id
            for o in self.operations.values()
            if o.status in ("CREATED", "RUNNING") and o.node().get("type") == "QUERY"
        ]
        return [*self.others, *ours]

    def _run(self, version: str, variables: dict[str, Any]) -> dict[str, Any]:
        def refused(message: str) -> dict[str, Any]:
            return {
                "data": {
                    "bulkOperationRunQuery": {
                        "bulkOperation": None,
                        "userErrors": [{"field": ["query"], "message": message}],
                    }
                }
            }

        with self._lock:
            running = self._running()
            if len(running) >= self.slots(version):
                return refused(
                    "A bulk query operation for this app and shop is already in progress: "
                    + ", ".join(running)
                )
            grouped_arg = variables.get("groupObjects")
            has_arg = version >= "2025-07"
            if grouped_arg is not None and not has_arg:
                return {"errors": [{"message": "Field 'groupObjects' doesn't exist on 2024-01"}]}
            grouped = bool(grouped_arg) if grouped_arg is not None else version < "2026-01"
            text = str(variables.get("query"))
            schema = self._schemas.schema("admin", version)
            try:
                _Executor(schema, 1, 1).run(text)  # refused now, as Shopify does
            except Exception as exc:  # a syntax error, an unknown field...
                return refused(f"Invalid bulk query: {exc}")
            operation = _Operation(
                id=f"gid://shopify/BulkOperation/{next(self._ids)}",
                version=version,
                query=text,
                grouped=grouped,
                fault=self._faults.popleft() if self._faults else None,
            )
            self.operations[operation.id] = operation
            # run in the background, as Shopify does: the mutation answers at once
            roots, children, seed = self.roots, self.children, self.seed

            def execute() -> None:
                lines = _Executor(schema, roots, children).run(text)
                operation.lines = _order(lines, grouped, random.Random(seed))

            operation.worker = threading.Thread(target=execute, daemon=True)
            operation.worker.start()
            return {
                "data": {
                    "bulkOperationRunQuery": {
                        "bulkOperation": {"id": operation.id, "status": "CREATED"},
                        "userErrors": [],
                    }
                }
            }

    def _cancel(self, operation_id: str) -> dict[str, Any]:
        operation = self.operations.get(operation_id)
        if operation is None or operation.status not in ("CREATED", "RUNNING"):
            return {
                "data": {
                    "bulkOperationCancel": {
                        "bulkOperation": None,
                        "userErrors": [{"field": ["id"], "message": "Bulk operation not running"}],
                    }
                }
            }
        operation.canceled = True
        operation.status = "CANCELING"
        return {
            "data": {
                "bulkOperationCancel": {
                    "bulkOperation": {"id": operation.id, "status": "CANCELING"},
                    "userErrors": [],
                }
            }
        }

    def _poll(self, operation_id: str) -> dict[str, Any] | None:
        with self._lock:
            operation = self.operations.get(operation_id)
            if operation is None:
                return None
            operation.polls += 1
            if operation.status == "CANCELING":
                operation.status = "CANCELED"
            elif operation.status in ("CREATED", "RUNNING"):
                if operation.polls <= self.running_polls or not operation.executed:
                    operation.status = "RUNNING" if operation.polls > 1 else "CREATED"
                else:
                    self._end(operation)
            return operation.node()

    def _write(self, operation: _Operation, lines: list[str], suffix: str) -> tuple[str, Path]:
        name = f"{operation.id.rsplit('/', 1)[-1]}{suffix}.jsonl"
        path = Path(self._dir) / name
        with path.open("w", encoding="utf-8") as file:
            for line in lines:
                file.write(line)
                file.write("\n")
        return name, path

    def _end(self, operation: _Operation) -> None:
        lines = operation.lines
        roots = sum(1 for line in lines if '"__parentId"' not in line)
        operation.object_count = len(lines)
        operation.root_object_count = roots
        fault = operation.fault
        if fault == "canceled":
            operation.status = "CANCELED"
            return
        if fault == "expired":
            operation.status = "EXPIRED"
            return
        if fault in _FAILED_CODES:
            operation.status = "FAILED"
            operation.error_code = _FAILED_CODES[fault]
            if fault == "failed_partial":
                kept = _complete_prefix(lines, len(lines) // 2)
                name, path = self._write(operation, kept, "-partial")
                operation.partial_url = self.storage.publish(name, path)
                operation.object_count = len(kept)
            return
        operation.status = "COMPLETED"
        if not lines:
            return
        if fault == "no_url":
            return
        written = lines
        if fault == "short":  # the last root and its children go missing
            last = max(i for i, line in enumerate(lines) if '"__parentId"' not in line)
            written = [line for i, line in enumerate(lines) if i != last]
        name, path = self._write(operation, written, "")
        operation.file_size = path.stat().st_size
        operation.url = self.storage.publish(
            name, path, drop=fault == "drop", stall=fault == "stall"
        )
        if fault == "expired_url":
            self.storage.expired.add(name)


def _complete_prefix(lines: list[str], count: int) -> list[str]:
    return lines[:count]


# -- running a bulk query over made-up data ---------------------------------------


def _inline_fragments(document: Any) -> Any:
    """``document`` with every named fragment spread replaced by an inline fragment
    of the same type condition and selections (recursively), so the executor walks
    one tree whatever mix of spreads and inline fragments the query uses."""
    from graphql import (
        FragmentDefinitionNode,
        FragmentSpreadNode,
        InlineFragmentNode,
        SelectionSetNode,
        Visitor,
        visit,
    )

    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    class _Inline(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> Any:
            fragment = fragments.get(node.name.value)
            if fragment is None:
                raise ValueError(f"Unknown fragment '{node.name.value}'.")
            return InlineFragmentNode(
                type_condition=fragment.type_condition,
                directives=(),
                selection_set=SelectionSetNode(selections=tuple(fragment.selection_set.selections)),
            )

    # one visit inlines one level; a fragment spreading another needs another pass
    # (bounded: GraphQL forbids fragment cycles, and validation ran before)
    for _ in range(len(fragments) + 1):
        inlined = visit(document, _Inline())
        if inlined == document:
            break
        document = inlined
    return document


@dataclass
class _Line:
    text: str
    descendants: list[_Line]


class _Executor:
    """Runs a bulk query's text over deterministic values made from the schema."""

    def __init__(self, schema: GraphQLSchema | None, roots: int, children: int) -> None:
        if schema is None:
            raise ValueError("no committed schema for this version")
        self.schema = schema
        self.roots = roots
        self.children = children
        self._serial = itertools.count(1)
        self._plans: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
        self._kept: list[SelectionSetNode] = []
        self._concretes: dict[str, Any] = {}

    def run(self, text: str) -> list[_Line]:
        from graphql import FieldNode, OperationDefinitionNode, parse

        document = _inline_fragments(parse(text))
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        query_type = self.schema.query_type
        assert query_type is not None
        out: list[_Line] = []
        for selection in operation.selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            schema_field = query_type.fields.get(selection.name.value)
            if schema_field is None:
                raise ValueError(
                    f"Field '{selection.name.value}' doesn't exist on type 'QueryRoot'"
                )
            node_type, node_selection = self._connection_node(schema_field.type, selection)
            if node_selection is None:
                raise ValueError("Bulk queries must contain at least one connection.")
            out.extend(self._nodes(node_type, node_selection, self.roots, None))
        return out

    def _connection_node(self, graphql_type: Any, field_node: FieldNode) -> tuple[Any, Any]:
        from graphql import FieldNode, get_named_type

        named = get_named_type(graphql_type)
        if not named.name.endswith("Connection") or field_node.selection_set is None:
            return None, None
        for selection in field_node.selection_set.selections:
            if not isinstance(selection, FieldNode):
                continue
            if selection.name.value == "nodes":
                return get_named_type(named.fields["nodes"].type), selection.selection_set
            if selection.name.value == "edges" and selection.selection_set is not None:
                edge = get_named_type(named.fields["edges"].type)
                for inner in selection.selection_set.selections:
                    if isinstance(inner, FieldNode) and inner.name.value == "node":
                        return get_named_type(edge.fields["node"].type), inner.selection_set
        return None, None

    def _nodes(
        self, node_type: Any, selection_set: SelectionSetNode, count: int, parent: str | None
    ) -> Iterator[_Line]:
        concrete = self._concrete(node_type)
        prefix = f"gid://shopify/{concrete.name}/"
        for _ in range(count):
            serial = next(self._serial)
            record: dict[str, Any] = {}
            descendants: list[_Line] = []
            own_id = f"{prefix}{serial}"
            self._fill(concrete, selection_set, serial, own_id, record, descendants)
            if parent is not None:
                record["__parentId"] = parent
            # Shopify's compact form: no space after a comma or a colon
            yield _Line(_compact(record), descendants)

    def _applies(self, condition: str, object_type: Any) -> bool:
        """Whether a fragment on ``condition`` (a type, an interface or a union)
        selects on ``object_type``, as GraphQL's execution decides."""
        if condition == object_type.name:
            return True
        abstract = self.schema.get_type(condition)
        from graphql import is_abstract_type

        return is_abstract_type(abstract) and self.schema.is_sub_type(abstract, object_type)  # type: ignore[arg-type]

    def _concrete(self, node_type: Any) -> Any:
        found = self._concretes.get(node_type.name)
        if found is None:
            from graphql import is_abstract_type

            found = node_type
            if is_abstract_type(node_type):
                found = sorted(self.schema.get_possible_types(node_type), key=lambda t: t.name)[0]
            self._concretes[node_type.name] = found
        return found

    def _fill(
        self,
        object_type: Any,
        selection_set: SelectionSetNode,
        serial: int,
        own_id: str,
        record: dict[str, Any],
        descendants: list[_Line],
    ) -> None:
        """Fill ``record`` (and ``descendants``) for one node, by the plan of
        ``selection_set`` on ``object_type``: read from the schema once per run, not
        once per node (the schema walk was most of the time of a large file)."""
        plan = self._plans.get((object_type.name, id(selection_set)))
        if plan is None:
            plan = self._plan(object_type, selection_set)
        for step in plan:
            kind = step[0]
            if kind is _VALUE:
                record[step[1]] = step[2](serial, own_id)
            elif kind is _CONSTANT:
                record[step[1]] = step[2]
            elif kind is _CHILDREN:
                descendants.extend(self._nodes(step[1], step[2], self.children, own_id))
            else:  # _OBJECT: a nested object; connections inside it are made and dropped
                inner: dict[str, Any] = {}
                self._fill(step[2], step[3], serial, own_id, inner, [])
                record[step[1]] = inner

    def _plan(self, object_type: Any, selection_set: SelectionSetNode) -> list[tuple[Any, ...]]:
        """The steps that fill a node of ``object_type`` for ``selection_set``, in
        selection order, fragments that apply flattened in place. Unknown fields raise
        here, when the first such node is filled, as they did node by node."""
        from graphql import FieldNode, InlineFragmentNode

        plan: list[tuple[Any, ...]] = []
        for selection in selection_set.selections:
            if isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, object_type):
                    inner = self._plans.get((object_type.name, id(selection.selection_set)))
                    if inner is None:
                        inner = self._plan(object_type, selection.selection_set)
                    plan.extend(inner)
                continue
            if not isinstance(selection, FieldNode):
                continue
            name = selection.name.value
            key = selection.alias.value if selection.alias else name
            if name == "__typename":
                plan.append((_CONSTANT, key, object_type.name))
                continue
            schema_field = object_type.fields.get(name)
            if schema_field is None:
                raise ValueError(f"Field '{name}' doesn't exist on type '{object_type.name}'")
            child_type, child_selection = self._connection_node(schema_field.type, selection)
            if child_selection is not None:
                plan.append((_CHILDREN, child_type, child_selection))
                continue
            plan.append(self._value(schema_field.type, selection, key, name))
        self._plans[(object_type.name, id(selection_set))] = plan
        self._kept.append(selection_set)  # its id stays its own while the plan is kept
        return plan

    def _value(
        self, graphql_type: Any, selection: FieldNode, key: str, name: str
    ) -> tuple[Any, ...]:
        """The step that makes a field's value from the node's serial and id."""
        from graphql import (
            GraphQLEnumType,
            GraphQLList,
            GraphQLNonNull,
            get_named_type,
            is_composite_type,
        )

        if isinstance(graphql_type, GraphQLNonNull):
            graphql_type = graphql_type.of_type
        if isinstance(graphql_type, GraphQLList):
            return (_VALUE, key, _empty_list)
        named = get_named_type(graphql_type)
        if is_composite_type(named):
            if selection.selection_set is None:
                return (_CONSTANT, key, None)
            return (_OBJECT, key, self._concrete(named), selection.selection_set)
        if isinstance(named, GraphQLEnumType):
            return (_CONSTANT, key, sorted(named.values)[0])
        scalar = named.name
        if name == "id" and scalar == "ID":
            return (_VALUE, key, _own_id)
        return (_VALUE, key, _scalar_maker(scalar, name))


# The kinds of a plan's steps (see _Executor._plan), compared by identity.
_VALUE = "value"  # (kind, key, maker(serial, own_id))
_CONSTANT = "constant"  # (kind, key, value)
_CHILDREN = "children"  # (kind, node type, selection set): a nested connection
_OBJECT = "object"  # (kind, key, concrete type, selection set)

# Shopify's compact form: no space after a comma or a colon (json.dumps's own encoder,
# made once rather than per line).
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _empty_list(serial: int, own_id: str) -> list[Any]:
    return []


def _own_id(serial: int, own_id: str) -> str:
    return own_id


def _scalar_maker(scalar: str, name: str) -> Any:
    """A scalar's deterministic value from the node's serial."""
    if scalar == "String":
        return lambda serial, own_id: f"{name} {serial}"
    if scalar == "ID":
        return lambda serial, own_id: f"gid://shopify/Thing/{serial}"
    if scalar == "Int":
        return lambda serial, own_id: serial
    if scalar == "Float":
        return lambda serial, own_id: serial + 0.5
    if scalar == "Boolean":
        return lambda serial, own_id: serial % 2 == 0
    if scalar == "DateTime":
        return lambda serial, own_id: f"2026-01-{serial % 28 + 1:02d}T00:00:00Z"
    if scalar in ("Money", "Decimal"):
        return lambda serial, own_id: f"{serial}.00"
    if scalar == "URL":
        return lambda serial, own_id: f"https://example.com/{serial}"
    return lambda serial, own_id: f"{scalar} {serial}"


def _order(lines: list[_Line], grouped: bool, rng: random.Random) -> list[str]:
    """Shopify's file order: grouped, each node directly followed by its
    descendants; ungrouped, every child still after its parent, but scattered."""
    out: list[str] = []
    if grouped:

        def walk(line: _Line) -> None:
            out.append(line.text)
            for child in line.descendants:
                walk(child)

        for line in lines:
            walk(line)
        return out
    pool: list[_Line] = []
    for line in lines:
        out.append(line.text)
        pool.extend(line.descendants)
        # emit some of the waiting children now, in no particular order
        for _ in range(rng.randint(0, len(pool))):
            child = pool.pop(rng.randrange(len(pool)))
            out.append(child.text)
            pool.extend(child.descendants)
    while pool:
        child = pool.pop(rng.randrange(len(pool)))
        out.append(child.text)
        pool.extend(child.descendants)
    return out
