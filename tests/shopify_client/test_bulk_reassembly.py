"""Reassembly of bulk JSONL into root records: order-free, two levels, bounded store."""

from __future__ import annotations

import json
import os
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopify_client import BulkConnection, BulkIncompleteResultError, InvalidVariablesError
from shopify_client._bulk_literals import render_bulk_query
from shopify_client._bulk_reassembly import Reassembler

VARIANTS = BulkConnection("variants", frozenset({"ProductVariant"}))
MEDIA = BulkConnection("media", frozenset({"MediaImage", "Video"}))
METAFIELDS = BulkConnection("metafields", frozenset({"Metafield"}))
TWO_LEVEL = (BulkConnection("variants", frozenset({"ProductVariant"}), (METAFIELDS,)), MEDIA)


def jsonl(objects: list[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(o, separators=(",", ":")).encode() + b"\n" for o in objects)


def read(
    connections: tuple[BulkConnection, ...], data: bytes, chunk: int = 7
) -> list[dict[str, Any]]:
    with Reassembler(connections) as store:
        for i in range(0, len(data), chunk):
            store.feed(data[i : i + chunk])
        store.finish()
        return list(store.records())


def shop(products: int) -> tuple[list[dict[str, object]], list[dict[str, Any]]]:
    """(lines in grouped order, the records they make)."""
    lines: list[dict[str, object]] = []
    records = []
    n = 0
    for p in range(products):
        pid = f"gid://shopify/Product/{p}"
        lines.append({"id": pid, "title": f'"quoted" \\ {p} é'})
        record: dict[str, object] = {
            "id": pid,
            "title": f'"quoted" \\ {p} é',
            "variants": [],
            "media": [],
        }
        for v in range(2):
            n += 1
            vid = f"gid://shopify/ProductVariant/{n}"
            lines.append({"id": vid, "__typename": "ProductVariant", "__parentId": pid})
            variant: dict[str, object] = {
                "id": vid,
                "__typename": "ProductVariant",
                "metafields": [],
            }
            for _ in range(v):
                n += 1
                mid = f"gid://shopify/Metafield/{n}"
                lines.append({"id": mid, "__parentId": vid})
                variant["metafields"].append({"id": mid})  # type: ignore[attr-defined]
            record["variants"].append(variant)  # type: ignore[attr-defined]
        n += 1
        media = {"id": f"gid://shopify/Video/{n}"}  # no __typename: its gid names the type
        lines.append({**media, "__parentId": pid})
        record["media"].append(media)  # type: ignore[attr-defined]
        records.append(record)
    return lines, records


def scatter(lines: list[dict[str, object]], seed: int) -> list[dict[str, object]]:
    """Children still after their parents, in any other order."""
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    pending = list(lines)
    emitted: set[object] = set()
    while pending:
        ready = [
            i
            for i, o in enumerate(pending)
            if o.get("__parentId") in emitted or "__parentId" not in o
        ]
        pick = pending.pop(rng.choice(ready[:5]))
        out.append(pick)
        emitted.add(pick["id"])
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 12), st.integers(1, 50))
def test_any_order_with_children_after_parents_gives_the_same_records(
    seed: int, products: int, chunk: int
) -> None:
    lines, records = shop(products)
    # any chunking of the same bytes reads the same
    assert read(TWO_LEVEL, jsonl(scatter(lines, seed)), chunk) == read(
        TWO_LEVEL, jsonl(scatter(lines, seed)), 100_000
    )
    # children keep file order: compared as sets of ids per parent
    order = scatter(lines, seed)
    got = read(TWO_LEVEL, jsonl(order), chunk)
    # roots in file order
    assert [r["id"] for r in got] == [o["id"] for o in order if "__parentId" not in o]
    wanted = {r["id"]: r for r in records}
    for mine in got:
        want = wanted[mine["id"]]
        assert sorted(v["id"] for v in mine["variants"]) == sorted(
            v["id"] for v in want["variants"]
        )
        assert {v["id"]: sorted(m["id"] for m in v["metafields"]) for v in mine["variants"]} == {
            v["id"]: sorted(m["id"] for m in v["metafields"]) for v in want["variants"]
        }
        assert mine["media"] == want["media"]


