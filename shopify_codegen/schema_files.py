"""Schema files: introspection JSON and SDL, loading, printing and the manifest.

A schema file is either an introspection result (``{"__schema": ...}`` or
``{"data": {"__schema": ...}}``) or SDL (``type Query {...}``). Anything else is
a :class:`SchemaFileError` that says what the file is instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    build_ast_schema,
    build_client_schema,
    parse,
    print_schema,
)

from .errors import CodegenError, SchemaFileError, read_input_file

__all__ = [
    "ManifestEntry",
    "introspection_from_json",
    "load_schema",
    "manifest_bytes",
    "read_manifest",
    "release_version",
    "schema_to_sdl",
    "sha256_of",
]

SDL_SUFFIXES = (".graphql", ".graphqls", ".gql")

# Built schemas by file identity: path, inode, size, modification and change times
# (a write changes the change time, and nothing can set it back), so that validation,
# the SDL check and generation in one process build each file once.
_cache: dict[tuple[str, int, int, int, int], GraphQLSchema] = {}

# Shopify's versions: a quarterly release (01, 04, 07, 10) or "unstable". A version
# names files (schema/<api>/<version>.json) and goes into codegen.toml, so nothing
# else may pass: not "../../x", not "2025-13", not a TOML or regex escape.
_RELEASE_VERSION = re.compile(r"(?:20\d\d-(?:01|04|07|10)|unstable)")


def release_version(value: str) -> str:
    """``value`` if it is a Shopify API version, else a CodegenError (exit 2)."""
    if not isinstance(value, str) or not _RELEASE_VERSION.fullmatch(value):
        shown = value if isinstance(value, str) and value.isprintable() else repr(value)
        raise CodegenError(
            f"version {shown[:60]!r} is not a Shopify API version: YYYY-MM with month "
            "01, 04, 07 or 10 (e.g. 2025-01), or 'unstable'"
        )
    return value


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def looks_truncated(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether a JSON decode error means the text was cut short (vs. malformed)."""
    return (
        exc.pos >= len(text.rstrip()) - 1
        or exc.msg.startswith("Unterminated string")
        or (
            text.lstrip()[:1] in ("{", "[")
            and text.count("{") + text.count("[") > text.count("}") + text.count("]")
        )
    )


def introspection_from_json(path: Path, text: str) -> dict[str, Any]:
    """The ``__schema``-holding dict of an introspection result, or a clear error."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        ends_early = looks_truncated(text, exc)
        what = "truncated JSON (ends early)" if ends_early else "not valid JSON"
        raise SchemaFileError(path, f"{exc.lineno}:{exc.colno}: {what}: {exc.msg}") from None
    except RecursionError:
        raise SchemaFileError(path, "JSON nested too deeply to read") from None
    if not isinstance(body, dict):
        raise SchemaFileError(
            path, f"is a JSON {type(body).__name__}, not an introspection result object"
        )
    if "__schema" in body:
        return body
    data = body.get("data")
    if isinstance(data, dict) and "__schema" in data:
        return data
    if body.get("errors"):
        errors = json.dumps(body["errors"])[:200]
        raise SchemaFileError(
            path, f"is a GraphQL error response, not an introspection result: {errors}"
        )
    keys = ", ".join(sorted(map(str, body))[:8]) or "none"
    raise SchemaFileError(
        path,
        "is JSON but not an introspection result: expected a top-level '__schema' "
        f"or 'data.__schema' (top-level keys: {keys})",
    )


def _build_from_introspection(path: Path, introspection: dict[str, Any]) -> GraphQLSchema:
    if not isinstance(introspection.get("__schema"), dict):
        raise SchemaFileError(path, "'__schema' is not an object")
    try:
        schema = build_client_schema(introspection)  # type: ignore[arg-type]
    except (GraphQLError, TypeError, KeyError, ValueError, AttributeError) as exc:
        raise SchemaFileError(path, f"invalid introspection result: {exc}") from None
    except RecursionError:
        raise SchemaFileError(path, "introspection result nested too deeply") from None
    if schema.query_type is None:
        raise SchemaFileError(path, "invalid introspection result: it has no query type")
    return schema


def _build_from_sdl(path: Path, text: str) -> GraphQLSchema:
    try:
        document = parse(text)
    except GraphQLSyntaxError as exc:
        loc = exc.locations[0] if exc.locations else None
        where = f"{loc.line}:{loc.column}: " if loc else ""
        raise SchemaFileError(path, f"{where}SDL syntax error: {exc.message}") from None
    except RecursionError:
        raise SchemaFileError(path, "SDL nested too deeply to parse") from None
    try:
        schema = build_ast_schema(document)
    except (GraphQLError, TypeError) as exc:
        raise SchemaFileError(path, f"SDL does not build a schema: {exc}") from None
    if schema.query_type is None:
        raise SchemaFileError(path, "SDL defines no Query type")
    return schema


def load_schema(path: Path) -> GraphQLSchema:
    """Build a schema from an introspection JSON file or an SDL file (cached per file)."""
    try:
        stat = path.stat()
    except OSError:
        stat = None
    key = (
        (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
        if stat
        else None
    )
    if key and key in _cache:
        return _cache[key]
    text = read_input_file(path, path, SchemaFileError, "a schema file")
    stripped = text.lstrip()
    if stripped.startswith("<"):
        raise SchemaFileError(
            path,
            "looks like an HTML page, not an introspection result (saved from a browser "
            "or a login page? download it with `shopify-codegen schema download`)",
        )
    if path.suffix in SDL_SUFFIXES or not stripped.startswith(("{", "[")):
        if path.suffix == ".json":
            raise SchemaFileError(
                path, "is not JSON (a .json schema must be an introspection result)"
            )
        schema = _build_from_sdl(path, text)
    else:
        schema = _build_from_introspection(path, introspection_from_json(path, text))
    if key:
        _cache[key] = schema
    return schema


def schema_to_sdl(schema: GraphQLSchema) -> str:
    """The SDL committed beside each introspection result (graphql-core's printer)."""
    return print_schema(schema) + "\n"


@dataclass(frozen=True)
class ManifestEntry:
    api: str
    version: str
    kind: str  # "introspection" or "sdl"
    path: str  # relative to the schema folder
    sha256: str
    origin: str
    date: str  # ISO date the file was downloaded or imported


def read_manifest(path: Path) -> list[ManifestEntry]:
    if not path.exists():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [ManifestEntry(**entry) for entry in raw["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise SchemaFileError(path, f"not a valid schema manifest: {exc}") from None


def manifest_bytes(entries: list[ManifestEntry]) -> bytes:
    ordered = sorted(entries, key=lambda e: (e.api, e.version, e.kind))
    body = {
        "comment": "Every committed schema file, where it came from and its sha256. "
        "Written by shopify-codegen; `shopify-codegen check` verifies it.",
        "files": [asdict(e) for e in ordered],
    }
    return (json.dumps(body, indent=2) + "\n").encode()
