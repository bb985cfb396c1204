"""The compact reading of whole chunks (read_compact) and the store around it: the
same records as the line-by-line reading, whatever the layout of the file."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from shopify_client import BulkConnection, BulkIncompleteResultError
from shopify_client._bulk_lines import read_compact
from shopify_client._bulk_reassembly import Reassembler

VARIANTS = BulkConnection("variants", frozenset({"ProductVariant"}))
PID = "gid://shopify/Product/"
VID = "gid://shopify/ProductVariant/"


def compact(text: str) -> Any:
    return read_compact(text, text.split("\n"))


def line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def test_a_compact_chunk_is_read_into_heads_by_parent() -> None:
    text = "\n".join(
        [
            '{"id":"p1","title":"a } b é"}',
            '{"id":"v1","sku":"x","__parentId":"p1"}',
            '{"id":"p2"}',
            '{"id":"v2","__parentId":"p1"}',
        ]
    )
    assert compact(text) == (
        ["p1", "p2"],
        ['{"id":"p1","title":"a } b é"', '{"id":"p2"'],
        ["p1", "p1"],
        ['{"id":"v1","sku":"x"', '{"id":"v2"'],
    )


def test_a_chunk_of_children_only_or_roots_only() -> None:
    assert compact('{"id":"v","__parentId":"p"}') == ([], [], ["p"], ['{"id":"v"'])
    assert compact('{"id":"p"}\n{"id":"q","n":1}') == (
        ["p", "q"],
        ['{"id":"p"', '{"id":"q","n":1'],
        [],
        [],
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"id":"p"}\n\n{"id":"q"}',  # a blank line
        '{"id":"p"}\r\n{"id":"q"}',  # \r\n line ends
        '{"id":"p"} \n{"id":"q"}',  # a space after the object
        ' {"id":"p"}',
        '{"id":"p","t":"__parentId"}',  # __parentId in a root's string
        '{"id":"v","__parentId":"p","x":1}',  # not the last key
        '{"id":"v","a":{"__parentId":"q"},"__parentId":"p"}',  # twice
        '{"__parentId":"p"}',  # no comma before it
        '{,"__parentId":"p"}',  # a comma with nothing before it
        '{"id":"v","__parentId":"p\\"q"}',  # an escape in the parent
        '{"id":"v","__parentId":"}',  # only the value's opening quote
        '{"id":"v","__parentId":"p"x}',
        '{"id":"p\\u0022"}',  # an escape in a root's id
        '{"title":"t","id":"p"}',  # id not first
        '{"id":"p","image":{"id":"q"}}',  # "id": twice
        '{"id":"p"',
        '{"id":"p}',  # no closing quote
        '{"id":1}',
        "{}",
        "[]",
    ],
)
def test_any_line_off_the_compact_form_sends_the_chunk_to_the_careful_reading(
    text: str,
) -> None:
    assert compact(text) is None
    assert compact('{"id":"a"}\n' + text + '\n{"id":"b"}') is None


def shop(rng: random.Random, products: int, *, grouped: bool) -> list[dict[str, Any]]:
    """Products with 0-4 variants. Grouped: each product's variants right after it;
    ungrouped: each variant anywhere after its product (the first product's all at
    the end of the file), a product's variants still in the same order."""
    slots: list[list[dict[str, Any]]] = [[] for _ in range(products + 1)]
    n = 0
    for p in range(products):
        slots[p].insert(0, {"id": f"{PID}{p}", "title": f"P {p} é \u2028", "n": p})
        count = p * 7 % 5 if p else 4  # the same in both layouts
        where = [p] * count if grouped else sorted(rng.randrange(p, products) for _ in range(count))
        if p == 0 and not grouped:
            where = [products] * count
        after: dict[int, int] = {}  # where this product's last child went, by slot
        for at in where:
            n += 1
            child = {"id": f"{VID}{n}", "sku": f"S{n}", "__parentId": f"{PID}{p}"}
            if at == p:
                slots[p].append(child)
            else:  # among the others waiting there, after this product's earlier ones
                index = rng.randrange(after.get(at, 0), len(slots[at]) + 1)
                slots[at].insert(index, child)
                after[at] = index + 1
    return [obj for slot in slots for obj in slot]


