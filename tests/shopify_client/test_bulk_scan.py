"""The store reads ``__parentId`` / ``id`` / ``__typename`` from a line's text where that
is exact, and parses the line otherwise: any JSON Shopify could write, however its
strings look, reassembles as ``json.loads`` of every line would."""

from __future__ import annotations

import json
import os
import random
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopify_client import BulkConnection, BulkIncompleteResultError
from shopify_client._bulk_download import DownloadLimits, download_sync
from shopify_client._bulk_reassembly import Reassembler

VARIANTS = BulkConnection("variants", frozenset({"ProductVariant"}))
MEDIA = BulkConnection("media", frozenset({"MediaImage", "Video"}))
METAFIELDS = BulkConnection("metafields", frozenset({"Metafield"}))
NESTED = (BulkConnection("variants", frozenset({"ProductVariant"}), (METAFIELDS,)),)

#: strings that look like the keys the store reads from the text
TRICKY = [
    '"__parentId":"gid://shopify/Product/1"}',
    '","__parentId":"x',
    '"id":"gid://shopify/Product/2"',
    '{"id":"z"}',
    "back\\slash",
    '\\"',
    "\\u005f_parentId",
    "é ü \u2028",
    '"__typename":"Video"',
    "}",
]


def reference(
    connections: tuple[BulkConnection, ...], lines: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """What the records must be: every line parsed, children in file order."""
    parsed = [json.loads(json.dumps(line)) for line in lines]
    by_parent: dict[str, list[dict[str, Any]]] = {}
    roots = []
    for value in parsed:
        parent = value.pop("__parentId", None)
        if parent is None:
            roots.append(value)
        else:
            by_parent.setdefault(parent, []).append(value)

    def fill(node: dict[str, Any], conns: tuple[BulkConnection, ...]) -> dict[str, Any]:
        lists: dict[str, list[Any]] = {c.key: [] for c in conns}
        for child in by_parent.get(str(node.get("id")), []) if conns else []:
            kind = child.get("__typename") or str(child.get("id", "")).split("/")[3]
            conn = conns[0] if len(conns) == 1 else next(c for c in conns if kind in c.typenames)
            lists[conn.key].append(fill(child, conn.children))
        return {**node, **lists}

    return [fill(root, connections) for root in roots]


def read(connections: tuple[BulkConnection, ...], data: bytes, chunk: int) -> list[Any]:
    with Reassembler(connections) as store:
        for i in range(0, len(data), chunk):
            store.feed(data[i : i + chunk])
        store.finish()
        return list(store.records())


def extra(rng: random.Random) -> dict[str, Any]:
    """Fields of hostile text, nested objects with ids and __parentId of their own."""
    out: dict[str, Any] = {}
    for n in range(rng.randrange(3)):
        out[f"f{n}"] = rng.choice(TRICKY) + rng.choice(TRICKY)
    if rng.random() < 0.3:
        out["image"] = {"id": "gid://shopify/MediaImage/9", "__parentId": "nope"}
    if rng.random() < 0.2:
        out["tags"] = [rng.choice(TRICKY), {"id": "x"}]
    return out


def shuffled(rng: random.Random, obj: dict[str, Any]) -> dict[str, Any]:
    items = list(obj.items())
    rng.shuffle(items)
    return dict(items)


def file_of(rng: random.Random, products: int, media: bool, nested: bool) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    n = 0
    for p in range(products):
        pid = f"gid://shopify/Product/{p}"
        lines.append(shuffled(rng, {"id": pid, **extra(rng)}))
        for _ in range(rng.randrange(4)):
            n += 1
            vid = f"gid://shopify/ProductVariant/{n}"
            variant = {"id": vid, "__parentId": pid, **extra(rng)}
            if media:
                variant["__typename"] = "ProductVariant"
            waiting.append(shuffled(rng, variant))
            for _ in range(rng.randrange(3) if nested else 0):
                n += 1
                waiting.append({"id": f"gid://shopify/Metafield/{n}", "__parentId": vid})
        for _ in range(rng.randrange(3) if media else 0):
            n += 1
            kind = rng.choice(["MediaImage", "Video"])
            item: dict[str, Any] = {"id": f"gid://shopify/{kind}/{n}", "__parentId": pid}
            if rng.random() < 0.5:
                item["__typename"] = kind  # else its gid tells
            waiting.append(shuffled(rng, {**item, **extra(rng)}))
        # ungrouped: some of the waiting children now (in any order), the rest later
        rng.shuffle(waiting)
        cut = rng.randrange(len(waiting) + 1)
        lines.extend(waiting[:cut])
        waiting = waiting[cut:]
    # a child's own children after it: keep only orders where parents come first
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    pending = lines + waiting
    while pending:
        for i, line in enumerate(pending):
            if line.get("__parentId") in seen or "__parentId" not in line:
                out.append(pending.pop(i))
                seen.add(line["id"])
                break
    return out


def dump(rng: random.Random, lines: list[dict[str, Any]]) -> bytes:
    """Mostly compact (as Shopify writes), sometimes spaced or ASCII-escaped."""
    text = []
    for line in lines:
        style = rng.random()
        if style < 0.7:
            text.append(json.dumps(line, separators=(",", ":"), ensure_ascii=False))
        elif style < 0.85:
            text.append(json.dumps(line))
        else:
            text.append(json.dumps(line, separators=(",", ":")))
    return ("\n".join(text) + "\n").encode()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32),
    st.integers(1, 15),
    st.sampled_from(["one", "media", "nested"]),
    st.integers(1, 400),
)
def test_records_match_json_loads_of_every_line(
    seed: int, products: int, shape: str, chunk: int
) -> None:
    rng = random.Random(seed)
    connections = {"one": (VARIANTS,), "media": (VARIANTS, MEDIA), "nested": NESTED}[shape]
    lines = file_of(rng, products, media=shape == "media", nested=shape == "nested")
    assert read(connections, dump(rng, lines), chunk) == reference(connections, lines)


