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
