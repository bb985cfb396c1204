"""A bulk query operation's handles: poll it, wait, cancel, read its records.

:class:`BulkRun` (sync) and :class:`AsyncBulkRun` (async), given by
:func:`._bulk_run.start_sync` and the others. Polling starts at ``poll_interval``
(default 1 s) and doubles up to ``max_poll_interval`` (default 30 s); each poll is one
ordinary call of the client (its retries, pacing and secrets rules), ``node(id:)``,
which every version has. Reading: the file is streamed (:mod:`._bulk_download`) into
the reassembler's store (:mod:`._bulk_reassembly`), the counts are checked against
Shopify's, then the typed records are yielded in file order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import _bulk_slots
from ._bulk_checks import check_read_options, check_timeout, store_error, store_failure
from ._bulk_download import (
    SignedUrl,
    download_async,
    download_steps_async,
    download_steps_sync,
    download_sync,
)
from ._bulk_errors import (
    BulkDownloadError,
    BulkIncompleteResultError,
    BulkOperationTypeError,
    BulkResultUnavailableError,
    BulkStartError,
    BulkWaitTimeoutError,
)
from ._bulk_grouped import GroupedReader
from ._bulk_progress import BulkProgress
from ._bulk_query_options import (
    CANCEL_MUTATION,
    MAX_OPERATION_SECONDS,
    POLL_QUERY,
    BulkOptions,
    BulkQuery,
    _backoff,
    _user_errors,
)
from ._bulk_reassembly import Reassembler, type_texts
from ._bulk_state import BulkOperationState
from ._exceptions import ConfigurationError

if TYPE_CHECKING:
    import httpx

    from ._client import _AsyncClient, _SyncClient

__all__ = ["AsyncBulkRun", "BulkRun"]

RecordT = TypeVar("RecordT")
logger = logging.getLogger("shopify_client")


class _RunCore(Generic[RecordT]):
    """What the sync and async handles share: state, checks, record building."""

    def __init__(
        self,
        client: Any,
        query: BulkQuery[RecordT],
        operation_id: str,
        options: BulkOptions,
        *,
        kind: str = "QUERY",
        grouped: bool | None = None,
    ) -> None:
        self._client = client
        self.query = query
        self.id = operation_id
        self.options = options
        #: the BulkOperation.type this handle reads: QUERY, or MUTATION (a bulk
        #: mutation's part, polled through this handle)
        self.kind = kind
        #: whether its file is grouped (children directly after their parent): True
        #: for a start with group_objects=True or on a version before 2025-07 (always
        #: grouped), False for a start without it, None when not known (a resume)
        self.grouped = grouped
        self.state: BulkOperationState | None = None
        #: bytes received and records yielded by the last read
        self.bytes_received = 0
        self.records_read = 0
        self._model: type[RecordT] | None = None

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

    def _url(self, state: BulkOperationState, partial: bool) -> SignedUrl:
        """The URL to read, once :meth:`_source` said there is one, held so that its
        repr names the host only (read where it is used: no frame keeps the signed
        URL as a plain string, tracebacks' locals included)."""
        url = self._source(state, partial)
        assert url is not None
        return SignedUrl(url)

    def _check_counts(
        self, state: BulkOperationState, store: Reassembler | GroupedReader, partial: bool
    ) -> None:
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

    def _store(self, state: BulkOperationState) -> Reassembler:
        """The temporary store; a directory that cannot take it now (removed since the
        start, full, read-only) is a BulkDownloadError naming it and the operation, so
        that the caller can resume it by its id, and chaining nothing."""
        try:
            return Reassembler(
                self.query.connections, operation_id=self.id, directory=self.options.directory
            )
        except (OSError, sqlite3.Error) as exc:
            reason = store_failure(exc)
        raise store_error(self.id, state, self.options.directory, reason)

    def _check_type(self, state: BulkOperationState) -> BulkOperationState:
        """The poll's state, if the operation is of this handle's kind; else a
        BulkOperationTypeError (a mutation's id resumed as a query's, or the reverse),
        at the first poll, before any download."""
        if state.type == self.kind:
            return state
        started = {
            "MUTATION": "a MUTATION bulk operation (started by bulkOperationRunMutation)",
            "QUERY": "a QUERY bulk operation (started by bulkOperationRunQuery)",
        }.get(str(state.type), f"a {state.type} bulk operation")
        if self.kind == "QUERY":
            wanted, use = f"the {self.query.name} bulk query's", "the bulk mutation's"
        else:
            wanted, use = "a bulk mutation's", "the bulk query's"
        raise BulkOperationTypeError(
            f"bulk operation {self.id} is {started}, not {wanted}: nothing of it is read "
            f"here; resume it with {use} resume_ method",
            operation_id=self.id,
            operation_type=str(state.type),
            expected_type=self.kind,
        )

    def _wait_error(self, timeout: float) -> BulkWaitTimeoutError:
        return BulkWaitTimeoutError(
            f"bulk operation {self.id} still {self.status} after {timeout:g} s",
            operation_id=self.id,
            status=self.status,
        )

    def _record_model(self) -> type[RecordT]:
        """The record model, its module imported and its (deferred) validator built.

        Called with the first chunk of the download: an ungrouped file's records are
        typed only after its last byte, when no link is left to hide anything behind,
        so what can be done before it is (~30 ms on a first run: the model's module and
        its validator). A model that cannot be built still raises at its first record."""
        if self._model is None:
            model = self.query.record()
            if getattr(model, "__pydantic_complete__", True) is False:
                # not raise_errors: a model that cannot be built raises at its first
                # record, as it always did (PydanticUserError, not a NameError here)
                model.model_rebuild(raise_errors=False)  # type: ignore[attr-defined]
            self._model = model
        return self._model

    def _log_status(self, before: str) -> None:
        """INFO when a poll finds a new status."""
        state = self.state
        if state is not None and state.status != before:
            logger.info(
                "bulk operation %s: %s (%s objects, %s roots)",
                self.id,
                state.status,
                state.object_count,
                state.root_object_count,
            )

    def _check_skip(self, skip: int, roots: int) -> None:
        """skip= past every record of the file: a checkpoint of something else."""
        if skip > roots:
            raise ConfigurationError(
                f"skip={skip} passes all {roots} records of {self.id}'s file: a checkpoint "
                "of another operation (or of another query)?"
            )

    def _check_stream(self, stream: bool) -> None:
        """stream=True on a run known to be ungrouped: refused before any poll."""
        if stream and self.grouped is False:
            raise ConfigurationError(
                f"records(stream=True) reads grouped files only, and {self.id} was started "
                "with group_objects=False (the default), so no record is complete before "
                "the end of its file: read it with records(), or start the query with "
                "group_objects=True"
            )

    def _misfit(self) -> Callable[[Exception], Exception]:
        model = self._record_model()

        def misfit(exc: Exception) -> Exception:
            return self._client._misfit(model, {}, exc)  # type: ignore[no-any-return]

        return misfit

    def _emit(
        self, store: Reassembler, progress: Callable[[int, int], None] | None, skip: int
    ) -> Iterator[RecordT]:
        model = self._record_model()
        for typed in store.typed(model, self._misfit(), skip=skip):  # type: ignore[type-var]
            self.records_read += 1
            if progress is not None:
                progress(self.bytes_received, self.records_read)
            yield typed

    def _reader(self, skip: int) -> GroupedReader:
        self.records_read = 0
        return GroupedReader(self.query.connections, operation_id=self.id, skip=skip)

    def _emit_ready(
        self,
        reader: GroupedReader,
        progress: Callable[[int, int], None] | None,
        received: int,
    ) -> Iterator[RecordT]:
        """The records of the roots ``reader`` completed so far (``stream=True``)."""
        self.bytes_received = received
        texts = reader.take()
        if texts:
            model = self._record_model()
            start = reader.skip_count + self.records_read
            for typed in type_texts(texts, model, self._misfit(), reader.not_json, start=start):  # type: ignore[type-var]
                self.records_read += 1
                if progress is not None:
                    progress(received, self.records_read)
                yield typed
        elif progress is not None:
            progress(received, self.records_read)


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
        before = self.status
        self.state = BulkOperationState.from_node(self.id, data.get("node"))
        self._log_status(before)
        _bulk_slots.seen(self._client, self.id, self.state.status)  # Redis slots, any kind
        return self._check_type(self.state)

    def _terminal(self, timeout: float | None) -> BulkOperationState:
        limit = check_timeout(timeout, MAX_OPERATION_SECONDS, MAX_OPERATION_SECONDS)
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
        stream: bool = False,
        skip: int = 0,
        transport: httpx.BaseTransport | None = None,
    ) -> Iterator[RecordT]:
        """Wait, download, check the counts, then yield every record.

        ``partial=True``: a FAILED operation's partial data is read instead of raising
        (counts unchecked). ``progress(bytes, records)`` is called as they come.
        ``stream=True`` (grouped files only: ``group_objects=True``, or a version
        before 2025-07): each record is yielded as soon as its block of the file
        ends, during the download; an error (a short file, a stray child) can then
        come after records. ``skip``: the first ``skip`` records are read but not
        typed or yielded (a resume after the records already kept).
        ``progress=shopify_client.BulkProgress(run)``: those figures as a line on a
        terminal. ``transport``: for the storage host's client (tests)."""
        try:
            yield from self._records(partial, timeout, progress, stream, skip, transport)
        finally:
            if isinstance(progress, BulkProgress):
                progress.finish()

    def _records(
        self,
        partial: bool,
        timeout: float | None,
        progress: Callable[[int, int], None] | None,
        stream: bool,
        skip: int,
        transport: httpx.BaseTransport | None,
    ) -> Iterator[RecordT]:
        stream, skip = check_read_options(stream, skip)
        self._check_stream(stream)
        state = self._terminal(timeout)
        if self._source(state, partial) is None:
            return
        if stream:
            yield from self._stream(state, partial, progress, skip, transport)
            return
        store = self._store(state)  # before the signed url is a local of this frame
        try:

            def got(received: int) -> None:
                if self._model is None:
                    self._record_model()
                self.bytes_received = received
                if progress is not None:
                    progress(received, store.lines)

            download_sync(
                self._url(state, partial),
                store,
                limits=self.options.download,
                operation_id=self.id,
                progress=got,
                transport=transport,
            )
            store.finish()
            self._check_counts(state, store, partial)
            self._check_skip(skip, store.roots)
            self.records_read = 0
            yield from self._emit(store, progress, skip)
        finally:
            store.close()

    def _stream(
        self,
        state: BulkOperationState,
        partial: bool,
        progress: Callable[[int, int], None] | None,
        skip: int,
        transport: httpx.BaseTransport | None,
    ) -> Iterator[RecordT]:
        reader = self._reader(skip)
        received = 0
        steps = download_steps_sync(
            self._url(state, partial),
            reader,
            limits=self.options.download,
            operation_id=self.id,
            transport=transport,
        )
        with contextlib.closing(steps):  # a caller that stops early closes the download
            for received in steps:
                yield from self._emit_ready(reader, progress, received)
        reader.finish()
        yield from self._emit_ready(reader, progress, received)
        self._check_counts(state, reader, partial)
        self._check_skip(skip, reader.roots)

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
        before = self.status
        self.state = BulkOperationState.from_node(self.id, data.get("node"))
        self._log_status(before)
        await _bulk_slots.seen_async(self._client, self.id, self.state.status)
        return self._check_type(self.state)

    async def _terminal(self, timeout: float | None) -> BulkOperationState:
        limit = check_timeout(timeout, MAX_OPERATION_SECONDS, MAX_OPERATION_SECONDS)
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
        stream: bool = False,
        skip: int = 0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> AsyncIterator[RecordT]:
        """:meth:`BulkRun.records`, async."""
        try:
            inner = self._records(partial, timeout, progress, stream, skip, transport)
            async with contextlib.aclosing(inner):
                async for record in inner:
                    yield record
        finally:
            if isinstance(progress, BulkProgress):
                progress.finish()

    async def _records(
        self,
        partial: bool,
        timeout: float | None,
        progress: Callable[[int, int], None] | None,
        stream: bool,
        skip: int,
        transport: httpx.AsyncBaseTransport | None,
    ) -> AsyncGenerator[RecordT, None]:
        stream, skip = check_read_options(stream, skip)
        self._check_stream(stream)
        state = await self._terminal(timeout)
        if self._source(state, partial) is None:
            return
        if stream:
            reader = self._reader(skip)
            received = 0
            steps = download_steps_async(
                self._url(state, partial),
                reader,
                limits=self.options.download,
                operation_id=self.id,
                transport=transport,
            )
            # aclose() of the caller's iterator closes the download now, not when the
            # loop finalizes an abandoned generator
            async with contextlib.aclosing(steps):
                async for received in steps:
                    for record in self._emit_ready(reader, progress, received):
                        yield record
            reader.finish()
            for record in self._emit_ready(reader, progress, received):
                yield record
            self._check_counts(state, reader, partial)
            self._check_skip(skip, reader.roots)
            return
        store = self._store(state)
        try:

            def got(received: int) -> None:
                if self._model is None:
                    self._record_model()
                self.bytes_received = received
                if progress is not None:
                    progress(received, store.lines)

            await download_async(
                self._url(state, partial),
                store,
                limits=self.options.download,
                operation_id=self.id,
                progress=got,
                transport=transport,
            )
            store.finish()
            self._check_counts(state, store, partial)
            self._check_skip(skip, store.roots)
            self.records_read = 0
            for record in self._emit(store, progress, skip):
                yield record
        finally:
            store.close()

    def __aiter__(self) -> AsyncIterator[RecordT]:
        return self.records()
