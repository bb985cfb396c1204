"""Editing the config file's text in place, for ``bump``: comments and layout stay."""

from __future__ import annotations

import re

from .config import ProjectConfig
from .errors import ConfigError

__all__ = ["drop_required_versions", "set_pinned_version"]


def _table_span(text: str, config: ProjectConfig, key: str) -> tuple[str, int, int]:
    """The name of package ``key``'s table in ``text``, and where its body starts and ends."""
    table_name = f"{config.table_prefix}api.{config.api(key).key}"
    header = re.compile(rf"^\[{re.escape(table_name)}\]\s*$", re.MULTILINE)
    match = header.search(text)
    if not match:
        raise ConfigError(f"{config.path}: no [{table_name}] table")
    end = re.compile(r"^\[", re.MULTILINE).search(text, match.end())
    return table_name, match.end(), end.start() if end else len(text)


def _listed(versions: list[str]) -> str:
    return ", ".join(f'"{v}"' for v in versions)


def set_pinned_version(config: ProjectConfig, key: str, version: str) -> tuple[str, list[str]]:
    """The config file's text with package ``key``'s pin moved to ``version``, and what changed.

    ``version`` joins the package's ``validate_versions``; the old pin stays there,
    validated and reported but no longer binding unless ``required_versions`` lists it.
    """
    api = config.api(key)
    text = config.path.read_text(encoding="utf-8")
    table_name, start, stop = _table_span(text, config, key)
    table, count = re.subn(
        r'^(pinned_version\s*=\s*)"[^"]*"',
        rf'\g<1>"{version}"',
        text[start:stop],
        flags=re.MULTILINE,
    )
    if count != 1:
        raise ConfigError(f"{config.path} [{table_name}]: cannot find pinned_version to update")
    changes = [f"pinned_version: {api.pinned_version} -> {version}"]
    listed = _listed(sorted({*api.validate_versions, version}))
    table, count = re.subn(
        r"^(validate_versions\s*=\s*)\[[^\]]*\]", rf"\g<1>[{listed}]", table, flags=re.MULTILINE
    )
    if count == 0:
        table = table.rstrip("\n") + f"\nvalidate_versions = [{listed}]\n"
    if version not in api.validate_versions:
        changes.append(f"validate_versions: added {version}")
    required = api.pinned_version in api.required_versions
    changes.append(
        f"{api.pinned_version}: still validated"
        + (" and required (required_versions)" if required else ", reported but no longer binding")
    )
    return text[:start] + table + text[stop:], changes


def drop_required_versions(text: str, config: ProjectConfig, key: str, drop: list[str]) -> str:
    """``text`` with ``drop`` taken out of package ``key``'s ``required_versions``."""
    _, start, stop = _table_span(text, config, key)
    kept = _listed([v for v in config.api(key).required_versions if v not in drop])
    table = re.sub(
        r"^(required_versions\s*=\s*)\[[^\]]*\]",
        rf"\g<1>[{kept}]",
        text[start:stop],
        flags=re.MULTILINE,
    )
    return text[:start] + table + text[stop:]
