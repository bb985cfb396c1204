"""Reading the project's config: which package is generated from which API version.

The config lives in one of two places, found from the working folder upwards:

- ``[tool.shopify-codegen]`` in the app's own ``pyproject.toml`` (what ``init``
  writes), or
- a ``codegen.toml`` (where there is no pyproject.toml, and this repository's own).

Both hold the same keys. Each ``[api.KEY]`` table is one generated package: the
API (``api =``, by default the table's key), its pinned version, the versions its
operations are also validated against, its queries folder and its (dotted)
package. The ariadne-codegen settings are built in (:mod:`.defaults`); an
``[ariadne-codegen]`` table only overrides them.
"""

from __future__ import annotations

import difflib
import keyword
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopify_client.toolkit import API_NAMES

from .defaults import ARIADNE_SETTINGS, default_ariadne_settings, merge_ariadne_settings
from .errors import ConfigError

__all__ = [
    "APIS",
    "CONFIG_NAME",
    "PYPROJECT_NAME",
    "TOOL_TABLE",
    "ApiConfig",
    "ProjectConfig",
    "check_package_name",
    "find_root",
    "load_config",
]

CONFIG_NAME = "codegen.toml"
PYPROJECT_NAME = "pyproject.toml"
TOOL_TABLE = "shopify-codegen"
_VERSION = re.compile(r"^\d{4}-(01|04|07|10)$")
_TOML_AT = re.compile(r"\(at line (?P<line>\d+), column (?P<column>\d+)\)$")
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
#: the APIs the runtime knows (shopify_client.toolkit.API_NAMES)
APIS: tuple[str, ...] = tuple(API_NAMES)

#: Top-level names a generated package must not take: the runtime, the tooling,
#: what they stand on, and the standard library (``package = "os"`` would shadow it).
_RESERVED_TOP = frozenset(
    {
        "shopify_client",
        "shopify_codegen",
        "ariadne_codegen",
        "graphql",
        "httpx",
        "httpcore",
        "pydantic",
        "pydantic_core",
        "pytest",
        "tests",
    }
) | frozenset(sys.stdlib_module_names)


