"""Starting and resuming a bulk mutation's parts (sync and async).

Per part of the caller's iterable (:mod:`._bulk_mutation_parts`): wait for a free
slot (1 bulk mutation at a time per shop and app before 2026-01, 5 from it: a part
waits for one of ours to end, then retries Shopify's "already in progress" answer, up
to ``slot_wait``), ``stagedUploadsCreate``, the upload (:mod:`._staged_upload`), and
``bulkOperationRunMutation(mutation:, stagedUploadPath:, clientIdentifier:)``
(https://shopify.dev/docs/api/usage/bulk-operations/imports). The handles are in
:mod:`._bulk_mutation`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from . import _bulk_slots
from ._bulk_errors import BulkStartError
from ._bulk_mutation import (
    _POLL_ONLY,
    RUN_MUTATION,
    AsyncBulkMutationRun,
    BulkMutation,
    BulkMutationCallOptions,
    BulkMutationRun,
    _PartRun,
    _Settings,
    _settings,
    bulk_mutation_slots,
)
from ._bulk_mutation_parts import Part, file_limit, write_parts
from ._bulk_run import (
    _GID,
    AsyncBulkRun,
    BulkRun,
    _backoff,
    _check_id,
    _concurrency_error,
    _in_progress,
    _user_errors,
)
from ._exceptions import ConfigurationError, ShopifyError
from ._staged_upload import (
    STAGE_MUTATION,
    read_target,
    stage_variables,
    upload_async,
    upload_sync,
)

if TYPE_CHECKING:
    import httpx

__all__ = ["resume_async", "resume_sync", "start_async", "start_sync"]

PayloadT = TypeVar("PayloadT")


# -- starting ------------------------------------------------------------------------


def _run_variables(
    spec: BulkMutation[Any, Any], key: str, client_identifier: str | None
) -> dict[str, object]:
    variables: dict[str, object] = {"mutation": spec.document, "stagedUploadPath": key}
    if client_identifier is not None:
        variables["clientIdentifier"] = client_identifier
    return variables


def _started(payload: object, messages: list[str], spec: BulkMutation[Any, Any], part: int) -> str:
    if messages:
        raise BulkStartError(
            f"bulkOperationRunMutation refused {spec.name} (part {part}): " + "; ".join(messages),
            operation_id=None,
        )
    operation = payload.get("bulkOperation") if isinstance(payload, dict) else None
    operation_id = operation.get("id") if isinstance(operation, dict) else None
    if not isinstance(operation_id, str) or not _GID.fullmatch(operation_id):
        raise BulkStartError(
            f"bulkOperationRunMutation answered no operation for {spec.name} (part {part})"
            + (" (an id that is not a gid://shopify/BulkOperation/<n>)" if operation_id else ""),
            operation_id=None,
        )
    return operation_id


def _running(parts: list[_PartRun]) -> list[_PartRun]:
    return [p for p in parts if p.operation.state is None or not p.operation.state.terminal]


def _check_identifier(client_identifier: object) -> None:
    if client_identifier is not None and not isinstance(client_identifier, str):
        raise ConfigurationError("client_identifier must be a string or None")


def _prepare(
    client: Any,
    spec: BulkMutation[Any, Any],
    items: Iterable[Any],
    client_identifier: str | None,
    options: BulkMutationCallOptions,
) -> tuple[_Settings, int, Generator[Part, None, None]]:
    """What both starts need first: the settings, the version's slots and the part
    writer (which consumes ``items`` as the parts are read from it)."""
    _check_identifier(client_identifier)
    settings = _settings(options, client.api_version)
    writer = write_parts(
        items,
        spec.variables(),
        name=spec.name,
        max_bytes=settings.max_file_bytes,
        directory=settings.bulk.directory,
    )
    return settings, bulk_mutation_slots(client.api_version), writer


def start_sync(
    client: Any,
    spec: BulkMutation[PayloadT, Any],
    items: Iterable[Any],
    client_identifier: str | None,
    options: BulkMutationCallOptions,
    transport: httpx.BaseTransport | None = None,
) -> BulkMutationRun[PayloadT]:
    """Write, stage, upload and start every part; the handle once all are accepted."""
    settings, slots, writer = _prepare(client, spec, items, client_identifier, options)
    parts: list[_PartRun] = []
    try:
        for part in writer:
            try:
                _wait_for_slot_sync(parts, slots, settings, client.api_version)
                started = tuple(p.id for p in parts)
                # the answer holds the signed form: no local keeps it (traceback locals)
                target = read_target(
                    client.get_data(
                        client.execute(
                            STAGE_MUTATION,
                            "StagedUploadsCreate",
                            stage_variables(part.filename),
                            operation_type="mutation",
                        )
                    ),
                    part.index,
                    started,
                )
                upload_sync(
                    target,
                    part.path,
                    part.filename,
                    part=part.index,
                    started=started,
                    timeout=settings.upload_timeout,
                    deadline_seconds=settings.upload_deadline,
                    transport=transport,
                )
                assert target.key is not None
                operation_id = _run_sync(
                    client, spec, target.key, client_identifier, part, settings
                )
            finally:
                part.remove()
            parts.append(_new_part(client, part, operation_id, settings, BulkRun))
    except ShopifyError as exc:
        _name_started(exc, parts)
        raise
    finally:
        writer.close()
    return BulkMutationRun(client, spec, parts, settings)


def _name_started(exc: ShopifyError, parts: list[_PartRun]) -> None:
    """An error while starting a later part names the parts already running
    (``operation_ids``): cancel them, or resume them with their ids."""
    if parts and not getattr(exc, "operation_ids", ()):
        exc.operation_ids = tuple(p.id for p in parts)  # type: ignore[attr-defined]


def _new_part(
    client: Any, part: Part, operation_id: str, settings: _Settings, cls: Any
) -> _PartRun:
    return _PartRun(
        part.index,
        cls(client, _POLL_ONLY, operation_id, settings.bulk, kind="MUTATION"),
        part.first_line,
        part.lines,
    )


def _wait_for_slot_sync(
    parts: list[_PartRun], slots: int, settings: _Settings, version: str
) -> None:
    started = time.monotonic()
    interval = settings.bulk.poll_interval
    while True:
        running = _running(parts)
        if len(running) < slots:
            return
        for part in running:
            part.operation.refresh()
        if len(_running(parts)) < slots:
            return
        waited = time.monotonic() - started
        if waited + interval > settings.bulk.slot_wait:
            raise _concurrency_error([", ".join(p.id for p in running)], version, waited)
        time.sleep(interval)
        interval = _backoff(interval, settings.bulk)


def _run_sync(
    client: Any,
    spec: BulkMutation[Any, Any],
    key: str,
    client_identifier: str | None,
    part: Part,
    settings: _Settings,
) -> str:
    started = time.monotonic()
    interval = settings.bulk.poll_interval
    variables = _run_variables(spec, key, client_identifier)
    slot = _bulk_slots.take(  # a slot counted in Redis (None without Redis pacing)
        client,
        "mutation",
        wait=settings.bulk.slot_wait,
        poll=settings.bulk.poll_interval,
        max_poll=settings.bulk.max_poll_interval,
    )
    try:
        while True:
            data = client.get_data(
                client.execute(
                    RUN_MUTATION, "BulkOperationRunMutation", variables, operation_type="mutation"
                )
            )
            payload = data.get("bulkOperationRunMutation")
            messages = _user_errors(payload)
            if not _in_progress(messages):
                operation_id = _started(payload, messages, spec, part.index)
                break
            waited = time.monotonic() - started
            if waited + interval > settings.bulk.slot_wait:
                raise _concurrency_error(messages, client.api_version, waited)
            _bulk_slots.renew(slot)
            time.sleep(interval)
            interval = _backoff(interval, settings.bulk)
    except BaseException:
        _bulk_slots.release(slot)
        raise
    _bulk_slots.attach(slot, operation_id)
    return operation_id


async def start_async(
    client: Any,
    spec: BulkMutation[PayloadT, Any],
    items: Iterable[Any],
    client_identifier: str | None,
    options: BulkMutationCallOptions,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncBulkMutationRun[PayloadT]:
    settings, slots, writer = _prepare(client, spec, items, client_identifier, options)
    parts: list[_PartRun] = []
    try:
        for part in writer:
            try:
                await _wait_for_slot_async(parts, slots, settings, client.api_version)
                started = tuple(p.id for p in parts)
                target = read_target(
                    client.get_data(
                        await client.execute(
                            STAGE_MUTATION,
                            "StagedUploadsCreate",
                            stage_variables(part.filename),
                            operation_type="mutation",
                        )
                    ),
                    part.index,
                    started,
                )
                await upload_async(
                    target,
                    part.path,
                    part.filename,
                    part=part.index,
                    started=started,
                    timeout=settings.upload_timeout,
                    deadline_seconds=settings.upload_deadline,
                    transport=transport,
                )
                assert target.key is not None
                operation_id = await _run_async(
                    client, spec, target.key, client_identifier, part, settings
                )
            finally:
                part.remove()
            parts.append(_new_part(client, part, operation_id, settings, AsyncBulkRun))
    except ShopifyError as exc:
        _name_started(exc, parts)
        raise
    finally:
        writer.close()
    return AsyncBulkMutationRun(client, spec, parts, settings)


async def _wait_for_slot_async(
    parts: list[_PartRun], slots: int, settings: _Settings, version: str
) -> None:
    started = time.monotonic()
    interval = settings.bulk.poll_interval
    while True:
        running = _running(parts)
        if len(running) < slots:
            return
        for part in running:
            await part.operation.refresh()
        if len(_running(parts)) < slots:
            return
        waited = time.monotonic() - started
        if waited + interval > settings.bulk.slot_wait:
            raise _concurrency_error([", ".join(p.id for p in running)], version, waited)
        await asyncio.sleep(interval)
        interval = _backoff(interval, settings.bulk)


async def _run_async(
    client: Any,
    spec: BulkMutation[Any, Any],
    key: str,
    client_identifier: str | None,
    part: Part,
    settings: _Settings,
) -> str:
    started = time.monotonic()
    interval = settings.bulk.poll_interval
    variables = _run_variables(spec, key, client_identifier)
    slot = await _bulk_slots.take_async(
        client,
        "mutation",
        wait=settings.bulk.slot_wait,
        poll=settings.bulk.poll_interval,
        max_poll=settings.bulk.max_poll_interval,
    )
    try:
        while True:
            response = await client.execute(
                RUN_MUTATION, "BulkOperationRunMutation", variables, operation_type="mutation"
            )
            payload = client.get_data(response).get("bulkOperationRunMutation")
            messages = _user_errors(payload)
            if not _in_progress(messages):
                operation_id = _started(payload, messages, spec, part.index)
                break
            waited = time.monotonic() - started
            if waited + interval > settings.bulk.slot_wait:
                raise _concurrency_error(messages, client.api_version, waited)
            await _bulk_slots.renew_async(slot)
            await asyncio.sleep(interval)
            interval = _backoff(interval, settings.bulk)
    except BaseException:
        await _bulk_slots.release_async(slot)
        raise
    await _bulk_slots.attach_async(slot, operation_id)
    return operation_id


# -- resuming ------------------------------------------------------------------------


def _resume_parts(
    client: Any,
    ids: str | Iterable[str],
    part_lines: Iterable[int] | None,
    settings: _Settings,
    cls: Any,
) -> list[_PartRun]:
    listed = [ids] if isinstance(ids, str) else list(ids)
    if not listed:
        raise ConfigurationError("resume needs at least one operation id")
    checked = [_check_id(i) for i in listed]
    counts: list[int | None] = [None] * len(checked)
    if part_lines is not None:
        given = list(part_lines)
        most = file_limit(client.api_version) // 3  # a line takes 3 bytes at least
        if len(given) != len(checked) or any(
            isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= most for n in given
        ):
            raise ConfigurationError(
                f"part_lines must give one line count (an int from 0 to {most}) per operation id"
            )
        counts = list(given)
    parts = []
    first: int | None = 0
    for index, (operation_id, lines) in enumerate(zip(checked, counts, strict=True)):
        parts.append(
            _PartRun(
                index,
                cls(client, _POLL_ONLY, operation_id, settings.bulk, kind="MUTATION"),
                first,
                lines,
            )
        )
        first = None if first is None or lines is None else first + lines
    return parts


def resume_sync(
    client: Any,
    spec: BulkMutation[PayloadT, Any],
    ids: str | Iterable[str],
    part_lines: Iterable[int] | None,
    options: BulkMutationCallOptions,
) -> BulkMutationRun[PayloadT]:
    settings = _settings(options, client.api_version)
    return BulkMutationRun(
        client, spec, _resume_parts(client, ids, part_lines, settings, BulkRun), settings
    )


def resume_async(
    client: Any,
    spec: BulkMutation[PayloadT, Any],
    ids: str | Iterable[str],
    part_lines: Iterable[int] | None,
    options: BulkMutationCallOptions,
) -> AsyncBulkMutationRun[PayloadT]:
    settings = _settings(options, client.api_version)
    return AsyncBulkMutationRun(
        client, spec, _resume_parts(client, ids, part_lines, settings, AsyncBulkRun), settings
    )