def test_a_key_spelled_with_escapes_is_still_that_key() -> None:
    data = (
        b'{"id":"gid://shopify/Product/1"}\n'
        b'{"id":"gid://shopify/ProductVariant/2","\\u005f_parentId":"gid://shopify/Product/1"}\n'
        b'{"\\u0069d":"gid://shopify/Product/3"}\n'
        b'{"id":"gid://shopify/ProductVariant/4","__parentId":"gid://shopify/Product/3"}\n'
    )
    assert read((VARIANTS,), data, 5) == [
        {"id": "gid://shopify/Product/1", "variants": [{"id": "gid://shopify/ProductVariant/2"}]},
        {"id": "gid://shopify/Product/3", "variants": [{"id": "gid://shopify/ProductVariant/4"}]},
    ]


def test_a_repeated_key_counts_once_as_json_loads_reads_it() -> None:
    # json.loads (and pydantic) keep the last of a repeated key
    data = (
        b'{"id":"gid://shopify/Product/1","id":"gid://shopify/Product/2"}\n'
        b'{"id":"gid://shopify/ProductVariant/3","__parentId":"gid://shopify/Product/1",'
        b'"__parentId":"gid://shopify/Product/2"}\n'
    )
    assert read((VARIANTS,), data, 1000) == [
        {"id": "gid://shopify/Product/2", "variants": [{"id": "gid://shopify/ProductVariant/3"}]}
    ]


def test_children_of_one_connection_keep_file_order_across_their_types() -> None:
    lines: list[dict[str, Any]] = [{"id": "gid://shopify/Product/1"}]
    kinds = ["Video", "MediaImage", "MediaImage", "Video", "MediaImage"]
    for n, kind in enumerate(kinds):
        lines.append({"id": f"gid://shopify/{kind}/{n}", "__parentId": "gid://shopify/Product/1"})
    data = b"".join(json.dumps(o, separators=(",", ":")).encode() + b"\n" for o in lines)
    (record,) = read((VARIANTS, MEDIA), data, 1000)
    assert [m["id"] for m in record["media"]] == [
        f"gid://shopify/{k}/{n}" for n, k in enumerate(kinds)
    ]


class Product(pydantic.BaseModel):
    id: str
    variants: list[dict[str, Any]]


def test_typed_reads_the_text_once_into_the_model() -> None:
    data = (
        b'{"id":"gid://shopify/Product/1"}\n'
        b'{"id":"gid://shopify/ProductVariant/2","__parentId":"gid://shopify/Product/1"}\n'
    )
    with Reassembler((VARIANTS,)) as store:
        store.feed(data)
        store.finish()
        (product,) = store.typed(Product)
    assert product == Product(
        id="gid://shopify/Product/1", variants=[{"id": "gid://shopify/ProductVariant/2"}]
    )


def test_a_line_that_looks_whole_but_is_not_json_is_an_error_naming_its_root() -> None:
    data = b'{"id":"gid://shopify/Product/1"}\n{"id":"gid://shopify/Product/2",oops}\n'
    with Reassembler((VARIANTS,)) as store:
        store.feed(data)
        store.finish()
        with pytest.raises(BulkIncompleteResultError, match=r"root 2 .* not JSON"):
            list(store.typed(Product))


def test_a_misfit_goes_to_the_callers_hook_unchained() -> None:
    class Strict(pydantic.BaseModel):
        id: int

    class Misfit(Exception):
        pass

    with Reassembler(()) as store:
        store.feed(b'{"id":"gid://shopify/Product/1"}\n')
        store.finish()
        with pytest.raises(Misfit) as caught:
            list(store.typed(Strict, lambda exc: Misfit(str(len(exc.errors())))))
    assert caught.value.__cause__ is None and caught.value.__context__ is None


