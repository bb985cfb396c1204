"""``shopify-codegen init``: start the config, the queries folder and git-ignore lines.

It writes, and only writes:

- the config: a ``[tool.shopify-codegen]`` table appended to the app's
  ``pyproject.toml``, or a ``codegen.toml`` where the folder has no pyproject.toml;
- the queries folder, with one example operation when the folder is new or empty;
- the lines of ``.gitignore`` for what the tool writes for itself.

A second ``init`` for another package (another API, or the same API at another
version with ``--key``) adds its ``[api.KEY]`` table beside the first.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import atomic_write_bytes
from .config import (
    APIS,
    CONFIG_NAME,
    PYPROJECT_NAME,
    TOOL_TABLE,
    check_package_name,
)
from .download import release_version
from .errors import ConfigError

__all__ = ["GITIGNORE_LINES", "KEYS_COMMENT", "KEYS_DOC", "InitResult", "init_project"]

#: What the tool writes for itself (recovery journal, staging, caches): never committed.
GITIGNORE_LINES = (".shopify-codegen/", ".shopify-codegen-tx/", ".shopify-codegen-journal.json")

#: Where every config key is described. Not the README: the keys are documented in
#: docs/own-project.md ("Every key"), which is in the source, not in the wheel, and no
#: command prints them (tests/shopify_codegen/test_init.py holds the pointer true).
KEYS_DOC = "docs/own-project.md"
KEYS_COMMENT = (
    '# Written by `shopify-codegen init`. Every key is described under "Every key" in\n'
    f"# {KEYS_DOC} of the shopify-graphql-typed source (not installed with the wheel)."
)

#: One operation per API that validates on every version from 2024-01 to 2026-04.
EXAMPLES = {
    "admin": (
        "shop_info.graphql",
        "# An example operation: `shopify-codegen generate` turns it into\n"
        "# `client.shop_info()`. Replace it with your own.\n"
        "query ShopInfo {\n  shop {\n    id\n    name\n    myshopifyDomain\n  }\n}\n",
    ),
    "storefront": (
        "shop_info.graphql",
        "# An example operation: `shopify-codegen generate` turns it into\n"
        "# `client.shop_info()`. Replace it with your own.\n"
        "query ShopInfo {\n  shop {\n    name\n    primaryDomain {\n      url\n    }\n  }\n}\n",
    ),
    "customer": (
        "customer_info.graphql",
        "# An example operation: `shopify-codegen generate` turns it into\n"
        "# `client.customer_info()`. Replace it with your own.\n"
        "query CustomerInfo {\n  customer {\n    id\n    displayName\n  }\n}\n",
    ),
}


@dataclass(frozen=True)
class InitResult:
    config_path: Path
    key: str
    written: tuple[Path, ...]


def _toml_string(value: str) -> str:
    # Basic strings: every value here is checked to be plain (paths, names, versions).
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain_relative(where: str, value: str) -> str:
    path = Path(value)
    if not value or path.is_absolute() or ".." in path.parts or path.drive:
        raise ConfigError(f"{where}: {value!r} is not a relative path inside the project")
    if any(ord(c) < 32 for c in value):
        raise ConfigError(f"{where}: {value!r} holds control characters")
    return path.as_posix()


def _api_table(prefix: str, key: str, api: str, version: str, queries: str, package: str) -> str:
    lines = [f"[{prefix}api.{key}]"]
    if key != api:
        lines.append(f"api = {_toml_string(api)}")
    lines += [
        f"pinned_version = {_toml_string(version)}",
        f"validate_versions = [{_toml_string(version)}]",
        f"queries = {_toml_string(queries)}",
        f"package = {_toml_string(package)}",
    ]
    return "\n".join(lines) + "\n"


def _generated_dir(root: Path, package: str) -> str:
    """``src`` for a src/ layout (the package's top folder under src/, or src/ alone)."""
    top = package.split(".")[0]
    if (root / top).is_dir():
        return "."
    if (root / "src").is_dir():
        return "src"
    return "."


def init_project(
    root: Path,
    *,
    api: str,
    version: str,
    package: str,
    key: str | None = None,
    queries: str | None = None,
    schema_dir: str = "shopify/schema",
) -> InitResult:
    """Write the config for one package (see the module docstring for what is written)."""
    if api not in APIS:
        raise ConfigError(f"init: unknown API {api!r} (expected one of {', '.join(APIS)})")
    release_version(version)
    check_package_name("init --package", package)
    key = key or api
    queries = _plain_relative("init --queries", queries or f"shopify/queries/{key}")
    schema_dir = _plain_relative("init --schema-dir", schema_dir)
    root = root.resolve()
    if not root.is_dir():
        raise ConfigError(f"init: {root} is not a folder")

    codegen = root / CONFIG_NAME
    pyproject = root / PYPROJECT_NAME
    written: list[Path] = []
    if codegen.is_file():
        config_path, prefix = codegen, ""
        text = codegen.read_text(encoding="utf-8")
        current = _parse(codegen, text)
        if key in _sub(current, "api"):
            raise ConfigError(f"init: {codegen} already has [api.{key}]; pick another --key")
        text = text.rstrip("\n") + "\n\n" + _api_table("", key, api, version, queries, package)
    elif pyproject.is_file():
        config_path, prefix = pyproject, f"tool.{TOOL_TABLE}."
        text = pyproject.read_text(encoding="utf-8")
        tool = _sub(_parse(pyproject, text), "tool")
        table = _sub(tool, TOOL_TABLE) if TOOL_TABLE in tool else None
        if table is None:
            head = (
                f"\n[tool.{TOOL_TABLE}]\n"
                f"{KEYS_COMMENT}\n"
                f"schema_dir = {_toml_string(schema_dir)}\n"
                f"generated_dir = {_toml_string(_generated_dir(root, package))}\n"
            )
            text = text.rstrip("\n") + "\n" + head
        elif key in _sub(table, "api"):
            raise ConfigError(
                f"init: {pyproject} already has [{prefix}api.{key}]; pick another --key"
            )
        text = text.rstrip("\n") + "\n\n" + _api_table(prefix, key, api, version, queries, package)
    else:
        config_path, prefix = codegen, ""
        text = (
            f"{KEYS_COMMENT}\n"
            "[project]\n"
            f"schema_dir = {_toml_string(schema_dir)}\n"
            f"generated_dir = {_toml_string(_generated_dir(root, package))}\n\n"
            + _api_table("", key, api, version, queries, package)
        )
    _parse(config_path, text)  # what is written must read back
    atomic_write_bytes(config_path, text.encode())
    written.append(config_path)

    folder = root / queries
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"init: {folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    if not any(folder.iterdir()):
        name, example = EXAMPLES[api]
        atomic_write_bytes(folder / name, example.encode())
        written.append(folder / name)

    ignore = root / ".gitignore"
    present = ignore.read_text(encoding="utf-8").splitlines() if ignore.is_file() else []
    missing = [line for line in GITIGNORE_LINES if line not in present]
    if missing:
        body = "\n".join(present).rstrip("\n")
        block = "# shopify-codegen's own working files\n" + "\n".join(missing) + "\n"
        atomic_write_bytes(ignore, ((body + "\n\n" if body else "") + block).encode())
        written.append(ignore)
    return InitResult(config_path=config_path, key=key, written=tuple(written))


def _sub(table: dict[str, Any], name: str) -> dict[str, Any]:
    value = table.get(name, {})
    return value if isinstance(value, dict) else {}


def _parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
