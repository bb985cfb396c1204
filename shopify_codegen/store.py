"""The committed schema store: ``schema/{api}/{version}.json`` + ``.graphql`` + manifest."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLSchema

from .atomic import atomic_write_bytes, atomic_write_text
from .config import ProjectConfig
from .errors import SchemaFileError
from .schema_files import (
    ManifestEntry,
    introspection_from_json,
    load_schema,
    read_manifest,
    schema_to_sdl,
    sha256_of,
    write_manifest,
)

__all__ = ["StoredSchema", "add_schema", "committed_schema"]


@dataclass(frozen=True)
class StoredSchema:
    api: str
    version: str
    json_path: Path
    sdl_path: Path


def committed_schema(config: ProjectConfig, api: str, version: str) -> GraphQLSchema:
    path = config.schema_json(api, version)
    if not path.exists():
        raise SchemaFileError(
            path,
            f"no committed {api} {version} schema (add it with `shopify-codegen schema download` "
            "or `bump --schema-file`)",
        )
    return load_schema(path)


def add_schema(
    config: ProjectConfig,
    api: str,
    version: str,
    introspection_json: bytes,
    *,
    origin: str,
    date: _dt.date | None = None,
) -> StoredSchema:
    """Check, then write the JSON, its SDL and the manifest entries, each atomically.

    The bytes are checked (introspection result that builds a schema) before any
    file is touched, so a bad input changes nothing.
    """
    json_path = config.schema_json(api, version)
    sdl_path = config.schema_sdl(api, version)
    try:
        text = introspection_json.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaFileError(json_path, f"is not UTF-8 (offset {exc.start})") from None
    introspection = introspection_from_json(json_path, text)
    if "data" in json.loads(text):
        # Store the bare {"__schema": ...} form, as committed elsewhere.
        introspection_json = (json.dumps(introspection, indent=2) + "\n").encode()
    scratch = json_path.with_name(f".{json_path.name}.check")
    try:
        atomic_write_bytes(scratch, introspection_json)
        schema = load_schema(scratch)
        sdl = schema_to_sdl(schema)
    finally:
        scratch.unlink(missing_ok=True)

    atomic_write_bytes(json_path, introspection_json)
    atomic_write_text(sdl_path, sdl)
    day = (date or _dt.date.today()).isoformat()
    entries = [
        e
        for e in read_manifest(config.manifest_path)
        if not (e.api == api and e.version == version)
    ]
    for kind, path, note in (
        ("introspection", json_path, origin),
        ("sdl", sdl_path, f"printed by graphql-core from {json_path.name}"),
    ):
        entries.append(
            ManifestEntry(
                api=api,
                version=version,
                kind=kind,
                path=path.relative_to(config.schema_dir).as_posix(),
                sha256=sha256_of(path),
                origin=note,
                date=day,
            )
        )
    write_manifest(config.manifest_path, entries)
    return StoredSchema(api=api, version=version, json_path=json_path, sdl_path=sdl_path)