def records_of(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_parent: dict[str, list[dict[str, Any]]] = {}
    for obj in lines:
        if "__parentId" in obj:
            child = dict(obj)
            by_parent.setdefault(child.pop("__parentId"), []).append(child)
    return [
        {**obj, "variants": by_parent.get(obj["id"], [])}
        for obj in lines
        if "__parentId" not in obj
    ]


def read(data: bytes, chunk: int, *, compact: bool = True) -> list[dict[str, Any]]:
    with Reassembler((VARIANTS,)) as store:
        store._compact = compact  # off: the line-by-line reading alone, as a reference
        for i in range(0, len(data), chunk):
            store.feed(data[i : i + chunk])
        store.finish()
        return list(store.records())


@pytest.mark.parametrize("chunk", [7, 333, 4096, 1 << 20])
def test_grouped_and_ungrouped_files_give_the_same_records(chunk: int) -> None:
    rng = random.Random(chunk)
    grouped = shop(random.Random(7), 800, grouped=True)
    ungrouped = shop(random.Random(7), 800, grouped=False)
    expected = records_of(grouped)
    assert expected[0]["variants"] and not all(r["variants"] for r in expected)
    for lines in (grouped, ungrouped):
        data = "".join(line(o) + "\n" for o in lines).encode()
        assert read(data, chunk) == expected
        assert read(data, rng.randrange(1, 5000), compact=False) == expected


def test_a_root_whose_children_end_the_file_across_batches_keeps_them_in_order() -> None:
    lines = shop(random.Random(3), 5000, grouped=False)
    assert lines[-1]["__parentId"] == f"{PID}0" and lines[0]["id"] == f"{PID}0"
    data = "".join(line(o) + "\n" for o in lines).encode()
    records = read(data, 65536)
    assert records == records_of(lines)
    assert [v["id"] for v in records[0]["variants"]] == [f"{VID}{n}" for n in range(1, 5)]


def test_odd_lines_between_compact_ones_keep_a_parents_children_in_file_order() -> None:
    # a spaced or escaped line sends its chunk to the careful reading, its
    # neighbours' chunks go the compact way: one parent's children cross both
    out = [line({"id": f"{PID}1"})]
    expected = []
    for n in range(400):
        child = {"id": f"{VID}{n}", "k": n}
        expected.append(child)
        obj = {**child, "__parentId": f"{PID}1"}
        out.append(json.dumps(obj) if n % 37 == 0 else line(obj))  # spaced: careful
        if n % 53 == 0:
            out.append(line({"id": f"{PID}x{n}", "t": "\\u00e9 \\" + '"'}))
            expected_root = {"id": f"{PID}x{n}", "t": '\\u00e9 \\"', "variants": []}
            out.append("")  # a blank line too
    data = ("\n".join(out) + "\n").encode()
    for chunk in (50, 500, 5000, 1 << 20):
        records = read(data, chunk)
        assert records[0] == {"id": f"{PID}1", "variants": expected}
        assert len(records) == 1 + len(range(0, 400, 53))
        assert records[-1] == {**expected_root, "id": f"{PID}x{371}"}


def test_roots_without_children_get_empty_lists() -> None:
    data = b'{"id":"p1","t":1}\n{"id":"p2"}\n{}\n{ }\n{"id":"p3" }\n'
    assert read(data, 1 << 20) == [
        {"id": "p1", "t": 1, "variants": []},
        {"id": "p2", "variants": []},
        {"variants": []},
        {"variants": []},
        {"id": "p3", "variants": []},
    ]


@pytest.mark.parametrize(
    "bad",
    [
        # its last '"' opens the value, so there is no parent id (the line is not
        # JSON); it was once read as a child of the id ""
        b'{"id":"v","__parentId":"}',
        # a comma after nothing: was once read as the child {}
        b'{,"__parentId":""}',
    ],
)
def test_a_child_line_that_is_not_json_is_a_bad_line_not_a_child(bad: bytes) -> None:
    data = b'{"id":"","t":1}\n' + bad + b"\n"
    for chunk in (1, 1 << 20):
        with pytest.raises(BulkIncompleteResultError, match=r"line 2 of the result is not JSON"):
            read(data, chunk)


@pytest.mark.parametrize("chunk", [40, 200, 1 << 20])
def test_roots_read_by_either_reading_keep_file_order(chunk: int) -> None:
    # spaced roots (careful reading) and compact ones (compact reading), in chunks
    # of every size: the store gets both in file order, within a batch too
    rng = random.Random(chunk)
    objects = [{"id": f"{PID}{n}", "n": n} for n in range(300)]
    text = "".join((json.dumps(o) if rng.random() < 0.3 else line(o)) + "\n" for o in objects)
    assert read(text.encode(), chunk) == [{**o, "variants": []} for o in objects]
