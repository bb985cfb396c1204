"""The committed schema store: ``schema/{api}/{version}.json`` + ``.graphql`` + manifest."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLSchema

from .config import ProjectConfig
from .errors import SchemaFileError
from .paths import link_on_the_way, shown
from .schema_files import (
    ManifestEntry,
    introspection_from_json,
    load_schema,
    manifest_bytes,
    read_manifest,
    release_version,
    schema_to_sdl,
)
from .transaction import Transaction

__all__ = ["StoredSchema", "add_schema", "committed_schema", "introspection_from_sdl"]


@dataclass(frozen=True)
class StoredSchema:
    api: str
    version: str
    json_path: Path
    sdl_path: Path


def committed_schema(config: ProjectConfig, api: str, version: str) -> GraphQLSchema:
    """The committed ``api`` ``version`` schema, read from ``schema/<api>/<version>.json``.

    ``version`` names the file, so it must be a Shopify version (``admin@../../x``
    is refused before any path is built), and the file must be a regular file in
    the project, reached through no symlink (see :mod:`.paths`).
    """
    release_version(version)
    path = config.schema_json(api, version)
    link = link_on_the_way(config.root, path)
    if link is not None:
        raise SchemaFileError(
            shown(config.root, link),
            "is a symlink (or leads outside the project): committed schemas are regular "
            "files in the project's schema folder; not followed",
        )
    if not path.exists():
        raise SchemaFileError(
            path,
            f"no committed {api} {version} schema: register a file you have with "
            f"`shopify-codegen schema add --api {api} --version {version} --file PATH` "
            "(introspection JSON or SDL), or download it with `shopify-codegen schema download`",
        )
    return load_schema(path)


def schema_file_contents(
    config: ProjectConfig,
    api: str,
    version: str,
    introspection_json: bytes,
    *,
    origin: str,
    date: _dt.date | None = None,
) -> dict[Path, bytes]:
    """The new JSON, SDL and manifest of ``api`` ``version``, checked, not yet written.

    Raises :class:`SchemaFileError` for bytes that are not an introspection result
    building a schema, before anything is touched.
    """
    json_path = config.schema_json(api, version)
    sdl_path = config.schema_sdl(api, version)
    try:
        text = introspection_json.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaFileError(json_path, f"is not UTF-8 (offset {exc.start})") from None
    introspection = introspection_from_json(json_path, text)
    if "__schema" not in json.loads(text):
        # Store the bare {"__schema": ...} form, as committed elsewhere.
        introspection_json = (json.dumps(introspection, indent=2) + "\n").encode()
    with tempfile.TemporaryDirectory(prefix="shopify-codegen-schema-") as scratch:
        checked = Path(scratch) / json_path.name
        checked.write_bytes(introspection_json)
        try:
            sdl = schema_to_sdl(load_schema(checked)).encode()
        except SchemaFileError as exc:
            raise SchemaFileError(json_path, exc.problem) from None
    day = (date or _dt.date.today()).isoformat()
    existing = read_manifest(config.manifest_path)
    entries = [e for e in existing if not (e.api == api and e.version == version)]
    before = {e.kind: e for e in existing if e.api == api and e.version == version}
    for kind, path, data, note in (
        ("introspection", json_path, introspection_json, origin),
        ("sdl", sdl_path, sdl, f"printed by graphql-core from {json_path.name}"),
    ):
        digest = hashlib.sha256(data).hexdigest()
        kept = before.get(kind)
        if kept is not None and kept.sha256 == digest:
            # The same bytes again (a bump to a version already committed): the
            # recorded origin and date stay what they were.
            entries.append(kept)
            continue
        entries.append(
            ManifestEntry(
                api=api,
                version=version,
                kind=kind,
                path=path.relative_to(config.schema_dir).as_posix(),
                sha256=digest,
                origin=note,
                date=day,
            )
        )
    return {
        json_path: introspection_json,
        sdl_path: sdl,
        config.manifest_path: manifest_bytes(entries),
    }


def add_schema(
    config: ProjectConfig,
    api: str,
    version: str,
    introspection_json: bytes,
    *,
    origin: str,
    date: _dt.date | None = None,
) -> StoredSchema:
    """Check, then write the JSON, its SDL and the manifest in one transaction."""
    contents = schema_file_contents(
        config, api, version, introspection_json, origin=origin, date=date
    )
    with Transaction(config.root) as tx:
        for path, data in contents.items():
            tx.write_bytes(path, data)
        tx.commit()
    return StoredSchema(
        api=api,
        version=version,
        json_path=config.schema_json(api, version),
        sdl_path=config.schema_sdl(api, version),
    )


def introspection_from_sdl(path: Path, text: str) -> bytes:
    """The introspection JSON of an SDL file's schema (``schema add --file x.graphql``).

    Descriptions, deprecation reasons and directives survive the round trip; the
    SDL written beside it is printed from this JSON, as for a downloaded schema.
    """
    from graphql import GraphQLError, build_schema, introspection_from_schema

    try:
        schema = build_schema(text)
    except (GraphQLError, TypeError) as exc:
        raise SchemaFileError(path, f"is not a GraphQL schema (SDL): {exc}") from None
    result = introspection_from_schema(schema, descriptions=True)
    return (json.dumps({"__schema": result["__schema"]}, indent=2) + "\n").encode()
