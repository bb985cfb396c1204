"""The drift check: is everything committed exactly what the tools would produce now?

1. every operation validates against every configured schema version;
2. every schema file matches the sha256 in the manifest, and none is unlisted;
3. every SDL file is what graphql-core prints from its introspection JSON;
4. regenerating every package into a scratch folder gives ``generated/`` byte
   for byte (a missing, stray or changed file is drift, shown as a unified diff);
   a package whose inputs and files match the last matching check's recorded
   hashes is not regenerated.

Steps 1, 3 and 4 are skipped for what an earlier check already did with the same
bytes, settings and tools (:mod:`.stamps`: recorded by content hash and sealed; a
package's findings, failing ones included, are reported again as recorded; the SDL
and generation records hold matches only). ``check --full`` reads and writes no
record and redoes everything. Each schema is built at most once per run, shared by
validation and the SDL check.

Nothing is read through a symlink. The tools write regular files and folders
only, so a symlink (or a FIFO, a device...) in ``schema/`` or ``generated/``, or
one of those folders being a symlink, is drift in itself: it is reported, never
opened, and its target is never named (one leading to ``/proc/self/environ``
would otherwise print the CI's environment in the diff). A symlink among the
schema files ends the check there: validating and regenerating would read it.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .config import ProjectConfig
from .defaults import merge_ariadne_settings
from .generate import generate_package
from .paths import link_on_the_way
from .paths import shown as shown_path
from .schema_files import load_schema, read_manifest, schema_to_sdl, sha256_of
from .stamps import (
    inputs_digest,
    load_stamps,
    save_stamps,
    sdl_digest,
    tree_hashes,
    validation_digest,
)
from .validate import Finding, validate_api

__all__ = ["CheckReport", "Drift", "run_check"]


@dataclass(frozen=True)
class Drift:
    kind: str  # "generated", "sdl", "manifest"
    path: str
    message: str
    diff: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.drift


def _unified(old: str, new: str, old_name: str, new_name: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name
    )
    return "".join(lines)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "<binary file>\n"


NOT_FOLLOWED = "is a symlink: not followed (the tools write regular files only)"
NOT_A_FILE = "is not a regular file (a FIFO, socket or device?): not opened"


def _walk(folder: Path, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(name relative to ``folder``, "file" | "dir" | "symlink" | "special") of every
    entry under ``folder``, found without following any symlink or opening any file."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        name = prefix + entry.name
        if entry.is_symlink():
            yield name, "symlink"
        elif entry.is_dir(follow_symlinks=False):
            yield name, "dir"
            yield from _walk(Path(entry.path), name + "/")
        elif entry.is_file(follow_symlinks=False):
            yield name, "file"
        else:
            yield name, "special"


def _why(link: Path) -> str:
    """What is wrong with a path ``link_on_the_way`` found."""
    return NOT_FOLLOWED if link.is_symlink() else "is not a folder (the tools write one here)"


def _odd_entry(kind: str) -> str | None:
    return {"symlink": NOT_FOLLOWED, "special": NOT_A_FILE}.get(kind)


def check_links(config: ProjectConfig) -> list[Drift]:
    """Every symlink or special file in ``schema/`` (and the folder itself being one)."""
    link = link_on_the_way(config.root, config.schema_dir)
    if link is not None:
        return [Drift("manifest", shown_path(config.root, link), _why(link))]
    return [
        Drift("manifest", shown_path(config.root, config.schema_dir / name), message)
        for name, kind in _walk(config.schema_dir)
        if (message := _odd_entry(kind))
    ]


def check_manifest(config: ProjectConfig) -> list[Drift]:
    drift = []
    entries = read_manifest(config.manifest_path)
    listed = set()
    for entry in entries:
        relative = Path(entry.path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            drift.append(
                Drift(
                    "manifest",
                    config.rel(config.manifest_path),
                    f"entry {entry.path[:100]!r} is not a path inside "
                    f"{config.rel(config.schema_dir)}",
                )
            )
            continue
        path = config.schema_dir / relative
        listed.add(path)
        shown = shown_path(config.root, path)
        if not path.exists():
            drift.append(Drift("manifest", shown, "listed in the manifest but missing"))
            continue
        if not path.is_file():
            drift.append(Drift("manifest", shown, "listed in the manifest but not a file"))
            continue
        actual = sha256_of(path)
        if actual != entry.sha256:
            drift.append(
                Drift(
                    "manifest",
                    shown,
                    f"sha256 is {actual}, the manifest says {entry.sha256} "
                    "(the file changed after it was registered: restore it, or register the "
                    "new file with `shopify-codegen schema add`)",
                )
            )
    for name, kind in _walk(config.schema_dir):
        path = config.schema_dir / name
        if kind == "file" and path != config.manifest_path and path not in listed:
            drift.append(
                Drift(
                    "manifest",
                    shown_path(config.root, path),
                    "schema file not in the manifest (register a schema with `shopify-codegen "
                    "schema add --api API --version VERSION --file PATH`, which writes the JSON, "
                    "the SDL and the manifest entry; do not copy files in by hand)",
                )
            )
    for api in config.apis.values():
        for version in api.validate_versions:
            for path in (
                config.schema_json(api.name, version),
                config.schema_sdl(api.name, version),
            ):
                if not path.exists():
                    drift.append(
                        Drift(
                            "manifest",
                            config.rel(path),
                            f"needed for {api.name} {version}, missing (add it with "
                            f"`shopify-codegen schema add --api {api.name} --version {version} "
                            "--file PATH`, or `schema download`)",
                        )
                    )
    return drift


def check_sdl(
    config: ProjectConfig,
    recorded: dict[str, Any] | None = None,
    fresh: dict[str, Any] | None = None,
) -> list[Drift]:
    """Every SDL file against the SDL printed from its JSON.

    A schema whose JSON and SDL digest is in ``recorded`` (a previous match with
    the same bytes and tools) is not printed again; each match goes into ``fresh``.
    """
    drift = []
    for json_path in sorted(config.schema_dir.glob("*/*.json")):
        sdl_path = json_path.with_suffix(".graphql")
        name = json_path.relative_to(config.schema_dir).as_posix()
        digest = None
        if recorded is not None and fresh is not None:
            # (the folders on the way are checked here, the files by sdl_digest)
            linked = link_on_the_way(config.root, sdl_path.parent)
            digest = None if linked else sdl_digest(json_path, sdl_path)
            if digest is not None and recorded.get(name) == digest:
                fresh[name] = digest
                continue
        expected = schema_to_sdl(load_schema(json_path))
        actual = _read_text(sdl_path) if sdl_path.exists() else ""
        if actual != expected:
            drift.append(
                Drift(
                    "sdl",
                    config.rel(sdl_path),
                    f"is not the SDL printed from {json_path.name}",
                    _unified(
                        actual, expected, config.rel(sdl_path), f"printed from {json_path.name}"
                    ),
                )
            )
        elif digest is not None and fresh is not None and digest == sdl_digest(json_path, sdl_path):
            fresh[name] = digest  # unchanged while printing and comparing
    return drift


def _findings_from(value: object) -> list[Finding] | None:
    """Recorded findings, or None when the record is not exactly a list of them."""
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 6):
            return None
        severity, file, line, column, message, schema = item
        if severity not in ("error", "warning") or not all(
            isinstance(v, str) for v in (file, message, schema)
        ):
            return None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (line, column)):
            return None
        out.append(Finding(severity, file, line, column, message, schema))
    return out


def check_operations(
    config: ProjectConfig,
    recorded: dict[str, Any] | None = None,
    fresh: dict[str, Any] | None = None,
    *,
    strict: bool = False,
) -> list[Finding]:
    """:func:`.validate.validate_project`'s findings; a package whose validation
    inputs have the digest ``recorded`` for it gets the recorded findings back."""
    findings: list[Finding] = []
    for api in config.apis.values():
        digest = None
        if recorded is not None and fresh is not None:
            digest = validation_digest(config, api, strict=strict)
            entry = recorded.get(api.key)
            if digest is not None and isinstance(entry, dict) and entry.get("inputs") == digest:
                found = _findings_from(entry.get("findings"))
                if found is not None:
                    findings.extend(found)
                    fresh[api.key] = entry
                    continue
        found = validate_api(config, api, strict=strict)
        findings.extend(found)
        # Recorded only if nothing changed while validating: the findings are then
        # those of the bytes the digest covers.
        if (
            digest is not None
            and fresh is not None
            and digest == validation_digest(config, api, strict=strict)
        ):
            fresh[api.key] = {
                "inputs": digest,
                "findings": [
                    [f.severity, f.file, f.line, f.column, f.message, f.schema] for f in found
                ],
            }
    return list(dict.fromkeys(findings))


def compare_trees(committed: Path, fresh: Path, shown: str) -> list[Drift]:
    """The drift of the committed tree against a fresh one; nothing read through a symlink."""
    drift = []
    if committed.is_symlink():
        return [Drift("generated", shown, NOT_FOLLOWED)]
    committed_kinds = dict(_walk(committed))
    old = {name for name, kind in committed_kinds.items() if kind == "file"}
    new = {name for name, kind in _walk(fresh) if kind == "file"}
    for name in sorted(old | new | {n for n, k in committed_kinds.items() if _odd_entry(k)}):
        if "__pycache__" in name.split("/"):
            continue
        path = f"{shown}/{name}"
        odd = _odd_entry(committed_kinds.get(name, ""))
        if odd:
            what = (
                "generation writes a regular file here"
                if name in new
                else "generation writes nothing here"
            )
            drift.append(Drift("generated", path, f"{odd}; {what}"))
        elif name not in new:
            drift.append(
                Drift(
                    "generated",
                    path,
                    "stray file: generation does not produce it",
                    _unified(_read_text(committed / name), "", path, "(not generated)"),
                )
            )
        elif name not in old:
            drift.append(
                Drift(
                    "generated",
                    path,
                    "missing: generation produces it, it is not committed",
                    _unified("", _read_text(fresh / name), "(not committed)", path),
                )
            )
        elif (committed / name).read_bytes() != (fresh / name).read_bytes():
            drift.append(
                Drift(
                    "generated",
                    path,
                    "differs from what generation produces now",
                    _unified(
                        _read_text(committed / name),
                        _read_text(fresh / name),
                        f"{path} (committed)",
                        f"{path} (regenerated)",
                    ),
                )
            )
    return drift


def check_generated(
    config: ProjectConfig,
    recorded: dict[str, Any] | None = None,
    fresh: dict[str, Any] | None = None,
) -> list[Drift]:
    """Regenerate each package into a scratch folder and diff it with the committed one.

    A package whose inputs and committed files are exactly those ``recorded`` for
    it (by the last matching check) is not regenerated; each match goes into
    ``fresh`` (see :mod:`.stamps`).
    """
    drift = []
    with tempfile.TemporaryDirectory(prefix="shopify-codegen-check-") as scratch:
        for index, api in enumerate(config.apis.values()):
            committed = config.package_dir(api)
            link = link_on_the_way(config.root, committed)
            if link is not None:
                drift.append(Drift("generated", shown_path(config.root, link), _why(link)))
                continue
            digest = inputs_digest(config, api, merge_ariadne_settings(config.ariadne, api.ariadne))
            hashes = tree_hashes(committed)
            entry = recorded.get(api.key) if recorded is not None else None
            if (
                hashes is not None
                and fresh is not None
                and isinstance(entry, dict)
                and entry.get("inputs") == digest
                and entry.get("files") == hashes
            ):
                fresh[api.key] = entry
                continue
            out = Path(scratch) / str(index)
            out.mkdir()
            package = generate_package(config, api, out)
            found = compare_trees(committed, package.path, config.rel(committed))
            drift.extend(found)
            if not found and hashes is not None and fresh is not None:
                fresh[api.key] = {"inputs": digest, "files": hashes}
    return drift


def run_check(
    config: ProjectConfig, *, strict: bool = False, use_stamps: bool = True
) -> CheckReport:
    """The drift check; ``use_stamps=False`` (``check --full``) reads and writes no record."""
    report = CheckReport()
    links = check_links(config)
    if links:
        # Validating, the SDL check and regenerating would all read schema files.
        report.drift.extend(links)
        return report
    recorded = load_stamps(config) if use_stamps else None
    fresh: dict[str, dict[str, Any]] | None = (
        {section: {} for section in recorded} if recorded is not None else None
    )

    def section(name: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        if recorded is None or fresh is None:
            return None, None
        return recorded[name], fresh[name]

    report.findings = check_operations(config, *section("validation"), strict=strict)
    report.drift.extend(check_manifest(config))
    report.drift.extend(check_sdl(config, *section("sdl")))
    if not report.errors:
        report.drift.extend(check_generated(config, *section("generated")))
    elif recorded is not None and fresh is not None:
        # Not regenerated this time: the old records stay, still keyed by content.
        fresh["generated"] = recorded["generated"]
    if fresh is not None:
        save_stamps(config, fresh)
    return report
