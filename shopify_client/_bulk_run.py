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
(its retries, pacing and secrets rules). Where the rest lives:

- :mod:`._bulk_query_options`: :class:`BulkQuery`, the options and their defaults,
  the GraphQL texts, the slots per version, the reading of ``userErrors``;
- :mod:`._bulk_handles`: :class:`BulkRun` / :class:`AsyncBulkRun` (poll, wait,
  cancel, read);
- :mod:`._bulk_download` and :mod:`._bulk_reassembly`: the download and the store.

This module starts an operation (waiting for a slot) or resumes one by its id, and
still answers for every name it held before the split.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any, TypeVar

from . import _bulk_slots
from ._bulk_handles import AsyncBulkRun, BulkRun
from ._bulk_literals import render_bulk_query
from ._bulk_query_options import (
    _GID,
    CANCEL_MUTATION,
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_SLOT_WAIT,
    MAX_OPERATION_SECONDS,
    POLL_QUERY,
    RUN_MUTATION,
    RUN_MUTATION_GROUPED,
    BulkCallOptions,
    BulkOptions,
    BulkQuery,
    _backoff,
    _check_id,
    _concurrency_error,
    _in_progress,
    _run_variables,
    _started,
    _user_errors,
    bulk_options,
    bulk_query_slots,
)
from ._bulk_state import BulkOperationState

__all__ = [
    "CANCEL_MUTATION",
    "DEFAULT_MAX_POLL_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_SLOT_WAIT",
    "MAX_OPERATION_SECONDS",
    "POLL_QUERY",
    "RUN_MUTATION",
    "RUN_MUTATION_GROUPED",
    "AsyncBulkRun",
    "BulkCallOptions",
    "BulkOperationState",
    "BulkOptions",
    "BulkQuery",
    "BulkRun",
    "bulk_options",
    "bulk_query_slots",
    "resume_async",
    "resume_sync",
    "start_async",
    "start_sync",
]
# where they were before the split (the bulk mutations and tests import them here)
__all__ += [
    "_GID",
    "_backoff",
    "_check_id",
    "_concurrency_error",
    "_in_progress",
    "_run_variables",
    "_started",
    "_user_errors",
]

RecordT = TypeVar("RecordT")


def _grouped(query: BulkQuery[Any], group_objects: bool | None = None) -> bool | None:
    """Whether the operation's file is grouped: always before 2025-07 (no argument),
    else as it was started (None: resumed, not known)."""
    if not query.group_objects_argument:
        return True
    return group_objects


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
    return BulkRun(client, query, operation_id, settings, grouped=_grouped(query, group_objects))


def resume_sync(
    client: Any, query: BulkQuery[RecordT], operation_id: str, options: BulkCallOptions
) -> BulkRun[RecordT]:
    return BulkRun(
        client, query, _check_id(operation_id), bulk_options(options), grouped=_grouped(query)
    )


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
    return AsyncBulkRun(
        client, query, operation_id, settings, grouped=_grouped(query, group_objects)
    )


def resume_async(
    client: Any, query: BulkQuery[RecordT], operation_id: str, options: BulkCallOptions
) -> AsyncBulkRun[RecordT]:
    return AsyncBulkRun(
        client, query, _check_id(operation_id), bulk_options(options), grouped=_grouped(query)
    )
