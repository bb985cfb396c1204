"""The run handles (shopify_client._bulk_handles): what they do while the file arrives.

An ungrouped file's records are typed only after its last byte, so the handles resolve
the record model (its module, its deferred validator) with the first chunk instead.
"""

from __future__ import annotations

import asyncio
import glob
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, PydanticUserError

from shopify_client import BulkQuery
from shopify_client.testing import ADMIN_TOKEN, FakeShopify

from .bulk_helpers import SPEC, AsyncClient, client_for
from .test_bulk_run import FAST, by_id, expected, start


@pytest.fixture
def fake() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        shop.bulk.roots = 40
        shop.bulk.children = 3
        yield shop


def spec_for(record: Callable[[], type[Any]]) -> BulkQuery[Any]:
    """SPEC (the runtime tests' ExportProducts) with another record model."""
    return BulkQuery(
        name=SPEC.name,
        document=SPEC.document,
        connections=SPEC.connections,
        record=record,
        group_objects_argument=SPEC.group_objects_argument,
    )


def deferred_spec() -> tuple[BulkQuery[Any], type[BaseModel], list[int]]:
    """A spec whose record model is built on first use, as the generated ones are;
    ``calls`` gets one item per ``record()`` call."""

    class Variant(BaseModel):
        model_config = ConfigDict(defer_build=True)
        id: str
        sku: str | None
        price: str

    class Product(BaseModel):
        model_config = ConfigDict(defer_build=True)
        id: str
        title: str
        updated_at: str = Field(alias="updatedAt")
        variants: list[Variant]

    calls: list[int] = []

    def record() -> type[BaseModel]:
        calls.append(1)
        return Product

    return spec_for(record), Product, calls


def test_the_record_model_is_built_while_the_file_arrives(fake: FakeShopify) -> None:
    spec, model, calls = deferred_spec()
    assert model.__pydantic_complete__ is False
    during: list[bool] = []
    run = start(client_for(fake), spec)

    def progress(received: int, count: int) -> None:
        if run.records_read == 0:  # still downloading: no record yielded yet
            during.append(model.__pydantic_complete__)

    records = list(run.records(progress=progress))
    assert during and all(during)  # built with the first chunk, not after the last
    assert calls == [1]  # resolved once for the whole run
    assert by_id(records) == expected(fake, run.id)
    assert all(isinstance(r, model) for r in records)


def test_async_builds_the_record_model_while_the_file_arrives(fake: FakeShopify) -> None:
    spec, model, calls = deferred_spec()
    during: list[bool] = []

    async def main() -> tuple[list[Any], str]:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", "2026-04"), access_token=ADMIN_TOKEN
        ) as client:
            run = await client._bulk_start(spec, {"query": "x"}, False, FAST)

            def progress(received: int, count: int) -> None:
                if run.records_read == 0:
                    during.append(model.__pydantic_complete__)

            out = [record async for record in run.records(progress=progress)]
            return out, run.id

    records, operation_id = asyncio.run(main())
    assert during and all(during)
    assert calls == [1]
    assert by_id(records) == expected(fake, operation_id)


def test_a_model_that_cannot_be_built_raises_and_leaves_no_store(fake: FakeShopify) -> None:
    class Broken(BaseModel):
        model_config = ConfigDict(defer_build=True)
        id: str
        variants: list[Missing]  # type: ignore[name-defined]  # noqa: F821

    spec = spec_for(lambda: Broken)
    directory = tempfile.mkdtemp(prefix="bulk-handles-")
    try:
        run = start(client_for(fake), spec, directory=directory)
        with pytest.raises(PydanticUserError, match="not fully defined"):
            list(run)
        assert run.records_read == 0
        assert glob.glob(os.path.join(directory, "*")) == []  # the store was removed
    finally:
        os.rmdir(directory)


# -- the store's directory, gone by the time the file is read ------------------------


def _chain(exc: BaseException) -> list[BaseException]:
    out, todo = [], [exc]
    while todo:
        current = todo.pop()
        out.append(current)
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
    return out


def test_a_store_directory_removed_after_the_start_names_it_and_keeps_the_id(
    fake: FakeShopify, tmp_path: Any
) -> None:
    """The check at the start passed; the directory is removed before the download:
    a BulkDownloadError naming it, with the id to resume, chaining nothing (it was a
    raw FileNotFoundError)."""
    from shopify_client import BulkDownloadError

    where = tmp_path / "store"
    where.mkdir()
    run = client_for(fake)._bulk_start(
        SPEC, {"query": "x"}, False, {**FAST, "directory": str(where)}
    )
    where.rmdir()
    with pytest.raises(BulkDownloadError) as caught:
        list(run.records(timeout=10))
    error = caught.value
    assert error.operation_id == run.id and error.status == "COMPLETED"
    assert str(where) in str(error) and run.id in str(error)
    assert "cannot be created" in str(error) and "resume_" in str(error)
    assert _chain(error) == [error]  # no OSError, no sqlite error behind it
    assert fake.bulk.storage.requests == []  # nothing downloaded
    # the operation is still there: resumed with a directory that takes the store
    resumed = client_for(fake)._bulk_resume(SPEC, run.id, {**FAST, "directory": str(tmp_path)})
    assert by_id(list(resumed)) == expected(fake, run.id)


