"""Grouped bulk files read as they arrive: the same records as the store, each as
soon as its block ends, and a typed error where the file is not grouped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopify_client import BulkConnection, BulkIncompleteResultError
from shopify_client._bulk_grouped import GroupedReader
from shopify_client._bulk_reassembly import Reassembler

from .test_bulk_reassembly import MEDIA, TWO_LEVEL, VARIANTS, jsonl, shop

ONE = (VARIANTS,)


def stored(connections: tuple[BulkConnection, ...], data: bytes) -> list[dict[str, Any]]:
    with Reassembler(connections) as store:
        store.feed(data)
        store.finish()
        return list(store.records())


def streamed(
    connections: tuple[BulkConnection, ...], data: bytes, chunk: int = 7, skip: int = 0
) -> list[dict[str, Any]]:
    reader = GroupedReader(connections, skip=skip)
    texts: list[str] = []
    for i in range(0, len(data), chunk):
        reader.feed(data[i : i + chunk])
        texts += reader.take()
    reader.finish()
    texts += reader.take()
    return [json.loads(t) for t in texts]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(1, 60))
def test_a_grouped_file_reads_as_the_store_reads_it(products: int, chunk: int) -> None:
    lines, _ = shop(products)  # grouped: each node directly followed by its descendants
    data = jsonl(lines)
    assert streamed(TWO_LEVEL, data, chunk) == stored(TWO_LEVEL, data)


def test_one_connection_compact_and_spaced_lines() -> None:
    data = (
        b'{"id":"gid://shopify/Product/1","title":"a"}\n'
        b'{"id":"gid://shopify/ProductVariant/2","sku":"x","__parentId":"gid://shopify/Product/1"}\n'
        b'{ "id": "gid://shopify/ProductVariant/3", "__parentId": "gid://shopify/Product/1" }\n'
        b'{"id":"gid://shopify/Product/4","title":"b \\"q\\" \\u00e9"}\n'
        b"\n"
        b'{"__parentId":"gid://shopify/Product/4"}\n'
    )
    got = streamed(ONE, data, chunk=5)
    assert got == stored(ONE, data)
    assert [len(r["variants"]) for r in got] == [2, 1]
    assert got[1]["title"] == 'b "q" é'


def test_a_root_is_handed_out_when_the_next_root_starts_not_later() -> None:
    reader = GroupedReader(ONE)
    reader.feed(b'{"id":"P1"}\n{"id":"V1","__parentId":"P1"}\n')
    assert reader.take() == []  # P1 may still get children
    reader.feed(b'{"id":"P2"}\n')
    assert [json.loads(t)["id"] for t in reader.take()] == ["P1"]
    reader.finish()
    assert json.loads(reader.take()[0]) == {"id": "P2", "variants": []}
    assert (reader.lines, reader.roots) == (3, 2)


def test_a_child_after_another_root_is_a_typed_error_naming_its_line() -> None:
    reader = GroupedReader(ONE, operation_id="gid://shopify/BulkOperation/9")
    reader.feed(b'{"id":"P1"}\n{"id":"P2"}\n')
    assert len(reader.take()) == 1
    with pytest.raises(BulkIncompleteResultError) as info:
        reader.feed(b'{"id":"V1","__parentId":"P1"}\n')
    message = str(info.value)
    assert "line 3 is a child of P1" in message and "not grouped" in message
    assert "stream=True" in message and "gid://shopify/BulkOperation/9" in message
    assert info.value.operation_id == "gid://shopify/BulkOperation/9"


def test_a_child_before_any_root_and_a_grandchild_of_another_block_are_errors() -> None:
    with pytest.raises(BulkIncompleteResultError, match="line 1 is a child of P1 before any root"):
        GroupedReader(ONE).feed(b'{"id":"V1","__parentId":"P1"}\n')
    reader = GroupedReader(TWO_LEVEL)
    reader.feed(
        b'{"id":"gid://shopify/Product/1"}\n'
        b'{"id":"gid://shopify/ProductVariant/2","__parentId":"gid://shopify/Product/1"}\n'
        b'{"id":"gid://shopify/Product/3"}\n'
    )
    with pytest.raises(BulkIncompleteResultError, match="line 4 is a child of gid://shopify/P"):
        reader.feed(
            b'{"id":"gid://shopify/Metafield/4","__parentId":"gid://shopify/ProductVariant/2"}\n'
        )


def test_a_child_that_fits_no_connection_is_an_error_not_dropped() -> None:
    reader = GroupedReader((VARIANTS, MEDIA))
    reader.feed(b'{"id":"P1"}\n{"id":"gid://shopify/Collection/2","__parentId":"P1"}\n')
    with pytest.raises(BulkIncompleteResultError, match="type Collection"):
        reader.finish()
    # a grandchild under a connection that selects none
    leaf = GroupedReader((BulkConnection("variants", frozenset({"ProductVariant"})),))
    leaf.feed(b'{"id":"P1"}\n{"id":"V1","__parentId":"P1"}\n')
    with pytest.raises(BulkIncompleteResultError, match="child of V1"):
        leaf.feed(b'{"id":"M1","__parentId":"V1"}\n')
    # two levels: a grandchild under media, which selects no connection
    nested = GroupedReader(TWO_LEVEL)
    nested.feed(
        b'{"id":"P1"}\n{"id":"gid://shopify/Video/2","__parentId":"P1"}\n'
        b'{"id":"gid://shopify/Metafield/3","__parentId":"gid://shopify/Video/2"}\n'
    )
    with pytest.raises(BulkIncompleteResultError, match=r"1 child line\(s\) of P1 fit none"):
        nested.finish()


def test_lines_that_are_not_json_objects_are_errors() -> None:
    with pytest.raises(BulkIncompleteResultError, match="line 2 of the result is not JSON"):
        GroupedReader(ONE).feed(b'{"id":"P1"}\n{"id":\n')
    with pytest.raises(BulkIncompleteResultError, match="not a JSON object"):
        GroupedReader(ONE).feed(b"[1]\n")
    with pytest.raises(BulkIncompleteResultError, match="not UTF-8"):
        GroupedReader(ONE).feed(b'{"id":"\xff"}\n')


def test_a_restart_drops_the_bytes_already_read_no_duplicate_no_gap() -> None:
    lines, _ = shop(5)
    data = jsonl(lines)
    reader = GroupedReader(TWO_LEVEL)
    texts: list[str] = []
    half = len(data) // 2 + 3  # mid-line
    reader.feed(data[:half])
    texts += reader.take()
    reader.restart()  # the host ignored Range: the whole file again
    for i in range(0, len(data), 11):
        reader.feed(data[i : i + 11])
        texts += reader.take()
    reader.finish()
    texts += reader.take()
    assert [json.loads(t) for t in texts] == stored(TWO_LEVEL, data)
    assert reader.roots == 5


def test_skip_counts_the_first_roots_but_hands_none_of_them_out() -> None:
    lines, _ = shop(6)
    data = jsonl(lines)
    assert streamed(TWO_LEVEL, data, skip=4) == stored(TWO_LEVEL, data)[4:]
    reader = GroupedReader(TWO_LEVEL, skip=10)
    reader.feed(data)
    reader.finish()
    assert reader.take() == [] and reader.roots == 6


def test_a_query_without_connections_hands_out_each_line() -> None:
    assert streamed((), b'{"id":"a"}\n{"id":"b","n":1}\n') == [{"id": "a"}, {"id": "b", "n": 1}]


# Shopify's own grouped example (the bulk-operations guide's JSONL, as quoted in a
# Shopify StackExchange question, "are child objects directly after their parent?",
# which the guide's answer confirms: a new root line means the previous one is done)
SHOPIFY_EXAMPLE = (
    b'{"id":"gid://shopify/Product/1921569226808"}\n'
    b'{"id":"gid://shopify/ProductVariant/19435458986123","title":"52",'
    b'"__parentId":"gid://shopify/Product/1921569226808"}\n'
    b'{"id":"gid://shopify/ProductVariant/19435458986040","title":"70",'
    b'"__parentId":"gid://shopify/Product/1921569226808"}\n'
    b'{"id":"gid://shopify/Product/1921569259576"}\n'
)


def test_shopifys_documented_example_reads_as_its_guide_says() -> None:
    reader = GroupedReader(ONE)
    reader.feed(SHOPIFY_EXAMPLE[: SHOPIFY_EXAMPLE.rindex(b"{")])  # up to line 4
    assert reader.take() == []
    reader.feed(SHOPIFY_EXAMPLE[SHOPIFY_EXAMPLE.rindex(b"{") :])  # line 4: a new root
    first = [json.loads(t) for t in reader.take()]
    assert first == [
        {
            "id": "gid://shopify/Product/1921569226808",
            "variants": [
                {"id": "gid://shopify/ProductVariant/19435458986123", "title": "52"},
                {"id": "gid://shopify/ProductVariant/19435458986040", "title": "70"},
            ],
        }
    ]
    reader.finish()
    assert streamed(ONE, SHOPIFY_EXAMPLE) == stored(ONE, SHOPIFY_EXAMPLE)


def test_blank_and_crlf_lines_count_as_no_object_as_in_the_store() -> None:
    data = b'{"id":"P1"}\r\n\r\n \n\t\n{"id":"V1","__parentId":"P1"}\r\n'
    reader = GroupedReader(ONE)
    reader.feed(data)
    reader.finish()
    with Reassembler(ONE) as store:
        store.feed(data)
        store.finish()
        assert (reader.lines, reader.roots) == (store.lines, store.roots) == (2, 1)
    with pytest.raises(BulkIncompleteResultError, match="line 2 of the result is not JSON"):
        GroupedReader(ONE).feed(b'{"id":"P1"}\n \n{"id":\n')


def test_a_line_in_many_pieces_reads_whole() -> None:
    long_title = "é" * 200_000
    data = (json.dumps({"id": "P1", "title": long_title}) + "\n").encode()
    data += b'{"id":"V1","__parentId":"P1"}\n'
    assert streamed(ONE, data, chunk=4096) == stored(ONE, data)
    assert streamed(ONE, data, chunk=4096)[0]["title"] == long_title