@dataclass(frozen=True)
class ApiConfig:
    """One generated package: an API at a pinned version, from one queries folder."""

    name: str  # the API: storefront, admin or customer
    pinned_version: str
    validate_versions: tuple[str, ...]
    queries: Path
    package: str  # dotted: "shopify_admin", "myapp.shopify_admin"
    ariadne: dict[str, Any] = field(default_factory=dict)
    #: the config table's key (``[api.KEY]``); equal to ``name`` unless the project
    #: has several packages of one API
    key: str = ""
    #: versions besides the pinned one whose validation errors fail the build (the
    #: pinned one always does); errors on other ``validate_versions`` are warnings
    required_versions: tuple[str, ...] = ()
    #: operations the extra required versions bind (None: every operation)
    required_for: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.name)

    @property
    def module(self) -> str:
        """The package's last name: the folder ariadne-codegen writes."""
        return self.package.rpartition(".")[2]

    def binding(self, version: str, operations: tuple[str, ...]) -> bool:
        """Whether errors on ``version`` of a file holding ``operations`` fail the build."""
        if version == self.pinned_version:
            return True
        if version not in self.required_versions:
            return False
        if self.required_for is None:
            return True
        return any(name in self.required_for for name in operations) or not operations


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    path: Path
    schema_dir: Path
    generated_dir: Path
    apis: dict[str, ApiConfig]
    ariadne: dict[str, Any]
    #: the TOML table prefix of the config's keys: "" in codegen.toml,
    #: "tool.shopify-codegen." in pyproject.toml
    table_prefix: str = ""

    def api(self, key: str) -> ApiConfig:
        """The package configured as ``[api.KEY]``; an API name picks its only package."""
        if key in self.apis:
            return self.apis[key]
        of_api = [a for a in self.apis.values() if a.name == key]
        if len(of_api) == 1:
            return of_api[0]
        if of_api:
            raise ConfigError(
                f"{self.path}: {len(of_api)} packages of the {key} API "
                f"({', '.join(a.key for a in of_api)}): name one by its key (--api KEY)"
            )
        raise ConfigError(self._not_configured([key]))

    def select(self, apis: list[str] | None = None) -> list[ApiConfig]:
        """The packages of the given APIs or keys (all by default), in config order."""
        if not apis:
            return list(self.apis.values())
        chosen = [a for a in self.apis.values() if a.key in apis or a.name in apis]
        unknown = [n for n in apis if not any(n in (a.key, a.name) for a in self.apis.values())]
        if unknown:
            raise ConfigError(self._not_configured(unknown))
        return chosen

    def _not_configured(self, names: list[str]) -> str:
        """One wording for every command given an API or key the config lacks: what is
        configured, a close spelling, and how to add one of Shopify's APIs."""
        keys = sorted({*self.apis, *(a.name for a in self.apis.values())})
        shown = ", ".join(repr(n) for n in names)
        message = (
            f"{self.path}: no API or package key {shown} in "
            f"[{self.table_prefix}api.*] (configured: {', '.join(sorted(self.apis)) or 'none'})"
        )
        hints: list[str] = []
        for name in names:
            close = difflib.get_close_matches(name, [*keys, *APIS], n=1, cutoff=0.6)
            if name in APIS:
                hints.append(
                    f"add {name} with `shopify-codegen init --api {name} --version VERSION "
                    f"--package PACKAGE`"
                )
            elif close:
                hints.append(
                    f"did you mean {close[0]!r}?" if len(names) == 1 else f"{name!r}: {close[0]!r}?"
                )
            else:
                hints.append(f"Shopify's APIs are {', '.join(APIS)}")
        return f"{message}; {'; '.join(dict.fromkeys(hints))}"

    def package_dir(self, api: ApiConfig) -> Path:
        """Where ``api``'s package lives: ``generated_dir/myapp/shopify_admin``."""
        return self.generated_dir.joinpath(*api.package.split("."))

    def schema_json(self, api: str, version: str) -> Path:
        return self.schema_dir / api / f"{version}.json"

    def schema_sdl(self, api: str, version: str) -> Path:
        return self.schema_dir / api / f"{version}.graphql"

    @property
    def manifest_path(self) -> Path:
        return self.schema_dir / "manifest.json"

    def rel(self, path: Path) -> str:
        """``path`` relative to the project root, for messages and generated headers."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    """``[tool.shopify-codegen]`` of a pyproject.toml, or None when it has none."""
    raw = _read_toml(path)
    tool = raw.get("tool")
    if not isinstance(tool, dict) or TOOL_TABLE not in tool:
        return None
    return _table(f"{path} [tool.{TOOL_TABLE}]", tool[TOOL_TABLE])


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding the config.

    That is a codegen.toml, or a pyproject.toml with a ``[tool.shopify-codegen]``
    table. A pyproject.toml without the table does not stop the search.
    """
    here = (start or Path.cwd()).resolve()
    if start is not None and not here.is_dir():
        what = "is not a folder" if here.exists() else "no such folder"
        raise ConfigError(f"{start}: {what} (given as the project folder, --root)")
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
        pyproject = folder / PYPROJECT_NAME
        if pyproject.is_file() and _pyproject_table(pyproject) is not None:
            return folder
    raise ConfigError(
        f"no {CONFIG_NAME}, and no {PYPROJECT_NAME} with a [tool.{TOOL_TABLE}] table, in "
        f"{here} or any parent folder (start one with `shopify-codegen init`)"
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        # "... (at line 12, column 21)": shown as path:12:21:, as every location is
        found = _TOML_AT.search(str(exc))
        if found is None:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        message = str(exc)[: found.start()].rstrip()
        raise ConfigError(
            f"{path}:{found['line']}:{found['column']}: not valid TOML: {message}"
        ) from exc


def _check_version(where: str, version: object) -> str:
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ConfigError(f"{where}: {version!r} is not a Shopify API version (YYYY-01/04/07/10)")
    return version


def _versions(where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: is not a list of versions")
    return tuple(_check_version(where, v) for v in value)


def _table(where: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: is not a table")
    return value


#: The keys of each table (the folders live in ``[project]`` of codegen.toml, and
#: beside ``api`` in ``[tool.shopify-codegen]``).
_FOLDER_KEYS = ("schema_dir", "generated_dir")
_API_KEYS = (
    "api",
    "pinned_version",
    "validate_versions",
    "required_versions",
    "required_for",
    "queries",
    "package",
    "ariadne-codegen",
)


def _refuse_unknown(where: str, table: dict[str, Any], known: Iterable[str], what: str) -> None:
    """A ConfigError naming the first key of ``table`` not in ``known``, with the
    nearest known key when one is close (``schema_dri``: did you mean ``schema_dir``?)."""
    names = list(known)
    unknown = [key for key in table if key not in names]
    if not unknown:
        return
    key = unknown[0]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if close:
        hint = f" (did you mean `{close[0]}`?)"
    elif len(names) > 10:
        hint = f" (not one of {what})"
    else:
        hint = f" ({what}: {', '.join(names)})"
    more = f"; also unknown: {', '.join(f'`{k}`' for k in unknown[1:])}" if unknown[1:] else ""
    raise ConfigError(f"{where}: unknown key `{key}`{hint}{more}")


#: ariadne-codegen settings shopify-codegen sets itself for every run (see
#: generate.ariadne_config), and the config key that says what they say.
_SET_BY_THE_TOOL = {
    "target_package_name": "the last part of the package's `package`",
    "target_package_path": "`generated_dir` and the package's `package`",
    "schema_path": "the package's `pinned_version` (its committed schema)",
    "queries_path": "the package's `queries`",
    "async_client": "shopify-codegen: it generates both the sync and the async client",
    "client_name": "shopify-codegen: Client and AsyncClient",
    "client_file_name": "shopify-codegen: client.py and async_client.py",
    "base_client_name": "shopify-codegen: the runtime's base clients",
    "base_client_file_path": "shopify-codegen: the runtime's base clients",
}


def _ariadne_table(where: str, value: object) -> dict[str, Any]:
    table = _table(where, value)
    _refuse_unknown(where, table, sorted(ARIADNE_SETTINGS), "ariadne-codegen 0.19's settings")
    for key in table:
        if key in _SET_BY_THE_TOOL:
            raise ConfigError(
                f"{where}: `{key}` is set by shopify-codegen for every run (from "
                f"{_SET_BY_THE_TOOL[key]}), so a value here would be ignored; remove it"
            )
    if table.get("include_comments") in ("none", False):
        raise ConfigError(
            f"{where}: `include_comments = {table['include_comments']!r}`: shopify-codegen "
            "tells the files it generated from yours by ariadne-codegen's header comment "
            "(generation never replaces a folder holding files without it), so the header "
            'stays: use "stable" (the default) or "timestamp"'
        )
    return table


def _inside(root: Path, where: str, value: object) -> Path:
    """``root / value`` for a relative path that stays in the project."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {value!r} is not a relative path")
    path = Path(value)
    if path.is_absolute() or ".." in path.parts or path.drive:
        raise ConfigError(f"{where}: {value!r} is not a relative path inside the project")
    return root / path


def check_package_name(where: str, package: object) -> str:
    """A dotted Python package path the project may write (``myapp.shopify_admin``)."""
    if not isinstance(package, str) or not package:
        raise ConfigError(f"{where}: package {package!r} is not a Python package name")
    parts = package.split(".")
    for part in parts:
        if not part.isidentifier() or keyword.iskeyword(part) or not part.isascii():
            raise ConfigError(
                f"{where}: package {package!r} is not a dotted Python package name "
                f"({part!r} is not an identifier)"
            )
    if parts[0] in _RESERVED_TOP:
        raise ConfigError(
            f"{where}: package {package!r} would shadow the {parts[0]!r} module; "
            "pick a name of your own, such as 'myapp.shopify_admin'"
        )
    return package


def _api_config(root: Path, where: str, key: str, table: dict[str, Any]) -> ApiConfig:
    if not _KEY.match(key):
        raise ConfigError(f"{where}: {key!r} is not a valid key (letters, digits, - and _)")
    name = table.get("api", key)
    if name not in APIS:
        raise ConfigError(
            f"{where}: unknown API {name!r} (expected one of {', '.join(APIS)}; "
            'a table of another name says which with api = "admin")'
        )
    # Unknown keys first: `pinned_verison` is a typo to name, not a missing key.
    _refuse_unknown(where, table, _API_KEYS, "a package's keys")
    missing = {"pinned_version", "queries", "package"} - set(table)
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(sorted(missing))}")
    pinned = _check_version(f"{where} pinned_version", table["pinned_version"])
    versions = _versions(f"{where} validate_versions", table.get("validate_versions", [pinned]))
    required = _versions(f"{where} required_versions", table.get("required_versions", []))
    stray = sorted(set(required) - set(versions) - {pinned})
    if stray:
        raise ConfigError(f"{where} required_versions: {', '.join(stray)} not in validate_versions")
    required_for = table.get("required_for")
    if required_for is not None and (
        not isinstance(required_for, list) or not all(isinstance(n, str) for n in required_for)
    ):
        raise ConfigError(f"{where} required_for: is not a list of operation names")
    return ApiConfig(
        name=name,
        key=key,
        pinned_version=pinned,
        validate_versions=tuple(sorted({*versions, pinned})),
        required_versions=tuple(sorted(set(required))),
        required_for=None if required_for is None else tuple(required_for),
        queries=_inside(root, f"{where} queries", table["queries"]),
        package=check_package_name(where, table["package"]),
        ariadne=dict(
            _ariadne_table(f"{where[:-1]}.ariadne-codegen]", table.get("ariadne-codegen", {}))
        ),
    )


def load_config(root: Path | None = None) -> ProjectConfig:
    root = find_root(root)
    path = root / CONFIG_NAME
    if path.is_file():
        raw = _read_toml(path)
        prefix = ""
        pyproject = root / PYPROJECT_NAME
        if pyproject.is_file() and _pyproject_table(pyproject) is not None:
            raise ConfigError(
                f"{root}: both {CONFIG_NAME} and [tool.{TOOL_TABLE}] in {PYPROJECT_NAME}; keep one"
            )
        _refuse_unknown(
            f"{path} (top level)", raw, ("project", "api", "ariadne-codegen"), "its tables"
        )
        project = _table(f"{path} [project]", raw.get("project", {}))
        _refuse_unknown(f"{path} [project]", project, _FOLDER_KEYS, "its keys")
        default_generated = "generated"
    else:
        path = root / PYPROJECT_NAME
        raw = _pyproject_table(path) or {}
        prefix = f"tool.{TOOL_TABLE}."
        _refuse_unknown(
            f"{path} [tool.{TOOL_TABLE}]",
            raw,
            (*_FOLDER_KEYS, "api", "ariadne-codegen"),
            "its keys",
        )
        project = raw
        default_generated = "."

    apis_raw = raw.get("api")
    if not isinstance(apis_raw, dict) or not apis_raw:
        raise ConfigError(f"{path}: needs at least one [{prefix}api.NAME] table")
    shared = _ariadne_table(f"{path} [{prefix}ariadne-codegen]", raw.get("ariadne-codegen", {}))
    apis: dict[str, ApiConfig] = {}
    for key, table in apis_raw.items():
        where = f"{path} [{prefix}api.{key}]"
        apis[key] = _api_config(root, where, key, _table(where, table))
    packages: dict[str, str] = {}
    for api in apis.values():
        if api.package in packages:
            raise ConfigError(
                f"{path}: [{prefix}api.{packages[api.package]}] and [{prefix}api.{api.key}] "
                f"both generate {api.package}"
            )
        packages[api.package] = api.key
    for api in apis.values():
        for other in apis.values():
            if other is not api and other.package.startswith(api.package + "."):
                raise ConfigError(
                    f"{path}: {other.package} would live inside the generated {api.package}, "
                    "which generation replaces as a whole"
                )
    config = ProjectConfig(
        root=root,
        path=path,
        schema_dir=_inside(root, f"{path} schema_dir", project.get("schema_dir", "schema")),
        generated_dir=_generated_dir(root, path, project.get("generated_dir", default_generated)),
        apis=apis,
        ariadne=merge_ariadne_settings(default_ariadne_settings(), dict(shared)),
        table_prefix=prefix,
    )
    _check_outputs(config)
    return config


def _check_outputs(config: ProjectConfig) -> None:
    """A package folder is replaced as a whole by generation: it may hold nothing else
    the project keeps (its queries, the schemas, the config) nor be a hidden folder."""
    for api in config.apis.values():
        folder = config.package_dir(api)
        where = f"{config.path} [{config.table_prefix}api.{api.key}]"
        if any(p.startswith(".") for p in folder.relative_to(config.root).parts):
            raise ConfigError(f"{where}: the package folder {config.rel(folder)} is hidden")
        for kept, what in (
            (api.queries, "its queries folder"),
            (config.schema_dir, "the schema folder"),
            (config.path, "the config file"),
        ):
            if kept == folder or kept.is_relative_to(folder):
                raise ConfigError(
                    f"{where}: the package folder {config.rel(folder)} would hold {what} "
                    f"({config.rel(kept)}), and generation replaces the folder as a whole"
                )


def _generated_dir(root: Path, path: Path, value: object) -> Path:
    if value == ".":
        return root
    return _inside(root, f"{path} generated_dir", value)
