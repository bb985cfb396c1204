"""A bulk query operation: start it, poll it, read its records (sync and async).

The generated ``client.export_products(...)`` calls :meth:`_SyncBulk._bulk_start` with
the query's :class:`BulkQuery` (built by shopify-codegen from a ``bulk/*.graphql``
file) and returns a :class:`BulkRun`; ``resume_export_products(operation_id)`` gives
the same handle for an operation started earlier. Facts used (Shopify's bulk query
guide, https://shopify.dev/docs/api/usage/bulk-operations/queries, and the changelog):

- started by ``bulkOperationRunQuery(query:, groupObjects:)``; ``groupObjects`` exists
  from 2025-07 and defaults to false from 2026-01, so it is sent only where the
  schema has it, false unless asked;
- tracked with ``node(id:) { ... on BulkOperation }``, which every version has
  (``bulkOperation(id:)`` only from 2026-01; ``currentBulkOperation`` is deprecated);
- statuses CREATED, RUNNING, COMPLETED, FAILED, CANCELING, CANCELED, EXPIRED; a FAILED
  operation may keep a ``partialDataUrl``; Shopify cancels stalled operations;
- at most 1 bulk query at a time per shop and app before 2026-01, 5 from 2026-01;
  past it ``userErrors`` says "... already in progress" with the running ids;
- an operation must end within 10 days: the longest a :meth:`BulkRun.wait` waits
  unless given ``timeout=``.

Polling starts at ``poll_interval`` (default 1 s) and doubles up to
``max_poll_interval`` (default 30 s). Each poll is one ordinary call of the client
(its retries, pacing and secrets rules). The download and reassembly live in
:mod:`._bulk_download` and :mod:`._bulk_reassembly`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

from . import _bulk_slots
from ._bulk_download import (
    DEFAULT_MAX_BULK_BYTES,
    DEFAULT_MAX_RESUMES,
    DEFAULT_READ_TIMEOUT,
    DownloadLimits,
    download_async,
    download_sync,
)
from ._bulk_errors import (
    BulkConcurrencyError,
    BulkDownloadError,
    BulkIncompleteResultError,
    BulkResultUnavailableError,
    BulkStartError,
    BulkWaitTimeoutError,
)
from ._bulk_literals import render_bulk_query
from ._bulk_reassembly import BulkConnection, Reassembler
from ._bulk_state import BulkOperationState
from ._exceptions import ConfigurationError
from ._redact import printable

if TYPE_CHECKING:
    import httpx

    from ._client import _AsyncClient, _SyncClient

__all__ = [
    "DEFAULT_POLL_INTERVAL",
    "MAX_OPERATION_SECONDS",
    "AsyncBulkRun",
    "BulkCallOptions",
    "BulkOperationState",
    "BulkOptions",
    "BulkQuery",
    "BulkRun",
    "bulk_query_slots",
]

RecordT = TypeVar("RecordT")

DEFAULT_POLL_INTERVAL = 1.0
DEFAULT_MAX_POLL_INTERVAL = 30.0
#: seconds a start waits for a free slot before BulkConcurrencyError
DEFAULT_SLOT_WAIT = 600.0
#: Shopify's limit on a bulk query's run: 10 days (plus an hour of slack)
MAX_OPERATION_SECONDS = 10 * 24 * 3600 + 3600
_GID = re.compile(r"gid://shopify/BulkOperation/\d+")

POLL_QUERY = """query BulkOperationStatus($id: ID!) {
  node(id: $id) {
    __typename
    ... on BulkOperation {
      id status errorCode objectCount rootObjectCount fileSize url partialDataUrl
    }
  }
}"""
_RUN = """mutation BulkOperationRunQuery($query: String!{defs}) {{
  bulkOperationRunQuery(query: $query{args}) {{
    bulkOperation {{ id status }}
    userErrors {{ field message }}
  }}
}}"""
RUN_MUTATION = _RUN.format(defs="", args="")
RUN_MUTATION_GROUPED = _RUN.format(
    defs=", $groupObjects: Boolean!", args=", groupObjects: $groupObjects"
)
CANCEL_MUTATION = """mutation BulkOperationCancel($id: ID!) {
  bulkOperationCancel(id: $id) {
    bulkOperation { id status }
    userErrors { field message }
  }
}"""


def bulk_query_slots(api_version: str) -> int:
    """Bulk queries one app may run at once on a shop: 1 before 2026-01, 5 from it."""
    return 1 if api_version < "2026-01" else 5


@dataclass(frozen=True)
class BulkQuery(Generic[RecordT]):
    """A generated bulk query: its text, variables and the shape of its records."""

    name: str
    document: str
    connections: tuple[BulkConnection, ...]
    record: Callable[[], type[RecordT]]
    #: the schema's bulkOperationRunQuery has groupObjects (2025-07 on)
    group_objects_argument: bool
    enums: frozenset[str] = field(default=frozenset())


@dataclass(frozen=True)
class BulkOptions:
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL
    slot_wait: float = DEFAULT_SLOT_WAIT
    download: DownloadLimits = field(default_factory=DownloadLimits)
    #: a temporary folder for the reassembly store (default: the system's)
    directory: str | None = None

    def __post_init__(self) -> None:
        for name in ("poll_interval", "max_poll_interval", "slot_wait"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ConfigurationError(f"{name} must be a number of seconds above 0")
        if self.max_poll_interval < self.poll_interval:
            raise ConfigurationError("max_poll_interval must not be below poll_interval")


def _backoff(interval: float, options: BulkOptions) -> float:
    return min(options.max_poll_interval, interval * 2)


def _user_errors(payload: object) -> list[str]:
    """A bulk operation's ``userErrors`` (run, cancel), as at most 10 printable messages
    of 300 characters: a hostile answer cannot forge log lines, grow the error, or
    turn a non-list into a bare TypeError."""
    errors = payload.get("userErrors") if isinstance(payload, dict) else None
    if not errors:
        return []
    listed = errors if isinstance(errors, list) else [errors]
    messages = [
        printable(str(e.get("message") if isinstance(e, dict) else e))[:300] for e in listed[:10]
    ]
    if len(listed) > 10:
        messages.append(f"and {len(listed) - 10} more")
    return messages


def _in_progress(messages: list[str]) -> bool:
    # "A bulk query operation for this app and shop is already in progress: <ids>"
    return any("already in progress" in m.lower() for m in messages)


def _started(payload: object, messages: list[str], name: str) -> str:
    if messages:
        raise BulkStartError(
            f"bulkOperationRunQuery refused {name}: " + "; ".join(messages), operation_id=None
        )
    operation = payload.get("bulkOperation") if isinstance(payload, dict) else None
    if not isinstance(operation, dict) or not isinstance(operation.get("id"), str):
        raise BulkStartError(
            f"bulkOperationRunQuery answered no operation for {name}", operation_id=None
        )
    return str(operation["id"])


def _concurrency_error(
    messages: list[str], api_version: str, waited: float
) -> BulkConcurrencyError:
    running = tuple(dict.fromkeys(m for text in messages for m in _GID.findall(text)))
    slots = bulk_query_slots(api_version)
    names = ", ".join(running) or "unnamed"
    return BulkConcurrencyError(
        f"no free bulk query slot ({slots} on {api_version}) after {waited:.0f} s; "
        f"in progress: {names}",
        running=running,
        slots=slots,
    )


class _RunCore(Generic[RecordT]):
    """What the sync and async handles share: state, checks, record building."""

    def __init__(
        self, client: Any, query: BulkQuery[RecordT], operation_id: str, options: BulkOptions
    ) -> None:
        self._client = client
        self.query = query
        self.id = operation_id
        self.options = options
        self.state: BulkOperationState | None = None
        #: bytes received and records yielded by the last read
        self.bytes_received = 0
        self.records_read = 0

    @property
    def status(self) -> str:
        """The last status seen (CREATED until the first poll)."""
        return self.state.status if self.state is not None else "CREATED"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r}, status={self.status!r})"

    def _source(self, state: BulkOperationState, partial: bool) -> str | None:
        """The URL to read, None for a genuinely empty result; raises the rest."""
        if state.status == "COMPLETED":
            limit = self.options.download.max_bytes
            if state.url is not None and state.file_size is not None and state.file_size > limit:
                raise BulkDownloadError(
                    f"bulk result of {state.id}: Shopify counts {state.file_size} bytes, past "
                    f"max_bulk_bytes ({limit} bytes); raise it to read it",
                    operation_id=state.id,
                    status=state.status,
                    object_count=state.object_count,
                    root_object_count=state.root_object_count,
                )
            if state.url is not None:
                return state.url
            if not state.object_count and not state.root_object_count:
                return None
            raise BulkResultUnavailableError(
                f"bulk operation {state.id} completed with {state.object_count} objects "
                "but no url: its file is gone",
                operation_id=state.id,
                status=state.status,
                object_count=state.object_count,
                root_object_count=state.root_object_count,
            )
        error = state.error()
        if partial and state.status == "FAILED" and state.partial_data_url is not None:
            return state.partial_data_url
        assert error is not None
        raise error

    def _check_counts(self, state: BulkOperationState, store: Reassembler, partial: bool) -> None:
        if partial or state.status != "COMPLETED":
            return
        short = (state.root_object_count is not None and store.roots < state.root_object_count) or (
            state.object_count is not None and store.lines < state.object_count
        )
        if short:
            raise BulkIncompleteResultError(
                f"bulk operation {state.id}: the file holds {store.roots} root objects and "
                f"{store.lines} objects; Shopify counted {state.root_object_count} and "
                f"{state.object_count}",
                operation_id=state.id,
                status=state.status,
                object_count=state.object_count,
                root_object_count=state.root_object_count,
            )

    def _store(self) -> Reassembler:
        return Reassembler(
            self.query.connections, operation_id=self.id, directory=self.options.directory
        )

    def _wait_error(self, timeout: float) -> BulkWaitTimeoutError:
        return BulkWaitTimeoutError(
            f"bulk operation {self.id} still {self.status} after {timeout:g} s",
            operation_id=self.id,
            status=self.status,
        )

    def _emit(
        self, store: Reassembler, progress: Callable[[int, int], None] | None
    ) -> Iterator[RecordT]:
        model = self.query.record()

        def misfit(exc: Exception) -> Exception:
            return self._client._misfit(model, {}, exc)  # type: ignore[no-any-return]

        for typed in store.typed(model, misfit):  # type: ignore[type-var]
            self.records_read += 1
            if progress is not None:
                progress(self.bytes_received, self.records_read)
            yield typed


class BulkRun(_RunCore[RecordT]):
    """A bulk query operation Shopify accepted (sync). ``for record in run`` waits,
    downloads and yields the records; or ``wait()``, ``cancel()``, ``records()``."""

    _client: _SyncClient

    def refresh(self) -> BulkOperationState:
        """Poll once (``node(id:)``)."""
        data = self._client.get_data(
            self._client.execute(
                POLL_QUERY, "BulkOperationStatus", {"id": self.id}, operation_type="query"
            )
        )
        self.state = BulkOperationState.from_node(self.id, data.get("node"))
        _bulk_slots.seen(self._client, self.id, self.state.status)  # Redis slots, any kind
        return self.state

    def _terminal(self, timeout: float | None) -> BulkOperationState:
        limit = MAX_OPERATION_SECONDS if timeout is None else timeout
        deadline = time.monotonic() + limit
        interval = self.options.poll_interval
        while True:
            state = self.refresh()
            if state.terminal:
                return state
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._wait_error(limit)
            time.sleep(min(interval, left))
            interval = _backoff(interval, self.options)

    def wait(self, timeout: float | None = None) -> BulkOperationState:
        """Poll until a terminal status; return it if COMPLETED, else raise its error.
        ``timeout``: seconds (default: Shopify's 10-day limit on an operation)."""
        state = self._terminal(timeout)
        error = state.error()
        if error is not None:
            raise error
        return state

    def cancel(self) -> BulkOperationState | None:
        """Ask Shopify to cancel (status CANCELING, then CANCELED)."""
        data = self._client.get_data(
            self._client.execute(
                CANCEL_MUTATION, "BulkOperationCancel", {"id": self.id}, operation_type="mutation"
            )
        )
        payload = data.get("bulkOperationCancel")
        messages = _user_errors(payload)
        if messages:
            raise BulkStartError(
                f"bulkOperationCancel refused {self.id}: " + "; ".join(messages),
                operation_id=self.id,
                status=self.status,
            )
        return self.refresh()

    def records(
        self,
        *,
        partial: bool = False,
        timeout: float | None = None,
        progress: Callable[[int, int], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> Iterator[RecordT]:
        """Wait, download, check the counts, then yield every record.

        ``partial=True``: a FAILED operation's partial data is read instead of raising
        (counts unchecked). ``progress(bytes, records)`` is called as they come.
        ``transport``: for the storage host's client (tests)."""
        state = self._terminal(timeout)
        url = self._source(state, partial)
        if url is None:
            return
        store = self._store()
        try:

            def got(received: int) -> None:
                self.bytes_received = received
                if progress is not None:
                    progress(received, store.lines)

            download_sync(
                url,
                store,
                limits=self.options.download,
                operation_id=self.id,
                progress=got,
                transport=transport,
            )
            store.finish()
            self._check_counts(state, store, partial)
            yield from self._emit(store, progress)
        finally:
            store.close()

    def __iter__(self) -> Iterator[RecordT]:
        return self.records()


class AsyncBulkRun(_RunCore[RecordT]):
    """A bulk query operation Shopify accepted (async): ``async for record in run``."""

    _client: _AsyncClient

    async def refresh(self) -> BulkOperationState:
        response = await self._client.execute(
            POLL_QUERY, "BulkOperationStatus", {"id": self.id}, operation_type="query"
        )
        data = self._client.get_data(response)
        self.state = BulkOperationState.from_node(self.id, data.get("node"))
        await _bulk_slots.seen_async(self._client, self.id, self.state.status)
        return self.state

    async def _terminal(self, timeout: float | None) -> BulkOperationState:
        limit = MAX_OPERATION_SECONDS if timeout is None else timeout
        deadline = time.monotonic() + limit
        interval = self.options.poll_interval
        while True:
            state = await self.refresh()
            if state.terminal:
                return state
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._wait_error(limit)
            await asyncio.sleep(min(interval, left))
            interval = _backoff(interval, self.options)

    async def wait(self, timeout: float | None = None) -> BulkOperationState:
        state = await self._terminal(timeout)
        error = state.error()
        if error is not None:
            raise error
        return state

    async def cancel(self) -> BulkOperationState | None:
        response = await self._client.execute(
            CANCEL_MUTATION, "BulkOperationCancel", {"id": self.id}, operation_type="mutation"
        )
        messages = _user_errors(self._client.get_data(response).get("bulkOperationCancel"))
        if messages:
            raise BulkStartError(
                f"bulkOperationCancel refused {self.id}: " + "; ".join(messages),
                operation_id=self.id,
                status=self.status,
            )
        return await self.refresh()

    async def records(
        self,
        *,
        partial: bool = False,
        timeout: float | None = None,
        progress: Callable[[int, int], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> AsyncIterator[RecordT]:
        state = await self._terminal(timeout)
        url = self._source(state, partial)
        if url is None:
            return
        store = self._store()
        try:

            def got(received: int) -> None:
                self.bytes_received = received
                if progress is not None:
                    progress(received, store.lines)

            await download_async(
                url,
                store,
                limits=self.options.download,
                operation_id=self.id,
                progress=got,
                transport=transport,
            )
            store.finish()
            self._check_counts(state, store, partial)
            for record in self._emit(store, progress):
                yield record
        finally:
            store.close()

    def __aiter__(self) -> AsyncIterator[RecordT]:
        return self.records()


def _run_variables(
    query: BulkQuery[Any], text: str, group_objects: bool
) -> tuple[str, dict[str, object]]:
    if query.group_objects_argument:
        return RUN_MUTATION_GROUPED, {"query": text, "groupObjects": group_objects}
    if group_objects:
        raise ConfigurationError(
            "this API version has no groupObjects argument (2025-07 on): its files are grouped"
        )
    return RUN_MUTATION, {"query": text}


class BulkCallOptions(TypedDict, total=False):
    """The options of a generated bulk method (``export_products(poll_interval=5)``).

    ``poll_interval`` (first poll interval, s, doubled up to ``max_poll_interval``),
    ``slot_wait`` (s to wait for a free slot), ``max_bulk_bytes`` (cap on the file),
    ``read_timeout`` (s per read of it), ``max_resumes`` (Range resumes in a row),
    ``directory`` (where the temporary store goes)."""

    poll_interval: float
    max_poll_interval: float
    slot_wait: float
    max_bulk_bytes: int
    read_timeout: float
    max_resumes: int
    directory: str


def bulk_options(options: BulkCallOptions) -> BulkOptions:
    limits = DownloadLimits(
        max_bytes=options.get("max_bulk_bytes", DEFAULT_MAX_BULK_BYTES),
        read_timeout=options.get("read_timeout", DEFAULT_READ_TIMEOUT),
        max_resumes=options.get("max_resumes", DEFAULT_MAX_RESUMES),
    )
    unknown = set(options) - set(BulkCallOptions.__annotations__)
    if unknown:
        raise ConfigurationError(f"unknown bulk option(s): {', '.join(sorted(unknown))}")
    return BulkOptions(
        poll_interval=options.get("poll_interval", DEFAULT_POLL_INTERVAL),
        max_poll_interval=options.get(
            "max_poll_interval", max(DEFAULT_MAX_POLL_INTERVAL, options.get("poll_interval", 0))
        ),
        slot_wait=options.get("slot_wait", DEFAULT_SLOT_WAIT),
        download=limits,
        directory=options.get("directory"),
    )


def _check_id(operation_id: object) -> str:
    if not isinstance(operation_id, str) or not _GID.fullmatch(operation_id):
        raise ConfigurationError("operation_id must be a gid://shopify/BulkOperation/<n> id")
    return operation_id


def start_sync(
    client: Any,
    query: BulkQuery[RecordT],
    values: Mapping[str, object],
    group_objects: bool,
    options: BulkCallOptions,
) -> BulkRun[RecordT]:
    """Start the operation (waiting up to ``slot_wait`` for a slot); its handle.

    With Redis pacing, a slot counted in Redis by every process of the app is taken
    first (:mod:`._bulk_slots`), so that none submits past the version's limit."""
    settings = bulk_options(options)
    text = render_bulk_query(query.document, values, query.enums)
    mutation, variables = _run_variables(query, text, group_objects)
    started = time.monotonic()
    interval = settings.poll_interval
    slot = _bulk_slots.take(
        client,
        "query",
        wait=settings.slot_wait,
        poll=settings.poll_interval,
        max_poll=settings.max_poll_interval,
    )
    try:
        while True:
            data = client.get_data(
                client.execute(
                    mutation, "BulkOperationRunQuery", variables, operation_type="mutation"
                )
            )
            payload = data.get("bulkOperationRunQuery")
            messages = _user_errors(payload)
            if not _in_progress(messages):
                operation_id = _started(payload, messages, query.name)
                break
            waited = time.monotonic() - started
            if waited + interval > settings.slot_wait:
                raise _concurrency_error(messages, client.api_version, waited)
            _bulk_slots.renew(slot)  # a slot Redis did not count: Shopify's answer decides
            time.sleep(interval)
            interval = _backoff(interval, settings)
    except BaseException:
        _bulk_slots.release(slot)
        raise
    _bulk_slots.attach(slot, operation_id)
    return BulkRun(client, query, operation_id, settings)


def resume_sync(
    client: Any, query: BulkQuery[RecordT], operation_id: str, options: BulkCallOptions
) -> BulkRun[RecordT]:
    return BulkRun(client, query, _check_id(operation_id), bulk_options(options))


async def start_async(
    client: Any,
    query: BulkQuery[RecordT],
    values: Mapping[str, object],
    group_objects: bool,
    options: BulkCallOptions,
) -> AsyncBulkRun[RecordT]:
    settings = bulk_options(options)
    text = render_bulk_query(query.document, values, query.enums)
    mutation, variables = _run_variables(query, text, group_objects)
    started = time.monotonic()
    interval = settings.poll_interval
    slot = await _bulk_slots.take_async(
        client,
        "query",
        wait=settings.slot_wait,
        poll=settings.poll_interval,
        max_poll=settings.max_poll_interval,
    )
    try:
        while True:
            response = await client.execute(
                mutation, "BulkOperationRunQuery", variables, operation_type="mutation"
            )
            payload = client.get_data(response).get("bulkOperationRunQuery")
            messages = _user_errors(payload)
            if not _in_progress(messages):
                operation_id = _started(payload, messages, query.name)
                break
            waited = time.monotonic() - started
            if waited + interval > settings.slot_wait:
                raise _concurrency_error(messages, client.api_version, waited)
            await _bulk_slots.renew_async(slot)
            await asyncio.sleep(interval)
            interval = _backoff(interval, settings)
    except BaseException:
        await _bulk_slots.release_async(slot)
        raise
    await _bulk_slots.attach_async(slot, operation_id)
    return AsyncBulkRun(client, query, operation_id, settings)


def resume_async(
    client: Any, query: BulkQuery[RecordT], operation_id: str, options: BulkCallOptions
) -> AsyncBulkRun[RecordT]:
    return AsyncBulkRun(client, query, _check_id(operation_id), bulk_options(options))
