"""FakeShopify's bulk mutations: staged uploads, the storage POST, and the run.

``fake.bulk.mutations`` (made on first use) answers ``stagedUploadsCreate`` (for
``BULK_MUTATION_VARIABLES``: a signed form whose ``key`` is the later
``stagedUploadPath``) and ``bulkOperationRunMutation``; the storage host
(:class:`~._bulk.StorageHost`, the second server) takes the multipart POST. It checks
what Shopify's storage does and the guide asks for
(https://shopify.dev/docs/api/usage/bulk-operations/imports): every parameter of the
form, with its value, in the order given, then ``file`` last, and the file's size
(100 MB from 2026-01, 20 MB before); anything else is refused with a 400 whose body
says why. Every request's headers are recorded (``storage.leaked_headers()``).

A run executes the operation's mutation once per line on the committed schema, the
line's JSON being its variables (``fake.answer(name, callable)`` shapes the data, as
for any call; ``responder`` replaces the schema for speed), and writes the results
**out of order** (a seeded shuffle), each ``{"data": ..., "__lineNumber": n}``.
``user_errors(line, variables)`` gives per-line user errors on request. Statuses walk
poll by poll, as for bulk queries, and :meth:`FakeBulk.inject` faults apply
(``"access_denied"``, ``"canceled"``, ``"expired_url"``, ``"drop"``...). Faults of
its own, :meth:`FakeBulkMutations.inject`: ``"upload_refused"`` (the storage host
answers 403 to the next upload), ``"missing_line"`` and ``"duplicate_line"`` (the
next result file lacks one line, or has one twice).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import secrets
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Required, TypeAlias, TypedDict

from ._bulk import _Operation

if TYPE_CHECKING:
    from ._bulk import FakeBulk, _StorageHandler

__all__ = ["FakeBulkMutations", "FakeUserError", "MutationFault", "Upload", "UserErrorsHook"]

#: The faults of :meth:`FakeBulkMutations.inject`.
MutationFault = Literal["upload_refused", "missing_line", "duplicate_line"]


class FakeUserError(TypedDict, total=False):
    """One entry of a payload's ``userErrors``, as :attr:`FakeBulkMutations.user_errors`
    gives it (the fields a mutation's ``UserError`` selects)."""

    field: list[str] | None
    message: Required[str]
    code: str | None


#: ``(line, variables) -> user errors`` of that line: ``line`` its index in the
#: uploaded file (from 0), ``variables`` the line's JSON; ``[]`` for none.
UserErrorsHook: TypeAlias = Callable[[int, dict[str, Any]], Sequence[FakeUserError]]
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')
_CHUNK = 1024 * 1024


def file_limit(version: str) -> int:
    return 20 * 1000 * 1000 if version < "2026-01" else 100 * 1000 * 1000


@dataclass
class Upload:
    """One staged target, and what the storage host received for it."""

    key: str
    filename: str
    version: str
    parameters: list[tuple[str, str]]
    path: Path | None = None
    size: int = 0
    fields: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _MutationOperation(_Operation):
    mutation: str = ""
    client_identifier: str | None = None

    def node(self) -> dict[str, Any]:
        return {**super().node(), "type": "MUTATION"}


class FakeBulkMutations:
    """Bulk mutations of one FakeShopify (``fake.bulk.mutations``)."""

    def __init__(self, bulk: FakeBulk, data: Any) -> None:
        self._bulk = bulk
        self._data = data  # SchemaData
        self.seed = 11
        #: operations of other apps/processes holding bulk mutation slots
        self.others: list[str] = []
        self.uploads: dict[str, Upload] = {}
        #: per-line user errors: set this attribute (``fake.bulk.mutations.user_errors =
        #: lambda line, variables: [...]``) before the run; None gives none
        self.user_errors: UserErrorsHook | None = None
        #: (variables) -> the mutation's data, instead of running it on the schema
        self.responder: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self._faults: deque[MutationFault] = deque()
        self._lock = threading.Lock()
        self._dir = tempfile.mkdtemp(prefix="fake-bulk-mutation-")
        bulk.storage.uploads = self

    def inject(self, *faults: MutationFault) -> None:
        """Faults for the next uploads and runs, one each: ``"upload_refused"`` (the
        storage host answers 403), ``"missing_line"``, ``"duplicate_line"`` (the
        result file lacks one line, or has one twice)."""
        self._faults.extend(faults)

    def _take(self, fault: MutationFault) -> bool:
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)
                return True
            return False

    def stop(self) -> None:
        for upload in self.uploads.values():
            if upload.path is not None:
                with contextlib.suppress(OSError):
                    upload.path.unlink()
        with contextlib.suppress(OSError):
            os.rmdir(self._dir)

    @property
    def operations(self) -> list[_MutationOperation]:
        return [o for o in self._bulk.operations.values() if isinstance(o, _MutationOperation)]

    # -- stagedUploadsCreate ------------------------------------------------------------

    def stage(self, version: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        """Targets for ``BULK_MUTATION_VARIABLES``; None for other resources (media...),
        which FakeShopify answers from the schema as before."""
        inputs = variables.get("input")
        if not isinstance(inputs, list) or not all(
            isinstance(i, dict) and i.get("resource") == "BULK_MUTATION_VARIABLES" for i in inputs
        ):
            return None
        targets = []
        errors = []
        for i, item in enumerate(inputs if isinstance(inputs, list) else []):
            wanted = {
                "resource": "BULK_MUTATION_VARIABLES",
                "mimeType": "text/jsonl",
                "httpMethod": "POST",
            }
            wrong = [k for k, v in wanted.items() if item.get(k) != v]
            if wrong:
                errors.append(
                    {"field": ["input", str(i), wrong[0]], "message": f"{wrong[0]} is not valid"}
                )
                continue
            filename = str(item.get("filename") or "variables.jsonl")
            key = f"tmp/fake-shop/bulk/{secrets.token_hex(8)}/{filename}"
            parameters = [
                ("Content-Type", "text/jsonl"),
                ("success_action_status", "201"),
                ("acl", "private"),
                ("key", key),
                ("x-goog-date", "20260101T000000Z"),
                ("x-goog-credential", "fake-signer/20260101/auto/storage/goog4_request"),
                ("x-goog-algorithm", "GOOG4-RSA-SHA256"),
                ("x-goog-signature", secrets.token_hex(16)),
                ("policy", secrets.token_urlsafe(24)),
            ]
            with self._lock:
                self.uploads[key] = Upload(key, filename, version, parameters)
            self._bulk.storage.start()
            targets.append(
                {
                    "url": self._bulk.storage.url("/upload"),
                    "resourceUrl": None,
                    "parameters": [{"name": n, "value": v} for n, v in parameters],
                }
            )
        return {
            "data": {
                "stagedUploadsCreate": {
                    "stagedTargets": targets or None,
                    "userErrors": errors,
                }
            }
        }

    # -- the storage POST ---------------------------------------------------------------

    def receive(self, handler: _StorageHandler) -> None:
        """The storage host's POST: parse the form (streamed to a file), check it."""
        handler.server.host.record(dict(handler.headers.items()))
        length = int(handler.headers.get("Content-Length") or 0)
        match = _BOUNDARY.search(handler.headers.get("Content-Type", ""))
        if match is None:
            _answer(handler, 400, "MalformedPOSTRequest", "no multipart boundary")
            return
        if self._take("upload_refused"):
            handler.rfile.read(length)
            _answer(handler, 403, "AccessDenied", "the fake storage host refuses this upload")
            return
        if length > 120 * 1000 * 1000:
            _answer(handler, 400, "EntityTooLarge", "the body is too large")
            return
        fd, body_path = tempfile.mkstemp(dir=self._dir, suffix=".form")
        with os.fdopen(fd, "wb") as body:
            left = length
            while left > 0:
                chunk = handler.rfile.read(min(_CHUNK, left))
                if not chunk:
                    break
                body.write(chunk)
                left -= len(chunk)
        try:
            status, code, message = self._accept(
                Path(body_path), match.group(1).encode(), dict(handler.headers.items())
            )
        finally:
            with contextlib.suppress(OSError):
                os.unlink(body_path)
        if status == 201:
            handler.send_response(201)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            _answer(handler, status, code, message)

    def _accept(self, body: Path, boundary: bytes, headers: dict[str, str]) -> tuple[int, str, str]:
        fields: list[tuple[str, bytes | None]] = []
        file_path = Path(self._dir) / f"in-{secrets.token_hex(6)}.jsonl"
        size = 0
        for name, content in _parts(body, boundary, file_path):
            if name == "file":
                size = content if isinstance(content, int) else 0
                fields.append((name, None))
            else:
                fields.append((name, content if isinstance(content, bytes) else b""))
        values = dict((n, v.decode() if v is not None else "") for n, v in fields)
        upload = self.uploads.get(values.get("key", ""))
        names = [n for n, _ in fields]

        def refuse(code: str, message: str) -> tuple[int, str, str]:
            with contextlib.suppress(OSError):
                file_path.unlink()
            return 400, code, message

        if upload is None:
            return refuse("InvalidPolicyDocument", "no staged target has this key")
        upload.fields = names
        upload.headers = headers
        if "file" not in names:
            return refuse("InvalidArgument", "the form has no file")
        if names[-1] != "file":
            return refuse("InvalidArgument", "fields after the file are ignored: file goes last")
        expected = [n for n, _ in upload.parameters]
        if names[:-1] != expected:
            return refuse("InvalidPolicyDocument", f"the fields are {names[:-1]}, not {expected}")
        if any(values[n] != v for n, v in upload.parameters):
            return refuse("SignatureDoesNotMatch", "a parameter differs from the signed one")
        if size > file_limit(upload.version):
            return refuse("EntityTooLarge", f"the file has {size} bytes")
        upload.path = file_path
        upload.size = size
        return 201, "", ""

    # -- bulkOperationRunMutation -------------------------------------------------------

    def run(self, version: str, variables: dict[str, Any]) -> dict[str, Any]:
        def refused(message: str, code: str) -> dict[str, Any]:
            return {
                "data": {
                    "bulkOperationRunMutation": {
                        "bulkOperation": None,
                        "userErrors": [{"field": None, "message": message, "code": code}],
                    }
                }
            }

        bulk = self._bulk
        with bulk._lock:
            running = [*self.others] + [
                o.id for o in self.operations if o.status in ("CREATED", "RUNNING")
            ]
            if len(running) >= bulk.slots(version):
                return refused(
                    "A bulk mutation operation for this app and shop is already in progress: "
                    + ", ".join(running),
                    "OPERATION_IN_PROGRESS",
                )
            upload = self.uploads.get(str(variables.get("stagedUploadPath")))
            if upload is None or upload.path is None:
                return refused("The JSONL file could not be found.", "NO_SUCH_FILE")
            mutation = str(variables.get("mutation"))
            problem = self._check_mutation(version, mutation)
            if problem is not None:
                return refused(problem, "INVALID_MUTATION")
            operation = _MutationOperation(
                id=f"gid://shopify/BulkOperation/{next(bulk._ids)}",
                version=version,
                query="",
                grouped=False,
                fault=bulk._faults.popleft() if bulk._faults else None,
                mutation=mutation,
                client_identifier=variables.get("clientIdentifier"),
            )
            bulk.operations[operation.id] = operation
            missing = self._take("missing_line")
            duplicate = self._take("duplicate_line")
            path = upload.path

            def execute() -> None:
                operation.lines = self._execute(version, mutation, path, missing, duplicate)

            operation.worker = threading.Thread(target=execute, daemon=True)
            operation.worker.start()
            return {
                "data": {
                    "bulkOperationRunMutation": {
                        "bulkOperation": {"id": operation.id, "status": "CREATED"},
                        "userErrors": [],
                    }
                }
            }

    def _check_mutation(self, version: str, mutation: str) -> str | None:
        from graphql import OperationDefinitionNode, parse, validate

        schema = self._data.schema("admin", version)
        try:
            document = parse(mutation)
        except Exception as exc:
            return f"Invalid mutation: {exc.__class__.__name__}"
        errors = validate(schema, document) if schema is not None else []
        if errors:
            return f"Invalid mutation: {errors[0].message}"
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) != 1 or operations[0].operation.value != "mutation":
            return "Invalid mutation: one mutation operation is required"
        return None

    def _field(self, mutation: str) -> str:
        from graphql import FieldNode, OperationDefinitionNode, parse

        document = parse(mutation)
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        return next(
            s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)
        )

    def _execute(
        self, version: str, mutation: str, path: Path, missing: bool, duplicate: bool
    ) -> list[str]:
        root = self._field(mutation)
        out: list[str] = []
        with path.open("r", encoding="utf-8") as lines:
            for number, text in enumerate(lines):
                variables = json.loads(text)
                if self.responder is not None:
                    answer: dict[str, Any] = {"data": self.responder(variables)}
                else:
                    answer = self._data.answer(
                        "admin", version, {"query": mutation, "variables": variables}
                    )
                answer.pop("extensions", None)
                if self.user_errors is not None:
                    errors = self.user_errors(number, variables)
                    data = answer.get("data")
                    if errors and isinstance(data, dict) and isinstance(data.get(root), dict):
                        data[root]["userErrors"] = [dict(e) for e in errors]
                answer["__lineNumber"] = number
                out.append(json.dumps(answer, ensure_ascii=False, separators=(",", ":")))
        random.Random(self.seed).shuffle(out)  # Shopify: "in no guaranteed order"
        if missing and out:
            out.pop(len(out) // 2)
        if duplicate and out:
            out.append(out[0])
        return out


def _answer(handler: _StorageHandler, status: int, code: str, message: str) -> None:
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/xml")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _parts(body: Path, boundary: bytes, file_path: Path) -> Any:
    """(name, bytes) per form field, (\"file\", size) for the file, written to
    ``file_path``; read from ``body`` in chunks (the file is never in memory)."""
    delimiter = b"\r\n--" + boundary
    with body.open("rb") as source:
        buffer = b"\r\n" + source.read(_CHUNK)  # the first delimiter has no CRLF before it
        eof = False

        def more() -> bool:
            nonlocal buffer, eof
            if eof:
                return False
            chunk = source.read(_CHUNK)
            if not chunk:
                eof = True
                return False
            buffer += chunk
            return True

        while True:
            at = buffer.find(delimiter)
            while at < 0 and more():
                at = buffer.find(delimiter)
            if at < 0:
                return
            buffer = buffer[at + len(delimiter) :]
            while len(buffer) < 2 and more():
                pass
            if buffer.startswith(b"--"):
                return  # the closing delimiter
            end = buffer.find(b"\r\n\r\n")
            while end < 0 and more():
                end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = buffer[:end].decode("utf-8", errors="replace")
            buffer = buffer[end + 4 :]
            name_match = re.search(r'name="([^"]*)"', head)
            name = name_match.group(1) if name_match else ""
            if name != "file":
                at = buffer.find(delimiter)
                while at < 0 and more():
                    at = buffer.find(delimiter)
                content = buffer[: at if at >= 0 else len(buffer)]
                buffer = buffer[at if at >= 0 else len(buffer) :]
                yield name, content
                continue
            size = 0
            with file_path.open("wb") as out:
                while True:
                    at = buffer.find(delimiter)
                    if at >= 0:
                        out.write(buffer[:at])
                        size += at
                        buffer = buffer[at:]
                        break
                    keep = len(delimiter)
                    if len(buffer) > keep:
                        out.write(buffer[:-keep])
                        size += len(buffer) - keep
                        buffer = buffer[-keep:]
                    if not more():
                        out.write(buffer)
                        size += len(buffer)
                        buffer = b""
                        break
            yield name, size
