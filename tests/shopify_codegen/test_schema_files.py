"""Loading schema files: three accepted forms, a clear error for anything else."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shopify_codegen.errors import SchemaFileError
from shopify_codegen.schema_files import (
    ManifestEntry,
    load_schema,
    read_manifest,
    schema_to_sdl,
    sha256_of,
)
from tests.conftest import ROOT

STOREFRONT_JSON = ROOT / "schema" / "storefront" / "2024-01.json"


def test_loads_bare_introspection_result() -> None:
    schema = load_schema(STOREFRONT_JSON)
    assert "customerAccessTokenCreate" in schema.mutation_type.fields  # type: ignore[union-attr]


def test_loads_data_wrapped_introspection_result(tmp_path: Path) -> None:
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"data": json.loads(STOREFRONT_JSON.read_text())}))
    assert schema_to_sdl(load_schema(wrapped)) == schema_to_sdl(load_schema(STOREFRONT_JSON))


def test_loads_sdl_file() -> None:
    sdl = STOREFRONT_JSON.with_suffix(".graphql")
    assert schema_to_sdl(load_schema(sdl)) == sdl.read_text()


def test_sdl_without_graphql_suffix_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "schema.txt"
    path.write_text("type Query { shop: String }\n")
    assert "shop" in load_schema(path).query_type.fields  # type: ignore[union-attr]


BAD = [
    ("empty.json", b"", "is empty"),
    ("blank.graphql", b"  \n\t", "is empty"),
    ("truncated.json", b'{"__schema": {"queryType": {"name": "Qu', "truncated JSON (ends early)"),
    ("list.json", b"[1, 2]", "is a JSON list, not an introspection result object"),
    (
        "other.json",
        b'{"hello": 1, "world": 2}',
        "not an introspection result: expected a top-level "
        "'__schema' or 'data.__schema' (top-level keys: hello, world)",
    ),
    (
        "errors.json",
        b'{"errors": "Not Found"}',
        'is a GraphQL error response, not an introspection result: "Not Found"',
    ),
    ("bad_schema.json", b'{"__schema": {"types": []}}', "invalid introspection result"),
    ("schema_not_object.json", b'{"__schema": 3}', "'__schema' is not an object"),
    (
        "html.json",
        b"<html><body>502 Bad Gateway</body></html>",
        "html.json: looks like an HTML page, not an introspection result",
    ),
    (
        "html.graphql",
        b"\n  <!DOCTYPE html><html>Log in</html>",
        "html.graphql: looks like an HTML page, not an introspection result",
    ),
    ("not_json.json", b"type Query { a: Int }", "is not JSON"),
    ("bad.json", b'{"__schema": \n  [1,,]}', "bad.json:2:6: not valid JSON: Expecting value"),
    ("latin1.graphql", "type Query { caf\u00e9: String }".encode("latin-1"), "is not UTF-8 text"),
    ("syntax.graphql", b"type Query { shop: }", "syntax.graphql:1:20: SDL syntax error"),
    (
        "unknown_type.graphql",
        b"type Query { shop: Shop }",
        "SDL does not build a schema: Unknown type 'Shop'.",
    ),
    ("no_query.graphql", b"type Shop { id: ID }", "SDL defines no Query type"),
]


@pytest.mark.parametrize(("name", "content", "problem"), BAD, ids=[b[0] for b in BAD])
def test_bad_schema_files_name_file_and_problem(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SchemaFileError) as info:
        load_schema(path)
    assert info.value.path == path
    assert problem in str(info.value)
    assert str(path) in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SchemaFileError, match="no such file"):
        load_schema(tmp_path / "nope.json")
    with pytest.raises(SchemaFileError, match="is a directory"):
        load_schema(tmp_path)


MANIFEST = read_manifest(ROOT / "schema" / "manifest.json")
INTROSPECTIONS = [entry for entry in MANIFEST if entry.kind == "introspection"]


def test_every_file_under_schema_is_in_the_manifest_and_back() -> None:
    """The manifest is the project's own record of each schema file as fetched (its
    sha256): no file escapes it, and it names no file that is not there."""
    on_disk = {
        p.relative_to(ROOT / "schema").as_posix()
        for p in (ROOT / "schema").rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    listed = [entry.path for entry in MANIFEST]
    assert len(listed) == len(set(listed))
    assert set(listed) == on_disk


@pytest.mark.parametrize("entry", INTROSPECTIONS, ids=lambda e: e.path)
def test_each_sdl_is_its_introspection_result_printed(entry: ManifestEntry) -> None:
    """Each committed .graphql is graphql-core's print of the committed .json, and the
    manifest says so: the pair cannot drift apart unnoticed."""
    json_path = ROOT / "schema" / entry.path
    assert sha256_of(json_path) == entry.sha256
    sdl_path = json_path.with_suffix(".graphql")
    assert sdl_path.read_text() == schema_to_sdl(load_schema(json_path))
    (sdl_entry,) = [e for e in MANIFEST if e.path == f"{entry.api}/{sdl_path.name}"]
    assert (sdl_entry.kind, sdl_entry.api, sdl_entry.version) == ("sdl", entry.api, entry.version)
    assert sdl_entry.origin == f"printed by graphql-core from {json_path.name}"
    assert sha256_of(sdl_path) == sdl_entry.sha256


def test_manifest_lists_every_schema_file_with_its_sha256() -> None:
    entries = read_manifest(ROOT / "schema" / "manifest.json")
    assert len(entries) == 14
    for entry in entries:
        assert entry.kind in ("introspection", "sdl")
        assert entry.api in ("storefront", "admin", "customer") and entry.version in (
            "2024-01",
            "2024-10",
            "2026-04",
        )
        assert entry.origin and entry.date
        assert sha256_of(ROOT / "schema" / entry.path) == entry.sha256


def test_a_file_replaced_with_the_same_size_and_mtime_is_built_again(tmp_path: Path) -> None:
    """The in-process cache is keyed by the file's identity, not by its size and
    modification time alone: check records what it built, so a stale schema would
    be recorded as the new file's result."""
    path = tmp_path / "schema.graphql"
    path.write_text("type Query { aaaa: Int }\n")
    first = load_schema(path)
    assert "aaaa" in first.query_type.fields  # type: ignore[union-attr]
    before = path.stat()
    replacement = tmp_path / "new.graphql"
    replacement.write_text("type Query { bbbb: Int }\n")
    os.replace(replacement, path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert "bbbb" in load_schema(path).query_type.fields  # type: ignore[union-attr]