def test_an_async_store_directory_removed_after_the_start_is_the_same_error(
    fake: FakeShopify, tmp_path: Any
) -> None:
    from shopify_client import BulkDownloadError

    where = tmp_path / "store"
    where.mkdir()

    async def go() -> BaseException:
        async with AsyncClient(
            endpoint=fake.endpoint("admin", AsyncClient.api_version), access_token=ADMIN_TOKEN
        ) as client:
            run = await client._bulk_start(
                SPEC, {"query": "x"}, False, {**FAST, "directory": str(where)}
            )
            where.rmdir()
            with pytest.raises(BulkDownloadError) as caught:
                async for _ in run:
                    pass
            assert caught.value.operation_id == run.id
            return caught.value

    error = asyncio.run(go())
    assert str(where) in str(error) and _chain(error) == [error]


# -- a bulk mutation's id resumed as a bulk query's ----------------------------------


def test_a_bulk_mutations_id_resumed_as_a_query_is_a_type_error_at_the_first_poll(
    fake: FakeShopify,
) -> None:
    """It was InvalidResponseError: "does not fit the generated ...Record: id: Field
    required ...", after the download of the mutation's result file."""
    from shopify_client import BulkInvalidStateError, BulkOperationTypeError

    from .bulk_mutation_helpers import SPEC as MUTATION
    from .bulk_mutation_helpers import lines, respond

    fake.bulk.mutations.responder = respond
    client = client_for(fake)
    mutation = client._bulk_mutate(MUTATION, lines(3), None, dict(FAST))  # type: ignore[arg-type]
    mutation.wait(timeout=10)
    resumed = client._bulk_resume(SPEC, str(mutation.id), FAST)
    gets = len(fake.bulk.storage.requests)
    polls = sum(1 for r in fake.requests if "BulkOperationStatus" in str(r.body))
    with pytest.raises(BulkOperationTypeError) as caught:
        list(resumed)
    error = caught.value
    assert isinstance(error, BulkInvalidStateError)
    assert (error.operation_type, error.expected_type) == ("MUTATION", "QUERY")
    assert error.operation_id == mutation.id
    assert "is a MUTATION bulk operation" in str(error) and "ExportProducts" in str(error)
    assert len(fake.bulk.storage.requests) == gets  # nothing downloaded
    assert sum(1 for r in fake.requests if "BulkOperationStatus" in str(r.body)) == polls + 1


def test_the_poll_asks_for_the_type_and_the_schemas_have_it() -> None:
    """The check needs ``type`` in the poll's selection (FakeShopify shapes its
    answer by the selection, as Shopify does); BulkOperation.type is BulkOperationType!
    (QUERY, MUTATION) in every pinned admin schema."""
    import json
    from pathlib import Path

    from graphql import build_client_schema, parse, validate

    from shopify_client._bulk_query_options import POLL_QUERY

    schemas = sorted(Path(__file__).parents[2].joinpath("schema", "admin").glob("*.json"))
    assert {p.stem for p in schemas} >= {"2024-01", "2026-04"}
    for path in schemas:
        data = json.loads(path.read_text())
        schema = build_client_schema(data.get("data", data))
        assert validate(schema, parse(POLL_QUERY)) == [], path.stem
        kind = schema.get_type("BulkOperationType")
        assert kind is not None and set(kind.values) == {"QUERY", "MUTATION"}  # type: ignore[attr-defined]
        assert str(schema.get_type("BulkOperation").fields["type"].type) == "BulkOperationType!"  # type: ignore[union-attr]
    assert " type " in POLL_QUERY


def test_fake_shopify_answers_only_the_selected_fields(fake: FakeShopify) -> None:
    """As Shopify: ``type`` (QUERY here) only where the poll selects it, under its
    alias; so the type check above is tested through the real poll's selection."""
    run = client_for(fake)._bulk_start(SPEC, {"query": "x"}, False, FAST)
    client = client_for(fake)
    answer = client.execute(
        "query Q($id: ID!) { node(id: $id) { ... on BulkOperation { status kind: type } } }",
        "Q",
        {"id": run.id},
        operation_type="query",
    )
    node = client.get_data(answer)["node"]
    assert dict(node) == {"status": node["status"], "kind": "QUERY"}
