"""A bulk mutation (an import): write, stage, upload, run, poll, read (sync and async).

The generated ``client.import_products(lines)`` calls ``_bulk_mutate`` with the
operation's :class:`BulkMutation` (built by shopify-codegen from a mutation in a
``bulk/`` folder) and returns a :class:`BulkMutationRun`. Shopify's import path
(https://shopify.dev/docs/api/usage/bulk-operations/imports; the mutation's reference,
https://shopify.dev/docs/api/admin-graphql/latest/mutations/bulkOperationRunMutation):

1. the variables of one mutation per line, as JSONL (:mod:`._bulk_mutation_parts`:
   written while the iterable is consumed, split at 100 MB from 2026-01, 20 MB
   before, or at ``max_file_bytes``);
2. per part, ``stagedUploadsCreate`` and a multipart POST to the storage host
   (:mod:`._staged_upload`: every parameter, the file last, no Shopify header);
3. ``bulkOperationRunMutation(mutation:, stagedUploadPath: <key>, clientIdentifier:)``;
   each part is its own operation. At most 1 bulk mutation runs at a time per shop
   and app before 2026-01, 5 from it: a part waits for one of ours to end when that
   many run, and retries Shopify's "already in progress" answer, up to ``slot_wait``;
4. polled as a bulk query is (:class:`._bulk_run.BulkRun`: ``node(id:)``, the same
   backoff and typed endings); an operation must end within 24 hours;
5. the result file (one line per input line, ``__lineNumber``, in no guaranteed
   order) is downloaded by :mod:`._bulk_download` into a sqlite store
   (:mod:`._bulk_mutation_results`), checked (every input line once), and yielded
   **in input order**, part after part: one :class:`BulkMutationResult` per input,
   ``.line`` its index in the caller's iterable.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._bulk_checks import check_count, check_seconds, check_timeout
from ._bulk_download import download_async, download_sync
from ._bulk_mutation_parts import file_limit
from ._bulk_mutation_results import ResultStore
from ._bulk_run import (
    MAX_OPERATION_SECONDS,
    BulkCallOptions,
    BulkOperationState,
    BulkOptions,
    BulkQuery,
    bulk_options,
    bulk_query_slots,
)
from ._exceptions import ConfigurationError, InvalidResponseError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "MAX_MUTATION_SECONDS",
    "AsyncBulkMutationRun",
    "BulkLineMessage",
    "BulkMutation",
    "BulkMutationCallOptions",
    "BulkMutationResult",
    "BulkMutationRun",
    "bulk_mutation_file_limit",
    "bulk_mutation_slots",
]

PayloadT = TypeVar("PayloadT")
VariablesT = TypeVar("VariablesT")

#: Shopify's limit on a bulk mutation's run: 24 hours (plus an hour of slack)
MAX_MUTATION_SECONDS = 25 * 3600
DEFAULT_UPLOAD_TIMEOUT = 60.0
#: the longest one part's upload may take in all (100 MB at ~300 kB/s)
DEFAULT_UPLOAD_DEADLINE = 600.0
#: the bounds of those options: an hour per read or write, a day per part
MAX_UPLOAD_TIMEOUT = 3600.0
MAX_UPLOAD_DEADLINE = 24 * 3600.0

RUN_MUTATION = """mutation BulkOperationRunMutation(
  $mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String
) {
  bulkOperationRunMutation(
    mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier
  ) {
    bulkOperation { id status }
    userErrors { field message }
  }
}"""

bulk_mutation_file_limit = file_limit


def bulk_mutation_slots(api_version: str) -> int:
    """Bulk mutations one app may run at once on a shop: 1 before 2026-01, 5 from it."""
    return bulk_query_slots(api_version)


@dataclass(frozen=True)
class BulkMutation(Generic[PayloadT, VariablesT]):
    """A generated bulk mutation: its text, its root field and its two models."""

    name: str
    document: str
    field: str
    result: Callable[[], type[PayloadT]]
    variables: Callable[[], type[VariablesT]]


class BulkMutationCallOptions(BulkCallOptions, total=False):
    """The options of a generated bulk mutation method: those of a bulk query
    (:class:`BulkCallOptions`), and ``max_file_bytes`` (where a part ends; default
    the version's limit, which it may not pass), ``upload_timeout`` (s per read or
    write of an upload), ``upload_deadline`` (s for one part's whole upload)."""

    max_file_bytes: int
    upload_timeout: float
    upload_deadline: float


@dataclass(frozen=True, slots=True)
class BulkLineMessage:
    """A user error of one line's payload, or an error of the whole line."""

    message: str
    field: tuple[str, ...] | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class BulkMutationResult(Generic[PayloadT]):
    """What one input line did: ``line`` (its index in the caller's iterable),
    ``data`` (the mutation's typed payload; None when the line failed as a whole),
    ``user_errors`` (the payload's ``userErrors``) and ``errors`` (the line's own
    GraphQL errors)."""

    line: int
    data: PayloadT | None
    user_errors: tuple[BulkLineMessage, ...] = ()
    errors: tuple[BulkLineMessage, ...] = ()

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.user_errors and not self.errors


@dataclass(frozen=True)
class _Settings:
    bulk: BulkOptions
    max_file_bytes: int
    upload_timeout: float
    upload_deadline: float


def _settings(options: BulkMutationCallOptions, api_version: str) -> _Settings:
    """The checked options (ConfigurationError naming the option and its value),
    before anything is written or sent."""
    rest = dict(options)
    limit = file_limit(api_version)
    max_bytes = rest.pop("max_file_bytes", limit)
    timeout = rest.pop("upload_timeout", DEFAULT_UPLOAD_TIMEOUT)
    deadline = rest.pop("upload_deadline", DEFAULT_UPLOAD_DEADLINE)
    try:
        max_file_bytes = check_count("max_file_bytes", max_bytes, least=1, most=limit, unit="bytes")
    except ConfigurationError as exc:
        raise ConfigurationError(f"{exc} (Shopify's limit on {api_version})") from None
    upload_timeout = check_seconds("upload_timeout", timeout, most=MAX_UPLOAD_TIMEOUT)
    upload_deadline = check_seconds("upload_deadline", deadline, most=MAX_UPLOAD_DEADLINE)
    return _Settings(bulk_options(rest), max_file_bytes, upload_timeout, upload_deadline)  # type: ignore[arg-type]


#: a BulkRun only polls and cancels here: its query is never read
_POLL_ONLY: BulkQuery[Any] = BulkQuery(
    name="BulkMutation",
    document="",
    connections=(),
    record=lambda: dict,
    group_objects_argument=False,
)


@dataclass
class _PartRun:
    """One started part: its operation, and where its lines sit in the input."""

    index: int
    operation: Any  # BulkRun | AsyncBulkRun
    first_line: int | None
    lines: int | None

    @property
    def id(self) -> str:
        return str(self.operation.id)


def _line_errors(entries: object) -> tuple[BulkLineMessage, ...]:
    if not isinstance(entries, list):
        return ()
    out = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        where = entry.get("field") if entry.get("field") is not None else entry.get("path")
        code = entry.get("code")
        if code is None and isinstance(entry.get("extensions"), dict):
            code = entry["extensions"].get("code")
        out.append(
            BulkLineMessage(
                message=str(entry.get("message")),
                field=tuple(str(p) for p in where) if isinstance(where, list) else None,
                code=str(code) if code is not None else None,
            )
        )
    return tuple(out)


class _Core(Generic[PayloadT]):
    """What the sync and async handles share."""

    def __init__(
        self,
        client: Any,
        spec: BulkMutation[PayloadT, Any],
        parts: list[_PartRun],
        settings: _Settings,
    ) -> None:
        self._client = client
        self.spec = spec
        self._parts = parts
        self.settings = settings
        self.results_read = 0

    @property
    def ids(self) -> tuple[str, ...]:
        """The operations' ids, one per part, in input order."""
        return tuple(p.id for p in self._parts)

    @property
    def id(self) -> str | None:
        """The first part's operation id (``ids`` names every part's)."""
        return self._parts[0].id if self._parts else None

    @property
    def part_lines(self) -> tuple[int, ...] | None:
        """The input lines of each part (for ``resume_<method>(ids, part_lines)``);
        None for a resumed run whose sizes are not known yet."""
        counts = [p.lines for p in self._parts]
        return None if None in counts else tuple(n for n in counts if n is not None)

    @property
    def states(self) -> tuple[BulkOperationState | None, ...]:
        return tuple(p.operation.state for p in self._parts)

    @property
    def status(self) -> str:
        """COMPLETED when every part is; else the first ending other than COMPLETED;
        else RUNNING (or CREATED before any poll)."""
        statuses = [str(p.operation.status) for p in self._parts]
        if not statuses or all(s == "COMPLETED" for s in statuses):
            return "COMPLETED"
        for status in statuses:
            if status in ("FAILED", "CANCELED", "EXPIRED"):
                return str(status)
        return "RUNNING" if any(s != "CREATED" for s in statuses) else "CREATED"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ids={self.ids!r}, status={self.status!r})"

    def _prepare(
        self, part: _PartRun, state: BulkOperationState, offset: int, partial: bool
    ) -> str | None:
        url: str | None = part.operation._source(state, partial)
        if part.first_line is None:
            part.first_line = offset
        return url

    def _expected(self, part: _PartRun, state: BulkOperationState, store: ResultStore) -> int:
        if part.lines is None:  # resumed without part_lines: Shopify's count, else the file's
            highest = store.highest()
            count = state.object_count
            most = file_limit(self._client.api_version) // 3  # a line is 3 bytes at least
            if count is not None and not 0 <= count <= most:
                # it would shift every later part's lines, or fill a partial read with
                # that many NO_RESULT lines
                raise InvalidResponseError(
                    f"bulk mutation {part.id} (part {part.index}) reports objectCount "
                    f"{count}: a part holds 0 to {most} lines (resume with part_lines)"
                )
            part.lines = count if count is not None else (highest + 1 if highest is not None else 0)
        return part.lines

    def _checked(
        self, part: _PartRun, state: BulkOperationState, store: ResultStore, partial: bool
    ) -> Iterator[BulkMutationResult[PayloadT]]:
        """The part's results once its file is in ``store``: checked, in input order.
        ``partial``: a FAILED part's partial file, where lines may lack a result."""
        store.finish()
        expected = self._expected(part, state, store)
        store.check(
            expected=expected,
            first_line=part.first_line or 0,
            part=part.index,
            operation_id=part.id,
            allow_missing=partial,
        )
        return self._emit(part, store, expected if partial else None)

    def _parse(self, model: type[PayloadT], data: dict[str, Any], part: _PartRun, line: int) -> Any:
        """The line's typed payload; a misfit names the input line and the operation."""
        try:
            return self._client.parse_result(model, data)
        except InvalidResponseError as exc:
            error = InvalidResponseError(
                f"bulk mutation {part.id} (part {part.index}), input line {line}: {exc}",
                path=exc.path,
            )
        raise error

    def _emit(
        self, part: _PartRun, store: ResultStore, fill_to: int | None = None
    ) -> Iterator[BulkMutationResult[PayloadT]]:
        model = self.spec.result()
        first = part.first_line or 0
        wanted = 0
        for line, body in store.rows():
            while fill_to is not None and wanted < line:
                yield _no_result(first + wanted)
                wanted += 1
            wanted = line + 1
            value = _decoded(body, part, first + line)
            data = value.get("data")
            payload = None
            user_errors: tuple[BulkLineMessage, ...] = ()
            if isinstance(data, dict):
                payload = self._parse(model, data, part, first + line)
                root = data.get(self.spec.field)
                if root is None and len(data) == 1:  # one root field, under an alias
                    root = next(iter(data.values()))
                if isinstance(root, dict):
                    user_errors = tuple(
                        e
                        for key, errors in root.items()
                        if errors and (key == "userErrors" or key.endswith("UserErrors"))
                        for e in _line_errors(errors)
                    )
            self.results_read += 1
            yield BulkMutationResult(
                line=first + line,
                data=payload,
                user_errors=user_errors,
                errors=_line_errors(value["errors"]) if "errors" in value else (),
            )
        while fill_to is not None and wanted < fill_to:
            yield _no_result(first + wanted)
            wanted += 1


