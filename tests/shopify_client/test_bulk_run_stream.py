"""``records(stream=True)`` and ``skip=`` against FakeShopify: grouped files' records
during the download, resumes, and the errors that can now come after records."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from shopify_client import (
    BulkIncompleteResultError,
    BulkResultUnavailableError,
    BulkRun,
    ConfigurationError,
)
from shopify_client.testing import ADMIN_TOKEN, FakeShopify

from .bulk_helpers import SPEC, SPEC_2024, AsyncClient, Client2024, Product, client_for
from .test_bulk_run import FAST, by_id, expected, start


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 6
        shop.bulk.children = 3
        yield shop


def grouped_run(fake: FakeShopify) -> BulkRun[Product]:
    return client_for(fake)._bulk_start(SPEC, {}, True, FAST)


def test_records_come_during_the_download_and_match_the_store(fake: FakeShopify) -> None:
    fake.bulk.roots = 3000  # a file of several chunks
    run = grouped_run(fake)
    size_seen: list[int] = []
    records = []
    for record in run.records(stream=True):
        size_seen.append(run.bytes_received)
        records.append(record)
    size = fake.bulk.operations[run.id].file_size
    assert size is not None and size_seen[0] < size  # the first record came before the last byte
    assert by_id(records) == expected(fake, run.id)
    assert by_id(list(run.records())) == by_id(records)  # the store reads the same
    assert run.records_read == 3000


def test_a_version_before_2025_07_streams_its_always_grouped_files(fake: FakeShopify) -> None:
    run = client_for(fake, Client2024)._bulk_start(SPEC_2024, {}, False, FAST)
    assert fake.bulk.operations[run.id].grouped and run.grouped is True
    assert by_id(list(run.records(stream=True))) == expected(fake, run.id)


def test_stream_on_a_run_started_ungrouped_is_refused_before_any_poll(
    fake: FakeShopify,
) -> None:
    run = start(client_for(fake))  # group_objects=False, the default
    assert run.grouped is False
    sent = len(fake.requests)
    with pytest.raises(ConfigurationError, match="grouped files only") as info:
        list(run.records(stream=True))
    assert run.id in str(info.value) and "group_objects=True" in str(info.value)
    assert len(fake.requests) == sent
    assert grouped_run(fake).grouped is True


def test_an_ungrouped_file_resumed_is_a_typed_error_not_records_missing_children(
    fake: FakeShopify,
) -> None:
    fake.bulk.roots = 50
    operation_id = start(client_for(fake)).id  # group_objects=False: scattered
    resumed = client_for(fake)._bulk_resume(SPEC, operation_id, FAST)
    assert resumed.grouped is None  # not known from the id alone
    with pytest.raises(BulkIncompleteResultError, match="not grouped") as info:
        list(resumed.records(stream=True))
    assert info.value.operation_id == operation_id
    assert "group_objects=True" in str(info.value)


def test_a_dropped_download_resumes_with_range_while_streaming(fake: FakeShopify) -> None:
    fake.bulk.roots = 200
    fake.bulk.inject("drop")
    run = grouped_run(fake)
    assert by_id(list(run.records(stream=True))) == expected(fake, run.id)
    ranges = [h.get("Range") for h in fake.bulk.storage.requests]
    assert ranges[0] is None and ranges[1] is not None


def test_a_host_that_ignores_range_gives_no_record_twice(fake: FakeShopify) -> None:
    """The first answer is cut mid-file, the second ignores Range (200, the whole
    file again): the bytes already read are dropped, not read twice."""
    fake.bulk.roots = 40
    run = grouped_run(fake)
    run.wait()
    assert run.state is not None and run.state.url is not None
    body = httpx.get(run.state.url).content
    asked: list[str | None] = []

    def cut_once(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers.get("Range"))
        if len(asked) == 1:
            return httpx.Response(200, headers={"Content-Length": str(len(body))}, stream=Cut())
        return httpx.Response(200, headers={"Content-Length": str(len(body))}, stream=Whole())

    class Whole(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield from (body[i : i + 1000] for i in range(0, len(body), 1000))

    class Cut(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield body[: len(body) // 2 + 5]  # mid-line
            raise httpx.RemoteProtocolError("peer closed")

    records = list(run.records(stream=True, transport=httpx.MockTransport(cut_once)))
    assert asked[0] is None and asked[1] is not None and asked[1].startswith("bytes=")
    assert by_id(records) == expected(fake, run.id)


def test_a_missing_root_line_is_a_typed_error_naming_it(fake: FakeShopify) -> None:
    fake.bulk.inject("short")  # the last root's line is missing, its children are not
    run = grouped_run(fake)
    with pytest.raises(BulkIncompleteResultError, match="is missing") as info:
        list(run.records(stream=True))
    assert info.value.operation_id == run.id


def test_a_file_short_of_whole_blocks_raises_after_its_records(fake: FakeShopify) -> None:
    run = grouped_run(fake)
    run.wait()
    assert run.state is not None and run.state.url is not None
    body = httpx.get(run.state.url).content
    short = body[: body.rindex(b'\n{"id":"gid://shopify/Product/') + 1]  # the last block cut

    class Short(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield short

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(len(short))}, stream=Short())

    got: list[Product] = []
    with pytest.raises(BulkIncompleteResultError, match=r"holds 5 root objects.*counted 6"):
        got.extend(run.records(stream=True, transport=httpx.MockTransport(serve)))
    assert len(got) == 5  # with stream=True the records came first; the error says so


def test_skip_resumes_after_the_records_already_kept(fake: FakeShopify) -> None:
    run = grouped_run(fake)
    everything = by_id(list(run))
    kept = list(everything)[:4]
    for stream in (False, True):
        rest = by_id(list(run.records(stream=stream, skip=4)))
        assert list(rest) == list(everything)[4:] and not set(rest) & set(kept)
    assert list(run.records(skip=6)) == []  # every record kept already: nothing left
    for stream in (False, True):  # past every record: a checkpoint of something else
        with pytest.raises(ConfigurationError, match="skip=100 passes all 6 records"):
            list(run.records(stream=stream, skip=100))


@pytest.mark.parametrize(
    ("options", "wrong"),
    [
        ({"stream": "yes"}, "stream must be True or False"),
        ({"skip": -1}, "skip must be an int from 0"),
        ({"skip": True}, "skip must be an int from 0"),
        ({"skip": 1.5}, "skip must be an int from 0"),
    ],
)
def test_wrong_read_options_are_refused_before_any_poll(
    fake: FakeShopify, options: dict[str, object], wrong: str
) -> None:
    run = grouped_run(fake)
    sent = len(fake.requests)
    with pytest.raises(ConfigurationError, match=wrong):
        list(run.records(**options))  # type: ignore[arg-type]
    assert len(fake.requests) == sent


def test_async_streaming(fake: FakeShopify) -> None:
    fake.bulk.roots = 500

    async def main() -> tuple[dict[str, list[str]], str]:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as client:
            run = await client._bulk_start(SPEC, {}, True, FAST)
            out = [record async for record in run.records(stream=True, skip=1)]
            return by_id(out), run.id

    got, operation_id = asyncio.run(main())
    assert got == dict(list(expected(fake, operation_id).items())[1:])


def test_progress_while_streaming_reports_bytes_and_records_so_far(fake: FakeShopify) -> None:
    fake.bulk.roots = 3000
    run = grouped_run(fake)
    seen: list[tuple[int, int]] = []
    records = list(run.records(stream=True, progress=lambda b, r: seen.append((b, r))))
    size = fake.bulk.operations[run.id].file_size
    assert seen[-1] == (size, len(records))
    assert any(0 < r < len(records) for _, r in seen)  # records counted mid-download
    assert [b for b, _ in seen] == sorted(b for b, _ in seen)


def test_the_signed_url_is_in_no_frame_of_a_traceback(fake: FakeShopify) -> None:
    """A reporter that captures tracebacks' locals (as error trackers do) sees the
    storage host's name, never the signature: while streaming (errors raised inside
    the download's frames) and after it."""
    fake.bulk.roots = 50
    ungrouped = client_for(fake)._bulk_resume(SPEC, start(client_for(fake)).id, FAST)
    with pytest.raises(BulkIncompleteResultError) as stray:
        list(ungrouped.records(stream=True))
    fake.bulk.inject("expired_url")
    gone = grouped_run(fake)
    errors: list[BaseException] = [stray.value]
    for stream in (True, False):
        with pytest.raises(BulkResultUnavailableError) as info:
            list(gone.records(stream=stream))
        errors.append(info.value)
    for error in errors:
        shown = "".join(
            traceback.TracebackException.from_exception(error, capture_locals=True).format()
        )
        assert "download_steps_sync" in shown  # the download's own frames are in it
        assert "X-Goog-Signature" not in shown  # the fake's URLs carry one, as GCS's do


def test_aclose_of_a_stream_closes_its_download_at_once(fake: FakeShopify) -> None:
    closed: list[str] = []

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            product = b'{"id":"P%d","title":"t","updatedAt":"2026-01-02T00:00:00Z"}\n'
            yield product % 1 + product % 2
            variant = b'{"__typename":"ProductVariant","id":"V","sku":null,"price":"1.00"'
            while True:
                yield (variant + b',"__parentId":"P2"}\n') * 100

        async def aclose(self) -> None:
            closed.append("closed")

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Endless())

    async def main() -> list[str]:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as client:
            run = await client._bulk_start(SPEC, {}, True, FAST)
            records = run.records(stream=True, transport=httpx.MockTransport(serve))
            first = await records.__anext__()
            assert first.id == "P1"
            await records.aclose()  # type: ignore[attr-defined]
            return list(closed)  # before any other turn of the loop

    assert asyncio.run(main()) == ["closed"]
