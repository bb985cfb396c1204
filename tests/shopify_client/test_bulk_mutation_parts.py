"""The JSONL parts of a bulk mutation: written as consumed, split, removed."""

from __future__ import annotations

import gc
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopify_client import BulkMutationInputError
from shopify_client._bulk_mutation_parts import write_parts

from .bulk_mutation_helpers import ProductInput, Variables


def items(count: int) -> Iterator[Variables]:
    for i in range(count):
        yield Variables(product=ProductInput(title=f"Board {i}"))


def test_parts_split_before_the_line_that_would_pass_the_limit(tmp_path: Path) -> None:
    parts = []
    for part in write_parts(
        items(50), Variables, name="Op", max_bytes=500, directory=str(tmp_path)
    ):
        text = part.path.read_bytes()
        assert len(text) == part.size <= 500
        assert [json.loads(line)["product"]["title"] for line in text.splitlines()] == [
            f"Board {i}" for i in range(part.first_line, part.first_line + part.lines)
        ]
        parts.append((part.first_line, part.lines))
        part.remove()
    assert len(parts) > 2
    assert sum(n for _, n in parts) == 50
    assert [first for first, _ in parts] == [
        sum(n for _, n in parts[:i]) for i in range(len(parts))
    ]
    assert list(tmp_path.iterdir()) == []


def test_the_iterable_is_consumed_part_by_part(tmp_path: Path) -> None:
    consumed = 0

    def counting() -> Iterator[Variables]:
        nonlocal consumed
        for item in items(100):
            consumed += 1
            yield item

    writer = write_parts(counting(), Variables, name="Op", max_bytes=400, directory=str(tmp_path))
    first = next(writer)
    assert consumed == first.lines + 1  # the line that began the next part, no more
    writer.close()  # a closed writer removes the part it was writing
    first.remove()
    assert list(tmp_path.iterdir()) == []


def test_memory_does_not_hold_the_input(tmp_path: Path) -> None:
    def peak(count: int) -> int:
        gc.collect()
        tracemalloc.start()
        for part in write_parts(
            items(count), Variables, name="Op", max_bytes=10_000_000, directory=str(tmp_path)
        ):
            part.remove()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(1_000), peak(20_000)
    assert large < small * 3  # 20x the lines, not 20x the memory


def test_a_bad_item_names_its_index_and_leaves_no_file(tmp_path: Path) -> None:
    bad: list[object] = [*items(3), 42]
    with pytest.raises(BulkMutationInputError) as caught:
        list(write_parts(bad, Variables, name="Op", max_bytes=1000, directory=str(tmp_path)))
    assert caught.value.line == 3
    assert list(tmp_path.iterdir()) == []


def test_nan_is_refused_as_in_a_normal_call(tmp_path: Path) -> None:
    from pydantic import BaseModel, ConfigDict

    class Numbers(BaseModel):
        model_config = ConfigDict(ser_json_inf_nan="constants")
        weight: float

    with pytest.raises(BulkMutationInputError, match="line 0"):
        list(
            write_parts(
                [Numbers(weight=float("nan"))], Numbers, name="Op", max_bytes=100, directory=None
            )
        )


def test_a_part_that_cannot_be_written_later_is_a_typed_error(tmp_path: Path) -> None:
    """The directory was checked at the start, then removed while the first part
    was uploaded: the next part's file is a BulkUploadError (part, directory), not a
    raw FileNotFoundError, chaining nothing."""
    from shopify_client import BulkUploadError

    where = tmp_path / "parts"
    where.mkdir()
    writer = write_parts(items(50), Variables, name="Op", max_bytes=500, directory=str(where))
    first = next(writer)
    first.remove()
    where.rmdir()
    with pytest.raises(BulkUploadError) as caught:
        next(writer)
    error = caught.value
    assert error.part == 1 and error.status_code is None
    assert str(where) in str(error) and "No such file or directory" in str(error)
    assert error.__cause__ is None and error.__context__ is None
