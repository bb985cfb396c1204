"""A part's result file: every line once, read back in input order."""

from __future__ import annotations

import json
import random

import pytest

from shopify_client import BulkMutationLinesError
from shopify_client._bulk_mutation_results import ResultStore


def feed(store: ResultStore, numbers: list[object], chunk: int = 7) -> None:
    body = "".join(
        json.dumps({"data": {"x": {"n": n}}, "__lineNumber": n}) + "\n" for n in numbers
    ).encode()
    for i in range(0, len(body), chunk):  # any chunking
        store.feed(body[i : i + chunk])
    store.finish()


def test_out_of_order_lines_come_back_in_input_order() -> None:
    numbers: list[object] = list(range(200))
    random.Random(3).shuffle(numbers)
    with ResultStore() as store:
        feed(store, numbers)
        store.check(expected=200, first_line=1000, part=2, operation_id="op")
        assert [line for line, _ in store.rows()] == list(range(200))


@pytest.mark.parametrize(
    ("numbers", "missing", "duplicated", "unexpected"),
    [
        ([0, 1, 3, 4], (1002,), (), ()),
        ([0, 1, 2, 2, 3, 4], (), (1002,), ()),
        ([0, 1, 2, 3, 4, 9], (), (), ("9",)),
        ([0, 1, 2, 3, None], (1004,), (), ("none",)),
        ([4, 3, 1, 0, 0], (1002,), (1000,), ()),
    ],
)
def test_missing_duplicated_and_unexpected_lines_are_named(
    numbers: list[object],
    missing: tuple[int, ...],
    duplicated: tuple[int, ...],
    unexpected: tuple[str, ...],
) -> None:
    with ResultStore() as store:
        feed(store, numbers)
        with pytest.raises(BulkMutationLinesError) as caught:
            store.check(expected=5, first_line=1000, part=1, operation_id="gid://op/1")
    error = caught.value
    assert (error.missing, error.duplicated, error.unexpected) == (missing, duplicated, unexpected)
    assert error.part == 1 and error.operation_id == "gid://op/1"
    assert "part 1" in str(error)


@pytest.mark.parametrize(
    ("numbers", "said"),
    [
        ([0, 1, 3, 4], "1 input line has no result (line 1002)"),
        ([0, 3, 4], "2 input lines have no result (lines 1001, 1002)"),
        ([0, 0, 1, 2, 3, 4], "1 input line has more than one result (line 1000)"),
        (
            [0, 0, 1, 2, 2, 3, 4, 4],
            "3 input lines have more than one result (lines 1000, 1002, 1004)",
        ),
        (
            [0, 0, 1, 3, 4],
            "1 input line has no result (line 1002); "
            "1 input line has more than one result (line 1000)",
        ),
    ],
)
def test_the_message_counts_lines_in_words_that_agree(numbers: list[object], said: str) -> None:
    with ResultStore() as store:
        feed(store, numbers)
        with pytest.raises(BulkMutationLinesError) as caught:
            store.check(expected=5, first_line=1000, part=1, operation_id="gid://op/1")
    assert str(caught.value) == f"bulk mutation gid://op/1 (part 1): {said}"


def test_the_count_of_repeated_lines_is_all_of_them_past_those_named() -> None:
    numbers: list[object] = [*range(150), *range(150)]
    with ResultStore() as store:
        feed(store, numbers, chunk=4096)
        with pytest.raises(BulkMutationLinesError) as caught:
            store.check(expected=150, first_line=0, part=0, operation_id="op")
    assert len(caught.value.duplicated) == 100  # the first 100 are named
    assert "150 input lines have more than one result (lines 0, 1, " in str(caught.value)


def test_a_line_that_is_not_json_is_unexpected() -> None:
    with ResultStore() as store:
        store.feed(b'{"__lineNumber": 0}\nnot json\n')
        store.finish()
        with pytest.raises(BulkMutationLinesError) as caught:
            store.check(expected=1, first_line=0, part=0, operation_id="op")
    assert caught.value.unexpected == ("none",)


def test_a_restart_forgets_what_came_before() -> None:
    with ResultStore() as store:
        store.feed(b'{"__lineNumber": 0}\n{"__lineNum')
        store.restart()
        store.feed(b'{"__lineNumber": 0}\n{"__lineNumber": 1}')
        store.finish()
        store.check(expected=2, first_line=0, part=0, operation_id="op")
        assert [n for n, _ in store.rows()] == [0, 1]


def test_the_store_file_is_removed() -> None:
    import os

    store = ResultStore()
    feed(store, [0])
    store.close()
    assert not os.path.exists(store.path)


def test_a_full_disk_while_the_file_comes_in_is_a_typed_error_naming_the_directory(
    tmp_path: object,
) -> None:
    """sqlite's "database or disk is full" was a raw sqlite3.OperationalError: now a
    BulkDownloadError naming the directory, keeping the part's operation id (resume
    it once there is room), chaining nothing."""
    from shopify_client import BulkDownloadError

    store = ResultStore(directory=str(tmp_path), operation_id="gid://shopify/BulkOperation/5")
    try:
        store.db.execute("PRAGMA max_page_count = 3")  # a disk that is full past 3 pages
        body = "".join(
            json.dumps({"data": {"x": "y" * 500}, "__lineNumber": n}) + "\n" for n in range(200)
        ).encode()
        with pytest.raises(BulkDownloadError) as caught:
            for i in range(0, len(body), 4096):
                store.feed(body[i : i + 4096])
            store.finish()
    finally:
        store.close()
    error = caught.value
    assert error.operation_id == "gid://shopify/BulkOperation/5"
    assert str(tmp_path) in str(error) and "full" in str(error)
    assert error.__cause__ is None and error.__context__ is None


def test_a_store_that_cannot_be_created_is_a_typed_error(tmp_path: object) -> None:
    from pathlib import Path

    from shopify_client import BulkDownloadError

    gone = Path(str(tmp_path)) / "gone"
    with pytest.raises(BulkDownloadError) as caught:
        ResultStore(directory=str(gone), operation_id="gid://shopify/BulkOperation/6")
    assert caught.value.operation_id == "gid://shopify/BulkOperation/6"
    assert str(gone) in str(caught.value) and "No such file or directory" in str(caught.value)
    assert caught.value.__context__ is None