def test_closing_the_store_mid_read_leaves_no_thread_or_file() -> None:
    lines = [{"id": f"gid://shopify/Product/{n}"} for n in range(5000)]
    data = b"".join(json.dumps(o).encode() + b"\n" for o in lines)
    before = threading.active_count()
    store = Reassembler((VARIANTS,))
    store.feed(data)
    store.finish()
    texts = store.texts()
    next(texts)
    store.close()
    assert threading.active_count() == before
    assert not os.path.exists(store.path)


def test_odd_spacing_and_line_ends_are_read_as_json_reads_them() -> None:
    data = (
        b'{"id":"gid://shopify/Product/1"}\r\n'
        b'{"id":"gid://shopify/ProductVariant/2", "__parentId":"gid://shopify/Product/1"}\n'
        b'  {"id":"gid://shopify/ProductVariant/3","__parentId":"gid://shopify/Product/1"} \n'
        b"\n \n"
        b'{"id":"gid://shopify/Product/4"}\n'
    )
    assert read((VARIANTS,), data, 3) == [
        {
            "id": "gid://shopify/Product/1",
            "variants": [
                {"id": "gid://shopify/ProductVariant/2"},
                {"id": "gid://shopify/ProductVariant/3"},
            ],
        },
        {"id": "gid://shopify/Product/4", "variants": []},
    ]


def test_a_spaced_child_of_a_query_without_connections_is_an_orphan_not_a_root() -> None:
    data = (
        b'{"id":"gid://shopify/Product/1"}\n'
        b'{"id": "gid://shopify/ProductVariant/2", "__parentId": "gid://shopify/Product/1"}\n'
    )
    with pytest.raises(BulkIncompleteResultError, match="1 child line"):
        read((), data, 100)


def test_a_nested_id_is_not_taken_for_the_roots_own() -> None:
    data = (
        b'{"image":{"id":"gid://shopify/Product/1"},"title":"no id of its own"}\n'
        b'{"id":"gid://shopify/ProductVariant/2","__parentId":"gid://shopify/Product/1"}\n'
    )
    with pytest.raises(BulkIncompleteResultError, match="1 child line"):
        read((VARIANTS,), data, 100)


def _file(products: int) -> bytes:
    lines: list[dict[str, Any]] = []
    for p in range(products):
        lines.append({"id": f"gid://shopify/Product/{p}", "title": f"é{p}"})
    for p in range(products):  # ungrouped: every child after every root
        lines.append(
            {
                "id": f"gid://shopify/ProductVariant/{p}",
                "title": f"ü{p}",
                "__parentId": f"gid://shopify/Product/{p}",
            }
        )
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    return b"".join(json.dumps(o, **compact).encode() + b"\n" for o in lines)  # type: ignore[arg-type]


class _CutOnce(httpx.BaseTransport):
    """Serves ``data``; the first answer stops after ``cut`` bytes; later ones honour
    Range (206), or ignore it (200, the whole file again) if ``ignore_range``."""

    def __init__(self, data: bytes, cut: int, ignore_range: bool = False) -> None:
        self.data, self.cut, self.ignore_range = data, cut, ignore_range
        self.ranges: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        asked = request.headers.get("Range")
        self.ranges.append(asked)
        if asked is None:
            body, data = self.data, self.data

            class Cut(httpx.SyncByteStream):
                def __iter__(self_) -> Iterator[bytes]:
                    yield data[: self.cut]
                    raise httpx.RemoteProtocolError("peer closed")

            return httpx.Response(200, headers={"Content-Length": str(len(body))}, stream=Cut())
        if self.ignore_range:
            return httpx.Response(200, stream=httpx.ByteStream(self.data))
        start = int(asked.removeprefix("bytes=").rstrip("-"))
        return httpx.Response(
            206,
            headers={"Content-Range": f"bytes {start}-{len(self.data) - 1}/{len(self.data)}"},
            stream=httpx.ByteStream(self.data[start:]),
        )


@pytest.mark.parametrize("ignore_range", [False, True])
def test_a_download_cut_anywhere_resumes_to_the_same_records(ignore_range: bool) -> None:
    data = _file(5000)  # past one stored batch before the cut
    whole = read((VARIANTS,), data, len(data))
    second_half = data.index(b"\xc3", len(data) // 2)  # inside a two-byte character
    for cut in (1, data.index(b"\n") + 1, len(data) // 2 + 7, second_half + 1, len(data) - 2):
        transport = _CutOnce(data, cut, ignore_range)
        with Reassembler((VARIANTS,)) as store:
            download_sync(
                "https://storage.example/f.jsonl",
                store,
                limits=DownloadLimits(resume_backoff=0.0),
                transport=transport,
            )
            store.finish()
            assert list(store.records()) == whole
            assert store.lines == 10_000 and store.roots == 5000
        assert transport.ranges == [None, f"bytes={cut}-"]
