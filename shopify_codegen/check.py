"""The drift check: is everything committed exactly what the tools would produce now?

1. every operation validates against every configured schema version;
2. every schema file matches the sha256 in the manifest, and none is unlisted;
3. every SDL file is what graphql-core prints from its introspection JSON;
4. regenerating every package into a scratch folder gives ``generated/`` byte
   for byte (a missing, stray or changed file is drift, shown as a unified diff);
   a package whose inputs and files match the last matching check's recorded
   hashes is not regenerated (:mod:`.stamps`; ``check --full`` always regenerates).
"""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .config import ProjectConfig
from .defaults import merge_ariadne_settings
from .generate import generate_package
from .schema_files import load_schema, read_manifest, schema_to_sdl, sha256_of
from .stamps import inputs_digest, load_stamps, save_stamps, tree_hashes
from .validate import Finding, validate_project

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


def check_manifest(config: ProjectConfig) -> list[Drift]:
    drift = []
    entries = read_manifest(config.manifest_path)
    listed = set()
    for entry in entries:
        path = config.schema_dir / entry.path
        listed.add(path.resolve())
        shown = config.rel(path)
        if not path.exists():
            drift.append(Drift("manifest", shown, "listed in the manifest but missing"))
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
    for path in sorted(config.schema_dir.rglob("*")):
        if path.is_file() and path != config.manifest_path and path.resolve() not in listed:
            drift.append(
                Drift(
                    "manifest",
                    config.rel(path),
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


def check_sdl(config: ProjectConfig) -> list[Drift]:
    drift = []
    for json_path in sorted(config.schema_dir.glob("*/*.json")):
        sdl_path = json_path.with_suffix(".graphql")
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
    return drift


def compare_trees(committed: Path, fresh: Path, shown: str) -> list[Drift]:
    drift = []
    old = (
        {p.relative_to(committed).as_posix() for p in committed.rglob("*") if p.is_file()}
        if committed.exists()
        else set()
    )
    new = {p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file()}
    for name in sorted(old | new):
        if "__pycache__" in name:
            continue
        path = f"{shown}/{name}"
        if name not in new:
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


def check_generated(config: ProjectConfig, *, use_stamps: bool = True) -> list[Drift]:
    """Regenerate each package into a scratch folder and diff it with the committed one.

    With ``use_stamps``, a package whose inputs and committed files are exactly
    those of the last matching check is not regenerated (see :mod:`.stamps`).
    """
    drift = []
    stamps = load_stamps(config) if use_stamps else {}
    fresh_stamps: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="shopify-codegen-check-") as scratch:
        for index, api in enumerate(config.apis.values()):
            committed = config.package_dir(api)
            digest = inputs_digest(config, api, merge_ariadne_settings(config.ariadne, api.ariadne))
            hashes = tree_hashes(committed)
            recorded = stamps.get(api.key)
            if (
                hashes is not None
                and isinstance(recorded, dict)
                and recorded.get("inputs") == digest
                and recorded.get("files") == hashes
            ):
                fresh_stamps[api.key] = recorded
                continue
            out = Path(scratch) / str(index)
            out.mkdir()
            package = generate_package(config, api, out)
            found = compare_trees(committed, package.path, config.rel(committed))
            drift.extend(found)
            if not found and hashes is not None:
                fresh_stamps[api.key] = {"inputs": digest, "files": hashes}
    if use_stamps:
        save_stamps(config, fresh_stamps)
    return drift


def run_check(
    config: ProjectConfig, *, strict: bool = False, use_stamps: bool = True
) -> CheckReport:
    report = CheckReport()
    report.findings = validate_project(config, strict=strict)
    report.drift.extend(check_manifest(config))
    report.drift.extend(check_sdl(config))
    if not report.errors:
        report.drift.extend(check_generated(config, use_stamps=use_stamps))
    return report
