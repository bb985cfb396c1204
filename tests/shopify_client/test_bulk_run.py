"""Bulk query runs end to end against FakeShopify: records, faults, resume, slots."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from shopify_client import (
    AdminBaseClient,
    BulkCallOptions,
    BulkConcurrencyError,
    BulkDownloadError,
    BulkIncompleteResultError,
    BulkOperationCanceledError,
    BulkOperationError,
    BulkOperationExpiredError,
    BulkOperationFailedError,
    BulkOperationNotFoundError,
    BulkQuery,
    BulkResultUnavailableError,
    BulkRun,
    BulkWaitTimeoutError,
    ConfigurationError,
    ShopifyError,
    bulk_query_slots,
)
from shopify_client.testing import ADMIN_TOKEN, FakeShopify

from .bulk_helpers import SPEC, SPEC_2024, AsyncClient, Client, Client2024, Product, client_for

FAST: BulkCallOptions = {"poll_interval": 0.001, "max_poll_interval": 0.002}


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 6
        shop.bulk.children = 3
        yield shop


def expected(fake: FakeShopify, operation_id: str) -> dict[str, list[str]]:
    """Each root id -> its children's ids, in file order, read from the fake's lines."""
    out: dict[str, list[str]] = {}
    for line in fake.bulk.operations[operation_id].lines:
        value = json.loads(line)
        if "__parentId" in value:
            out[value["__parentId"]].append(value["id"])
        else:
            out[value["id"]] = []
    return out


def by_id(records: list[Product]) -> dict[str, list[str]]:
    return {r.id: [v.id for v in r.variants] for r in records}


def start(
    client: AdminBaseClient, spec: BulkQuery[Product] = SPEC, **options: Any
) -> BulkRun[Product]:
    settings: BulkCallOptions = {**FAST, **options}  # type: ignore[typeddict-item]
    return client._bulk_start(spec, {"query": "status:active"}, False, settings)


def test_ungrouped_children_are_scattered_and_reassembled(fake: FakeShopify) -> None:
    run = start(client_for(fake))
    records = list(run)
    lines = fake.bulk.operations[run.id].lines
    # the fake scatters: some child is not directly after its parent or a sibling
    adjacent = all(
        "__parentId" not in lines[i]
        or "__parentId" in lines[i - 1]
        or json.loads(lines[i])["__parentId"] == json.loads(lines[i - 1])["id"]
        for i in range(1, len(lines))
    )
    assert not adjacent
    assert by_id(records) == expected(fake, run.id)
    assert len(records) == 6 and all(len(r.variants) == 3 for r in records)
    assert run.status == "COMPLETED"


def test_grouped_output_reads_the_same(fake: FakeShopify) -> None:
    client = client_for(fake)
    run = client._bulk_start(SPEC, {}, True, FAST)
    assert fake.bulk.operations[run.id].grouped
    assert by_id(list(run)) == expected(fake, run.id)


def test_the_storage_host_receives_no_shopify_header(fake: FakeShopify) -> None:
    list(start(client_for(fake)))
    assert fake.bulk.storage.requests
    assert fake.bulk.storage.leaked_headers() == []
    assert all(ADMIN_TOKEN not in json.dumps(h) for h in fake.bulk.storage.requests)


def test_group_objects_is_sent_only_where_the_schema_has_it(fake: FakeShopify) -> None:
    client = client_for(fake, Client2024)
    run = start(client, SPEC_2024)
    sent = [
        r.body or {}
        for r in fake.requests
        if "bulkOperationRunQuery" in (r.body or {}).get("query", "")
    ]
    assert "groupObjects" not in sent[-1]["variables"]
    assert "groupObjects" not in sent[-1]["query"]
    assert len(list(run)) == 6
    with pytest.raises(ConfigurationError, match="groupObjects"):
        client._bulk_start(SPEC_2024, {}, True, FAST)
    start(client_for(fake))
    sent = [
        r.body or {}
        for r in fake.requests
        if "bulkOperationRunQuery" in (r.body or {}).get("query", "")
    ]
    assert sent[-1]["variables"]["groupObjects"] is False


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        ("access_denied", BulkOperationFailedError, "ACCESS_DENIED"),
        ("internal_error", BulkOperationFailedError, "INTERNAL_SERVER_ERROR"),
        ("timeout", BulkOperationFailedError, "TIMEOUT"),
        ("canceled", BulkOperationCanceledError, None),
        ("expired", BulkOperationExpiredError, None),
        ("expired_url", BulkResultUnavailableError, None),
        ("no_url", BulkResultUnavailableError, None),
        ("short", BulkIncompleteResultError, None),
    ],
)
def test_each_ending_without_records_raises_its_error(
    fake: FakeShopify, fault: str, error: type[BulkOperationError], code: str | None
) -> None:
    fake.bulk.inject(fault)  # type: ignore[arg-type]
    run = start(client_for(fake))
    with pytest.raises(error) as info:
        list(run)
    assert info.value.operation_id == run.id
    assert info.value.code == code
    assert isinstance(info.value, ShopifyError)


def test_wait_raises_the_same_errors_and_counts(fake: FakeShopify) -> None:
    fake.bulk.inject("access_denied")
    run = start(client_for(fake))
    with pytest.raises(BulkOperationFailedError) as info:
        run.wait()
    assert info.value.object_count == 6 * 4
    assert info.value.partial_data is False


def test_partial_data_is_read_only_when_asked(fake: FakeShopify) -> None:
    fake.bulk.inject("failed_partial")
    run = start(client_for(fake))
    with pytest.raises(BulkOperationFailedError) as info:
        list(run)
    assert info.value.partial_data is True
    assert "partial=True" in str(info.value)
    partial = list(run.records(partial=True))
    assert 0 < len(partial) <= 6


def test_a_dropped_download_resumes_with_range_no_duplicate_no_gap(fake: FakeShopify) -> None:
    fake.bulk.roots = 200
    fake.bulk.inject("drop")
    run = start(client_for(fake))
    records = list(run)
    assert by_id(records) == expected(fake, run.id)
    ranges = [h.get("Range") for h in fake.bulk.storage.requests]
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")


def test_resume_from_the_operation_id_gives_every_record_once(fake: FakeShopify) -> None:
    first = client_for(fake)
    run = start(first)
    operation_id = run.id
    del run  # the process that started it died
    later = client_for(fake)
    resumed = later._bulk_resume(SPEC, operation_id, FAST)
    records = list(resumed)
    assert by_id(records) == expected(fake, operation_id)
    assert len({r.id for r in records}) == len(records) == 6


def test_resume_refuses_what_is_not_an_operation_id(fake: FakeShopify) -> None:
    with pytest.raises(ConfigurationError):
        client_for(fake)._bulk_resume(SPEC, "123", FAST)
    unknown = client_for(fake)._bulk_resume(SPEC, "gid://shopify/BulkOperation/1", FAST)
    with pytest.raises(BulkOperationNotFoundError):
        unknown.wait()


def test_cancel(fake: FakeShopify) -> None:
    fake.bulk.running_polls = 1000
    run = start(client_for(fake))
    state = run.cancel()
    assert state is not None and state.status == "CANCELED"
    with pytest.raises(BulkOperationCanceledError):
        list(run)


def test_wait_timeout_is_a_typed_error(fake: FakeShopify) -> None:
    fake.bulk.running_polls = 1000
    run = start(client_for(fake))
    with pytest.raises(BulkWaitTimeoutError, match="still"):
        run.wait(timeout=0.01)


def test_polling_backs_off_within_its_bounds(
    fake: FakeShopify, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("shopify_client._bulk_run.time.sleep", slept.append)
    fake.bulk.running_polls = 6
    run = start(client_for(fake), poll_interval=0.5, max_poll_interval=2.0)
    run.wait()
    assert slept == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]  # 6 polls RUNNING, the 7th COMPLETED


def test_slots_follow_the_version() -> None:
    assert bulk_query_slots("2024-01") == 1
    assert bulk_query_slots("2025-10") == 1
    assert bulk_query_slots("2026-01") == 5
    assert bulk_query_slots("2026-04") == 5


def test_one_slot_before_2026_01_then_a_typed_error_naming_the_operations(
    fake: FakeShopify,
) -> None:
    fake.bulk.running_polls = 1000
    client = client_for(fake, Client2024)
    first = start(client, SPEC_2024)
    with pytest.raises(BulkConcurrencyError) as info:
        start(client, SPEC_2024, slot_wait=0.01)
    assert info.value.running == (first.id,)
    assert info.value.slots == 1
    assert first.id in str(info.value)


def test_five_slots_from_2026_01_and_others_operations_named(fake: FakeShopify) -> None:
    fake.bulk.running_polls = 1000
    fake.bulk.others = ["gid://shopify/BulkOperation/77"]
    client = client_for(fake)
    ours = [start(client) for _ in range(4)]
    with pytest.raises(BulkConcurrencyError) as info:
        start(client, slot_wait=0.01)
    assert info.value.running == ("gid://shopify/BulkOperation/77", *(r.id for r in ours))
    assert info.value.slots == 5


def test_a_slot_that_frees_in_time_is_taken(fake: FakeShopify) -> None:
    fake.bulk.running_polls = 1000
    client = client_for(fake, Client2024)
    first = start(client, SPEC_2024)
    first.cancel()  # CANCELED: the slot is free again
    second = start(client, SPEC_2024, slot_wait=0.5)
    assert second.id != first.id


def test_progress_reports_bytes_and_records(fake: FakeShopify) -> None:
    seen: list[tuple[int, int]] = []
    run = start(client_for(fake))
    records = list(run.records(progress=lambda b, r: seen.append((b, r))))
    assert seen[-1] == (run.bytes_received, len(records))
    assert run.bytes_received == fake.bulk.operations[run.id].file_size
    assert [r for _, r in seen[-len(records) :]] == list(range(1, len(records) + 1))


def test_a_file_past_its_cap_is_refused(fake: FakeShopify) -> None:
    run = start(client_for(fake), max_bulk_bytes=100)
    with pytest.raises(ShopifyError, match="max_bulk_bytes"):
        list(run)


def test_async_iteration(fake: FakeShopify) -> None:
    async def main() -> tuple[dict[str, list[str]], str]:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as client:
            run = await client._bulk_start(SPEC, {"query": "x"}, False, FAST)
            out = [record async for record in run]
            return by_id(out), run.id

    got, operation_id = asyncio.run(main())
    assert got == expected(fake, operation_id)


def test_async_faults_are_the_same_errors(fake: FakeShopify) -> None:
    fake.bulk.inject("canceled")

    async def main() -> None:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as client:
            run = await client._bulk_start(SPEC, {}, False, FAST)
            await run.wait()

    with pytest.raises(BulkOperationCanceledError):
        asyncio.run(main())


def test_the_client_class_is_what_was_asked(fake: FakeShopify) -> None:
    assert isinstance(client_for(fake), Client)


def test_a_stalled_download_times_out_per_read_and_resumes(fake: FakeShopify) -> None:
    fake.bulk.roots = 200
    fake.bulk.storage.stall_seconds = 1.0
    fake.bulk.inject("stall")
    run = start(client_for(fake), read_timeout=0.2)
    assert by_id(list(run)) == expected(fake, run.id)
    ranges = [h.get("Range") for h in fake.bulk.storage.requests]
    assert ranges[0] is None and ranges[1] is not None


def test_resumes_are_bounded(fake: FakeShopify, monkeypatch: pytest.MonkeyPatch) -> None:
    fake.bulk.roots = 50
    fake.bulk.inject("drop")
    storage = fake.bulk.storage
    monkeypatch.setattr(storage, "take_drop", lambda name: True)  # every request is cut
    run = start(client_for(fake), max_resumes=1)
    # each cut still makes progress (half of what is left): the cap in all stops it
    with pytest.raises(BulkDownloadError, match="was cut 11 times") as info:
        list(run)
    assert info.value.operation_id == run.id
    assert len(storage.requests) == 11


def test_the_signed_url_is_not_in_reprs_or_errors(fake: FakeShopify) -> None:
    fake.bulk.inject("expired_url")
    run = start(client_for(fake))
    with pytest.raises(BulkResultUnavailableError) as info:
        list(run)
    assert run.state is not None and run.state.url is not None
    assert "Signature" not in repr(run.state) and "Signature" not in str(info.value)
    assert "Signature" not in repr(run)