def _decoded(body: str, part: _PartRun, line: int) -> dict[str, Any]:
    """One result line (sqlite found it valid JSON with a line number); nesting that
    sqlite's 1,000 levels allow and Python's decoder does not is an
    InvalidResponseError naming the line, not a RecursionError."""
    try:
        value = json.loads(body)
    except (RecursionError, ValueError):
        value = None
    if not isinstance(value, dict):
        raise InvalidResponseError(
            f"bulk mutation {part.id} (part {part.index}), input line {line}: "
            "the result line cannot be decoded (nested too deep)"
        )
    return value


#: the code of a line a FAILED part's partial file has no result for
NO_RESULT = "NO_RESULT"


def _no_result(line: int) -> BulkMutationResult[Any]:
    message = (
        "no result: the operation failed before reporting this line (it may or may not have run)"
    )
    return BulkMutationResult(
        line=line, data=None, errors=(BulkLineMessage(message, code=NO_RESULT),)
    )


class BulkMutationRun(_Core[PayloadT]):
    """A bulk mutation Shopify accepted (sync): ``for result in run`` waits for each
    part, downloads and checks its results and yields them in input order."""

    def refresh(self) -> tuple[BulkOperationState, ...]:
        """Poll every part once."""
        return tuple(p.operation.refresh() for p in self._parts)

    def wait(self, timeout: float | None = None) -> tuple[BulkOperationState, ...]:
        """Wait for every part (each at most ``timeout`` s, default Shopify's 24 h);
        raises the first part's error that did not complete."""
        limit = check_timeout(timeout, MAX_MUTATION_SECONDS, MAX_OPERATION_SECONDS)
        return tuple(p.operation.wait(limit) for p in self._parts)

    def cancel(self) -> None:
        """Ask Shopify to cancel every part still running."""
        for part in self._parts:
            state = part.operation.state
            if state is None or not state.terminal:
                part.operation.cancel()

    def results(
        self,
        *,
        partial: bool = False,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> Iterator[BulkMutationResult[PayloadT]]:
        """One result per input line, in input order. Each part is checked whole
        (every line once) before its first result is yielded. ``partial=True``: a
        FAILED part's partial file is read instead of raising; its lines without a
        result get one whose ``errors`` has code ``NO_RESULT``."""
        limit = check_timeout(timeout, MAX_MUTATION_SECONDS, MAX_OPERATION_SECONDS)
        offset = 0
        for part in self._parts:
            state = part.operation._terminal(limit)
            has_file = self._prepare(part, state, offset, partial) is not None
            # no frame keeps the signed url as a local before the download
            store = ResultStore(
                directory=self.settings.bulk.directory, operation_id=part.id, state=state
            )
            try:
                if has_file:
                    download_sync(
                        part.operation._url(state, partial),
                        store,
                        limits=self.settings.bulk.download,
                        operation_id=part.id,
                        transport=transport,
                    )
                yield from self._checked(part, state, store, partial and state.status == "FAILED")
            finally:
                store.close()
            offset = (part.first_line or 0) + (part.lines or 0)

    def __iter__(self) -> Iterator[BulkMutationResult[PayloadT]]:
        return self.results()


class AsyncBulkMutationRun(_Core[PayloadT]):
    """A bulk mutation Shopify accepted (async): ``async for result in run``."""

    async def refresh(self) -> tuple[BulkOperationState, ...]:
        return tuple([await p.operation.refresh() for p in self._parts])

    async def wait(self, timeout: float | None = None) -> tuple[BulkOperationState, ...]:
        limit = check_timeout(timeout, MAX_MUTATION_SECONDS, MAX_OPERATION_SECONDS)
        return tuple([await p.operation.wait(limit) for p in self._parts])

    async def cancel(self) -> None:
        for part in self._parts:
            state = part.operation.state
            if state is None or not state.terminal:
                await part.operation.cancel()

    async def results(
        self,
        *,
        partial: bool = False,
        timeout: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> AsyncIterator[BulkMutationResult[PayloadT]]:
        limit = check_timeout(timeout, MAX_MUTATION_SECONDS, MAX_OPERATION_SECONDS)
        offset = 0
        for part in self._parts:
            state = await part.operation._terminal(limit)
            has_file = self._prepare(part, state, offset, partial) is not None
            # no frame keeps the signed url as a local before the download
            store = ResultStore(
                directory=self.settings.bulk.directory, operation_id=part.id, state=state
            )
            try:
                if has_file:
                    await download_async(
                        part.operation._url(state, partial),
                        store,
                        limits=self.settings.bulk.download,
                        operation_id=part.id,
                        transport=transport,
                    )
                for result in self._checked(
                    part, state, store, partial and state.status == "FAILED"
                ):
                    yield result
            finally:
                store.close()
            offset = (part.first_line or 0) + (part.lines or 0)

    def __aiter__(self) -> AsyncIterator[BulkMutationResult[PayloadT]]:
        return self.results()