def test_grouped_order_gives_children_in_file_order() -> None:
    lines, records = shop(3)
    assert read(TWO_LEVEL, jsonl(lines)) == records


def test_an_orphan_is_an_error_not_a_short_result() -> None:
    lines, _ = shop(2)
    lines.append(
        {"id": "gid://shopify/ProductVariant/999", "__parentId": "gid://shopify/Product/77"}
    )
    with pytest.raises(BulkIncompleteResultError, match="1 child line"):
        read(TWO_LEVEL, jsonl(lines))


def test_a_child_of_no_selected_connection_is_an_error() -> None:
    data = jsonl(
        [
            {"id": "gid://shopify/Product/1"},
            {"id": "gid://shopify/Order/2", "__parentId": "gid://shopify/Product/1"},
        ]
    )
    with pytest.raises(BulkIncompleteResultError, match="fits none"):
        read((VARIANTS, MEDIA), data)


def test_a_line_that_is_not_json_is_an_error() -> None:
    with pytest.raises(BulkIncompleteResultError, match="not JSON"):
        read((), b'{"id":"gid://shopify/Product/1"}\n{oops\n')


def test_spaced_json_is_read_too() -> None:
    data = (
        b'{"id": "gid://shopify/Product/1"}\n'
        b'{"id": "gid://shopify/ProductVariant/2", "__parentId": "gid://shopify/Product/1"}\n'
    )
    assert read((VARIANTS,), data) == [
        {"id": "gid://shopify/Product/1", "variants": [{"id": "gid://shopify/ProductVariant/2"}]}
    ]


def test_the_store_is_a_temporary_file_removed_on_close() -> None:
    store = Reassembler((VARIANTS,))
    store.feed(b'{"id":"gid://shopify/Product/1"}\n')
    store.finish()
    assert os.path.exists(store.path)
    store.close()
    assert not os.path.exists(store.path)


def test_restart_forgets_what_was_read() -> None:
    with Reassembler(()) as store:
        store.feed(b'{"id":"a"}\n{"id":')
        store.restart()
        store.feed(b'{"id":"b"}\n')
        store.finish()
        assert [r["id"] for r in store.records()] == ["b"]


QUERY = (
    "query Q($query: String, $first: Int = 5, $status: ProductStatus) {"
    " products(query: $query, first: $first, status: $status) { edges { node { id } } } }"
)


@given(st.text())
def test_a_string_variable_reaches_shopify_exactly(value: str) -> None:
    import graphql

    text = render_bulk_query(QUERY, {"query": value})
    document = graphql.parse(text)
    (field,) = document.definitions[0].selection_set.selections  # type: ignore[attr-defined]
    arguments = {a.name.value: a.value for a in field.arguments}
    assert arguments["query"].value == value
    assert not document.definitions[0].variable_definitions  # type: ignore[attr-defined]


def test_tricky_strings_unset_defaults_enums() -> None:
    text = render_bulk_query(
        QUERY, {"query": 'a"""b\\\n"', "status": "ACTIVE"}, frozenset({"ProductStatus"})
    )
    assert "first: 5" in text and "status: ACTIVE" in text
    assert "query Q {" in text
    assert "query:" not in render_bulk_query(QUERY, {})  # unset: the argument is absent
    assert "query: null" in render_bulk_query(QUERY, {"query": None})


def test_a_wrong_variable_is_a_typed_error() -> None:
    with pytest.raises(InvalidVariablesError, match=r"\$first"):
        render_bulk_query(QUERY, {"first": "five"})
    with pytest.raises(InvalidVariablesError, match=r"\$status"):
        render_bulk_query(QUERY, {"status": "not an enum!"}, frozenset({"ProductStatus"}))
    with pytest.raises(InvalidVariablesError, match=r"\$nope"):
        render_bulk_query(QUERY, {"nope": 1})


def test_a_repeated_root_id_is_named_not_counted_negative() -> None:
    data = jsonl(
        [
            {"id": "P1", "t": "a"},
            {"id": "V1", "__parentId": "P1"},
            {"id": "P1", "t": "b"},
            {"id": "V2", "__parentId": "P1"},
        ]
    )
    with pytest.raises(BulkIncompleteResultError, match="more than once") as info:
        read((VARIANTS,), data)
    assert "-" not in str(info.value).split(":")[-1].split("time")[0]
