"""Reading codegen.toml: which API is pinned to which version, and where things live."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["ApiConfig", "ProjectConfig", "find_root", "load_config"]

CONFIG_NAME = "codegen.toml"
_VERSION = re.compile(r"^\d{4}-(01|04|07|10)$")
APIS = ("storefront", "admin")


@dataclass(frozen=True)
class ApiConfig:
    name: str
    pinned_version: str
    validate_versions: tuple[str, ...]
    queries: Path
    package: str
    ariadne: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectConfig:
    root: Path
    path: Path
    schema_dir: Path
    generated_dir: Path
    apis: dict[str, ApiConfig]
    ariadne: dict[str, Any]

    def api(self, name: str) -> ApiConfig:
        try:
            return self.apis[name]
        except KeyError:
            known = ", ".join(sorted(self.apis))
            raise ConfigError(f"{self.path}: no API {name!r} (known: {known})") from None

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


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding codegen.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(f"no {CONFIG_NAME} in {here} or any parent folder")


def _check_version(where: str, version: object) -> str:
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ConfigError(f"{where}: {version!r} is not a Shopify API version (YYYY-01/04/07/10)")
    return version


def _table(where: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: is not a table")
    return value


def _inside(root: Path, where: str, value: object) -> Path:
    """``root / value`` for a relative path that stays in the project."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {value!r} is not a relative path")
    path = Path(value)
    if path.is_absolute() or ".." in path.parts:
        raise ConfigError(f"{where}: {value!r} is not a relative path inside the project")
    return root / path


def load_config(root: Path | None = None) -> ProjectConfig:
    root = find_root(root)
    path = root / CONFIG_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc

    project = _table(f"{path} [project]", raw.get("project", {}))
    apis_raw = raw.get("api")
    if not isinstance(apis_raw, dict) or not apis_raw:
        raise ConfigError(f"{path}: needs at least one [api.NAME] table")
    shared_ariadne = _table(f"{path} [ariadne-codegen]", raw.get("ariadne-codegen", {}))
    apis: dict[str, ApiConfig] = {}
    for name, table in apis_raw.items():
        where = f"{path} [api.{name}]"
        _table(where, table)
        if name not in APIS:
            raise ConfigError(f"{where}: unknown API (expected one of {', '.join(APIS)})")
        missing = {"pinned_version", "queries", "package"} - set(table)
        if missing:
            raise ConfigError(f"{where}: missing {', '.join(sorted(missing))}")
        pinned = _check_version(f"{where} pinned_version", table["pinned_version"])
        listed = table.get("validate_versions", [pinned])
        if not isinstance(listed, list):
            raise ConfigError(f"{where} validate_versions: is not a list of versions")
        versions = tuple(_check_version(f"{where} validate_versions", v) for v in listed)
        if pinned not in versions:
            versions = (*versions, pinned)
        package = table["package"]
        if not isinstance(package, str) or not package.isidentifier():
            raise ConfigError(f"{where}: package {package!r} is not a Python identifier")
        apis[name] = ApiConfig(
            name=name,
            pinned_version=pinned,
            validate_versions=tuple(sorted(set(versions))),
            queries=_inside(root, f"{where} queries", table["queries"]),
            package=package,
            ariadne=dict(_table(f"{where} [ariadne-codegen]", table.get("ariadne-codegen", {}))),
        )
    return ProjectConfig(
        root=root,
        path=path,
        schema_dir=_inside(
            root, f"{path} [project] schema_dir", project.get("schema_dir", "schema")
        ),
        generated_dir=_inside(
            root, f"{path} [project] generated_dir", project.get("generated_dir", "generated")
        ),
        apis=apis,
        ariadne=dict(shared_ariadne),
    )


def set_pinned_version(config: ProjectConfig, api: str, version: str) -> str:
    """The text of codegen.toml with ``api``'s pin moved to ``version``.

    Edits the text in place (comments and layout stay); ``version`` joins the
    API's ``validate_versions`` too.
    """
    text = config.path.read_text(encoding="utf-8")
    header = re.compile(rf"^\[api\.{re.escape(api)}\]\s*$", re.MULTILINE)
    match = header.search(text)
    if not match:
        raise ConfigError(f"{config.path}: no [api.{api}] table")
    end = re.compile(r"^\[", re.MULTILINE).search(text, match.end())
    stop = end.start() if end else len(text)
    table = text[match.end() : stop]
    table, count = re.subn(
        r'^(pinned_version\s*=\s*)"[^"]*"', rf'\g<1>"{version}"', table, flags=re.MULTILINE
    )
    if count != 1:
        raise ConfigError(f"{config.path} [api.{api}]: cannot find pinned_version to update")
    versions = sorted({*config.api(api).validate_versions, version})
    listed = ", ".join(f'"{v}"' for v in versions)
    table, count = re.subn(
        r"^(validate_versions\s*=\s*)\[[^\]]*\]", rf"\g<1>[{listed}]", table, flags=re.MULTILINE
    )
    if count == 0:
        table = table.rstrip("\n") + f"\nvalidate_versions = [{listed}]\n"
    return text[: match.end()] + table + text[stop:]
