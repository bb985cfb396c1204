"""Bulk mutations end to end against FakeShopify: parts, upload, results, faults."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from shopify_client import (
    AdminBaseClient,
    BulkConcurrencyError,
    BulkMutationCallOptions,
    BulkMutationInputError,
    BulkMutationLinesError,
    BulkMutationRun,
    BulkOperationFailedError,
    BulkStartError,
    BulkUploadError,
    ConfigurationError,
    ShopifyError,
    bulk_mutation_file_limit,
    bulk_mutation_slots,
)
from shopify_client.testing import ADMIN_TOKEN, FakeShopify

from .bulk_helpers import AsyncClient, Client2024, client_for
from .bulk_mutation_helpers import (
    SPEC,
    SPEC_2024,
    ProductInput,
    Result,
    Variables,
    echo,
    lines,
    respond,
)

FAST: BulkMutationCallOptions = {"poll_interval": 0.001, "max_poll_interval": 0.002}


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.mutations.responder = respond  # the schema's way: test_schema_execution
        yield shop


def test_schema_execution_of_each_line() -> None:
    """Without a responder, each line's mutation runs on the committed schema, shaped
    by fake.answer like any call."""
    with FakeShopify() as shop:
        shop.answer("ImportProducts", echo)
        run = start(client_for(shop), lines(3))
        assert titles(run) == [(0, "Board 0"), (1, "Board 1"), (2, "Board 2")]


def start(
    client: AdminBaseClient, items: Any, client_identifier: str | None = None, **options: Any
) -> BulkMutationRun[Result]:
    settings: BulkMutationCallOptions = {**FAST, **options}  # type: ignore[typeddict-item]
    spec = SPEC_2024 if client.api_version < "2024-10" else SPEC
    return client._bulk_mutate(spec, items, client_identifier, settings)


def titles(run: BulkMutationRun[Result]) -> list[tuple[int, str]]:
    out = []
    for result in run:
        assert result.data is not None and result.data.product_create is not None
        product = result.data.product_create.product
        assert product is not None
        out.append((result.line, product.title))
    return out


def test_one_result_per_input_in_input_order(fake: FakeShopify) -> None:
    run = start(client_for(fake), iter(lines(40)))
    assert len(run.ids) == 1 and run.id == run.ids[0]
    assert titles(run) == [(i, f"Board {i}") for i in range(40)]
    (operation,) = fake.bulk.mutations.operations
    numbers = [json.loads(line)["__lineNumber"] for line in operation.lines]
    assert numbers != sorted(numbers)  # the fake wrote them out of order
    assert run.status == "COMPLETED"


def test_lines_are_encoded_as_a_normal_call_unset_fields_left_out(fake: FakeShopify) -> None:
    items: list[Any] = [
        Variables(product=ProductInput(title="A")),
        Variables(product=ProductInput(title="B", product_type="Board")),
        {"product": {"title": "C", "productType": None}},  # a mapping of the fields
    ]
    run = start(client_for(fake), items)
    assert [line for line, _ in titles(run)] == [0, 1, 2]
    (upload,) = [u for u in fake.bulk.mutations.uploads.values() if u.path is not None]
    assert upload.path is not None
    sent = [json.loads(line) for line in upload.path.read_text().splitlines()]
    assert sent == [
        {"product": {"title": "A"}},
        {"product": {"title": "B", "productType": "Board"}},
        {"product": {"title": "C", "productType": None}},
    ]


def test_the_file_is_split_at_max_file_bytes_and_lines_count_across_parts(
    fake: FakeShopify,
) -> None:
    run = start(client_for(fake), lines(30), max_file_bytes=300)
    assert len(run.ids) > 2
    assert sum(run.part_lines or ()) == 30
    uploads = [u for u in fake.bulk.mutations.uploads.values() if u.path is not None]
    assert all(u.size <= 300 for u in uploads)
    assert titles(run) == [(i, f"Board {i}") for i in range(30)]


def test_the_form_has_every_parameter_then_the_file_and_no_shopify_header(
    fake: FakeShopify,
) -> None:
    list(start(client_for(fake), lines(3)))
    (upload,) = fake.bulk.mutations.uploads.values()
    assert upload.fields == [name for name, _ in upload.parameters] + ["file"]
    assert fake.bulk.storage.leaked_headers() == []
    assert not any(ADMIN_TOKEN in str(h) for h in fake.bulk.storage.requests)


def test_the_run_mutation_carries_the_key_and_client_identifier(fake: FakeShopify) -> None:
    run = start(client_for(fake), lines(2), client_identifier="import-42")
    (operation,) = fake.bulk.mutations.operations
    assert operation.client_identifier == "import-42"
    assert "productCreate" in operation.mutation
    assert len(list(run)) == 2


def test_per_line_user_errors(fake: FakeShopify) -> None:
    fake.bulk.mutations.user_errors = lambda line, variables: (
        [{"field": ["product", "title"], "message": "Title is taken"}] if line % 3 == 0 else []
    )
    results = list(start(client_for(fake), lines(7)))
    bad = [r.line for r in results if r.user_errors]
    assert bad == [0, 3, 6]
    assert results[0].user_errors[0].message == "Title is taken"
    assert results[0].user_errors[0].field == ("product", "title")
    assert not results[0].ok and results[1].ok


def test_a_missing_line_is_a_typed_error_naming_it(fake: FakeShopify) -> None:
    fake.bulk.mutations.inject("missing_line")
    run = start(client_for(fake), lines(9))
    with pytest.raises(BulkMutationLinesError) as caught:
        list(run)
    assert len(caught.value.missing) == 1 and caught.value.duplicated == ()
    assert str(caught.value.missing[0]) in str(caught.value)


def test_a_duplicated_line_is_a_typed_error_naming_it_across_parts(fake: FakeShopify) -> None:
    client = client_for(fake)
    first = start(client, lines(5))
    fake.bulk.mutations.inject("duplicate_line")
    run = start(client, lines(12), max_file_bytes=250)
    assert len(first.ids) == 1
    with pytest.raises(BulkMutationLinesError) as caught:
        list(run)
    error = caught.value
    assert error.part == 0 and len(error.duplicated) == 1 and error.missing == ()
    assert isinstance(error, ShopifyError)


def test_an_upload_refused_by_the_storage_host_names_the_part(fake: FakeShopify) -> None:
    client = client_for(fake)
    fake.bulk.mutations.inject("upload_refused")
    with pytest.raises(BulkUploadError) as caught:
        start(client, lines(10))
    assert caught.value.part == 0 and caught.value.status_code == 403
    assert "part 0" in str(caught.value)


def test_a_refused_second_part_names_the_parts_already_started(fake: FakeShopify) -> None:
    client = client_for(fake)
    staged: list[int] = []
    real = fake.bulk.mutations.stage

    def stage(version: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        staged.append(1)
        if len(staged) == 2:
            fake.bulk.mutations.inject("upload_refused")
        answer: dict[str, Any] | None = real(version, variables)
        return answer

    fake.bulk.mutations.stage = stage  # type: ignore[method-assign]
    with pytest.raises(BulkUploadError) as caught:
        start(client, lines(20), max_file_bytes=300)
    assert caught.value.part == 1
    assert len(caught.value.operation_ids) == 1


def test_a_failed_part_raises_its_error(fake: FakeShopify) -> None:
    fake.bulk.inject("access_denied")
    run = start(client_for(fake), lines(3))
    with pytest.raises(BulkOperationFailedError) as caught:
        list(run)
    assert caught.value.code == "ACCESS_DENIED"
    assert run.status == "FAILED"


def test_resume_from_ids_gives_every_result_once(fake: FakeShopify) -> None:
    run = start(client_for(fake), lines(25), max_file_bytes=300)
    later = client_for(fake)
    exact = later._bulk_mutate_resume(SPEC, run.ids, run.part_lines, FAST)
    assert [r.line for r in exact] == list(range(25))
    counted = later._bulk_mutate_resume(SPEC, list(run.ids), None, FAST)
    assert [r.line for r in counted] == list(range(25))
    with pytest.raises(ConfigurationError):
        later._bulk_mutate_resume(SPEC, "123", None, FAST)
    with pytest.raises(ConfigurationError):
        later._bulk_mutate_resume(SPEC, run.ids, [1], FAST)


def test_a_bad_line_is_a_typed_error_naming_its_index(fake: FakeShopify) -> None:
    items: list[Any] = [*lines(2), {"product": {"title": 5}}]
    with pytest.raises(BulkMutationInputError) as caught:
        start(client_for(fake), items)
    assert caught.value.line == 2 and "ImportProducts line 2" in str(caught.value)
    with pytest.raises(BulkMutationInputError, match="is a ProductInput"):
        start(client_for(fake), [ProductInput(title="x")])
    with pytest.raises(BulkMutationInputError, match="more than a whole file"):
        start(
            client_for(fake), [Variables(product=ProductInput(title="x" * 400))], max_file_bytes=100
        )
    assert fake.bulk.mutations.operations == []


def test_max_file_bytes_may_not_pass_the_versions_limit(fake: FakeShopify) -> None:
    assert bulk_mutation_file_limit("2024-01") == 20_000_000
    assert bulk_mutation_file_limit("2026-01") == 100_000_000
    with pytest.raises(ConfigurationError, match="max_file_bytes"):
        start(client_for(fake, Client2024), lines(1), max_file_bytes=30_000_000)
    with pytest.raises(ConfigurationError, match="unknown bulk option"):
        start(client_for(fake), lines(1), max_file_byte=10)


def test_parts_wait_for_a_slot_before_2026_01(fake: FakeShopify) -> None:
    assert bulk_mutation_slots("2024-01") == 1 and bulk_mutation_slots("2026-01") == 5
    run = start(client_for(fake, Client2024), lines(12), max_file_bytes=300)
    assert len(run.ids) > 1
    operations = fake.bulk.mutations.operations
    # each part started once the one before it had ended (one slot)
    assert all(o.polls > 0 for o in operations[:-1])
    assert [r.line for r in run] == list(range(12))


def test_others_operations_holding_the_slots_are_named(fake: FakeShopify) -> None:
    fake.bulk.mutations.others = [f"gid://shopify/BulkOperation/{n}" for n in range(5)]
    with pytest.raises(BulkConcurrencyError) as caught:
        start(client_for(fake), lines(2), slot_wait=0.01)
    assert "gid://shopify/BulkOperation/4" in str(caught.value)


def test_a_refused_mutation_is_a_start_error(fake: FakeShopify) -> None:
    from dataclasses import replace

    broken = replace(SPEC, document="mutation ImportProducts { nope }")
    with pytest.raises(BulkStartError, match="Invalid mutation"):
        client_for(fake)._bulk_mutate(broken, lines(1), None, FAST)


def test_cancel_and_wait(fake: FakeShopify) -> None:
    fake.bulk.running_polls = 1000
    run = start(client_for(fake), lines(2))
    run.cancel()
    assert run.status in ("CANCELING", "CANCELED", "RUNNING")
    fake.bulk.running_polls = 1
    with pytest.raises(ShopifyError):
        run.wait(timeout=5)


def test_no_input_no_operation(fake: FakeShopify) -> None:
    run = start(client_for(fake), [])
    assert run.ids == () and list(run) == []


def test_async(fake: FakeShopify) -> None:
    async def main() -> list[int]:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as client:
            run = await client._bulk_mutate(SPEC, lines(15), None, {**FAST, "max_file_bytes": 300})
            out = [r.line async for r in run]
            resumed = client._bulk_mutate_resume(SPEC, run.ids, run.part_lines, FAST)
            assert [r.line async for r in resumed] == out
            fake.bulk.mutations.inject("upload_refused")
            with pytest.raises(BulkUploadError):
                await client._bulk_mutate(SPEC, lines(1), None, FAST)
            return out

    assert asyncio.run(main()) == list(range(15))
    assert fake.bulk.storage.leaked_headers() == []


def test_the_signed_form_is_not_in_reprs(fake: FakeShopify) -> None:
    from shopify_client._staged_upload import StagedTarget

    target = StagedTarget(url="https://storage.example/x?sig=SECRET", parameters=(("key", "k"),))
    assert "SECRET" not in repr(target)
    run = start(client_for(fake), lines(1))
    assert "X-Goog" not in repr(run) and "policy" not in repr(run)


def test_a_bad_line_in_a_later_part_names_the_parts_already_started(fake: FakeShopify) -> None:
    items: list[Any] = [*lines(20), {"product": {"title": []}}]
    with pytest.raises(BulkMutationInputError) as caught:
        start(client_for(fake), items, max_file_bytes=300)
    started = [o.id for o in fake.bulk.mutations.operations]
    assert started and caught.value.operation_ids == tuple(started)


def test_at_most_five_parts_run_at_once_from_2026_01(fake: FakeShopify) -> None:
    fake.bulk.running_polls = 10_000  # nothing ends: the sixth part finds no slot
    with pytest.raises(BulkConcurrencyError) as caught:
        start(client_for(fake), lines(40), max_file_bytes=250, slot_wait=0.05)
    running = [o.id for o in fake.bulk.mutations.operations]
    assert len(running) == 5
    assert caught.value.slots == 5
    assert all(operation_id in str(caught.value) for operation_id in running)
    assert getattr(caught.value, "operation_ids", ()) == tuple(running)


def test_a_failed_parts_partial_results_are_read_only_when_asked(fake: FakeShopify) -> None:
    fake.bulk.inject("failed_partial")
    run = start(client_for(fake), lines(10))
    with pytest.raises(BulkOperationFailedError) as caught:
        list(run)
    assert caught.value.partial_data
    results = list(run.results(partial=True))
    assert [r.line for r in results] == list(range(10))  # still one result per input
    unknown = [r for r in results if r.errors and r.errors[0].code == "NO_RESULT"]
    assert len(unknown) == 5 and all(r.data is None for r in unknown)
    assert all(r.ok for r in results if r not in unknown)


# -- the directory, gone after the start -----------------------------------------------


def test_a_result_store_directory_removed_after_the_start_keeps_the_ids(
    fake: FakeShopify, tmp_path: Any
) -> None:
    from shopify_client import BulkDownloadError

    where = tmp_path / "store"
    where.mkdir()
    run = start(client_for(fake), lines(5), directory=str(where))
    run.wait(timeout=10)
    where.rmdir()
    with pytest.raises(BulkDownloadError) as caught:
        list(run)
    assert caught.value.operation_id == run.id
    assert str(where) in str(caught.value) and caught.value.__context__ is None
    resumed = client_for(fake)._bulk_mutate_resume(
        SPEC, run.ids, run.part_lines, {**FAST, "directory": str(tmp_path)}
    )
    assert [r.line for r in resumed] == list(range(5))


def test_a_later_parts_file_that_cannot_be_written_names_the_started_parts(
    fake: FakeShopify, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The directory goes away once the first part is started: the second part's
    file is a BulkUploadError whose operation_ids names the first (it was a raw
    FileNotFoundError, the started part's id lost)."""
    import shutil

    from shopify_client import BulkUploadError

    where = tmp_path / "parts"
    where.mkdir()
    client = client_for(fake)
    execute = client.execute

    def then_remove(query: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        answer = execute(query, name, *args, **kwargs)
        if name == "BulkOperationRunMutation":
            shutil.rmtree(where, ignore_errors=True)
        return answer

    monkeypatch.setattr(client, "execute", then_remove)
    with pytest.raises(BulkUploadError) as caught:
        start(client, lines(40), directory=str(where), max_file_bytes=500)
    error = caught.value
    assert error.part == 1 and error.status_code is None
    assert len(error.operation_ids) == 1 and error.operation_ids[0].startswith("gid://")
    assert str(where) in str(error) and error.__context__ is None
