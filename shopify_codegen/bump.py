"""Moving an API to a new version: validate, report, then switch everything at once.

Nothing is written until the new schema has been checked, every operation has
validated against it and the new package has been generated in a scratch folder.
Then the schema files, manifest, the config file and the package are replaced in one
:class:`~shopify_codegen.transaction.Transaction`: a failure, or a kill, at any
point leaves (after recovery) the project as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLSchema

from .config import ApiConfig, ProjectConfig
from .config_edit import drop_required_versions, set_pinned_version
from .diff import DiffReport, diff_schemas
from .download import release_version
from .generate import check_package_folder, generate_package
from .operations import read_operation_folder
from .schema_files import load_schema, schema_to_sdl
from .store import committed_schema, schema_file_contents
from .transaction import Transaction
from .validate import Finding, validate_set

__all__ = ["BumpRefused", "BumpResult", "bump"]


class BumpRefused(Exception):
    """An operation does not validate against the new version; nothing was changed."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__(f"{len(findings)} operation error(s) against the new schema")


@dataclass(frozen=True)
class BumpResult:
    api: str
    old_version: str
    new_version: str
    report: DiffReport
    #: the files and folder the bump changed, relative to the project
    written: tuple[str, ...]
    #: what happened to the package's versions, one line each
    #: ("pinned_version: 2024-01 -> 2026-04", "validate_versions: added 2026-04", ...)
    changes: tuple[str, ...] = ()
    #: the files it would have written that already held these bytes (a bump to a
    #: schema committed earlier): left alone, not said to be written
    unchanged: tuple[str, ...] = ()


def _schema_from_bytes(body: bytes, label: str) -> GraphQLSchema:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"{label}.json"
        path.write_bytes(body)
        return load_schema(path)


def _failing_required(config: ProjectConfig, api: ApiConfig, version: str) -> list[str]:
    """The package's ``required_versions`` (other than ``version``) its operations fail."""
    operations = read_operation_folder(api.queries, config.rel, root=config.root)
    failing = []
    for required in api.required_versions:
        if required == version:
            continue
        schema = committed_schema(config, api.name, required)
        label = f"{api.name} {required}"
        for op_file in operations:
            names = tuple(o.name.value for o in op_file.operations if o.name)
            if not api.binding(required, names):
                continue
            found = validate_set([op_file], schema, label)
            if any(f.severity == "error" for f in found):
                failing.append(required)
                break
    return failing


def bump(
    config: ProjectConfig, key: str, version: str, *, schema_json: bytes, origin: str
) -> BumpResult:
    release_version(version)  # names files and goes into codegen.toml: checked first
    api = config.api(key)
    check_package_folder(config, api)  # before any download is parsed or generated
    api_name = api.name
    old_version = api.pinned_version
    new_schema = _schema_from_bytes(schema_json, f"{api_name}-{version}")
    label = f"{api_name} {version}"
    operations = read_operation_folder(api.queries, config.rel, root=config.root)
    errors = [f for f in validate_set(operations, new_schema, label) if f.severity == "error"]
    if errors:
        raise BumpRefused(errors)
    report = diff_schemas(
        committed_schema(config, api_name, old_version),
        new_schema,
        old_label=f"{api_name}@{old_version}",
        new_label=f"{api_name}@{version} (new)",
        operations=operations,
    )

    with tempfile.TemporaryDirectory(prefix="shopify-codegen-bump-") as scratch_name:
        scratch = Path(scratch_name)
        # A shadow project: same relative paths, so generated headers are identical.
        shadow_root = scratch / "root"
        shadow_schema = shadow_root / config.schema_dir.relative_to(config.root)
        sdl_rel = config.schema_sdl(api_name, version).relative_to(config.schema_dir)
        (shadow_schema / sdl_rel).parent.mkdir(parents=True)
        (shadow_schema / sdl_rel).write_text(schema_to_sdl(new_schema))
        json_rel = config.schema_json(api_name, version).relative_to(config.schema_dir)
        (shadow_schema / json_rel).write_bytes(schema_json)
        queries_rel = api.queries.relative_to(config.root)
        shutil.copytree(api.queries, shadow_root / queries_rel)
        shadow_api = dataclasses.replace(
            api, pinned_version=version, queries=shadow_root / queries_rel
        )
        shadow = dataclasses.replace(
            config, root=shadow_root, schema_dir=shadow_schema, apis={api.key: shadow_api}
        )
        (scratch / "out").mkdir()
        staged = generate_package(shadow, shadow_api, scratch / "out")
        new_config_text, changes = set_pinned_version(config, api.key, version)
        # `check` after a bump is green whenever the operations validate on the new
        # version: a required version they now fail stops being required (said aloud).
        failing = _failing_required(config, api, version)
        if failing:
            new_config_text = drop_required_versions(new_config_text, config, api.key, failing)
            changes.append(
                f"required_versions: dropped {', '.join(failing)} (the operations fail there; "
                "still validated and reported)"
            )
        written, unchanged = _commit(
            config, api, version, schema_json, origin, new_config_text, staged.path
        )
    return BumpResult(api_name, old_version, version, report, written, tuple(changes), unchanged)


def _same_tree(folder: Path, other: Path) -> bool:
    """Whether two folders hold the same files with the same bytes (no symlinks)."""
    if folder.is_symlink() or not folder.is_dir():
        return False

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts
        }

    return files(folder) == files(other)


def _unchanged(path: Path, data: bytes) -> bool:
    return path.is_file() and not path.is_symlink() and path.read_bytes() == data


def _commit(
    config: ProjectConfig,
    api: ApiConfig,
    version: str,
    schema_json: bytes,
    origin: str,
    config_text: str,
    package: Path,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Schema files, manifest, codegen.toml and the package: one transaction, of what
    changes; returns what was written and what already held its bytes (both relative)."""
    contents = schema_file_contents(
        config, api.name, version, schema_json, origin=origin, date=_dt.date.today()
    )
    contents[config.path] = config_text.encode()
    target = config.package_dir(api)
    written: list[Path] = []
    unchanged: list[Path] = []
    with Transaction(config.root) as tx:
        check_package_folder(config, api)  # under the lock: never hand-written code
        for path, data in contents.items():
            if _unchanged(path, data):
                unchanged.append(path)
                continue
            tx.write_bytes(path, data)
            written.append(path)
        if _same_tree(target, package):
            unchanged.append(target)
        else:
            tx.put_dir(target, package)
            written.append(target)
        tx.commit()
    return tuple(config.rel(p) for p in written), tuple(config.rel(p) for p in unchanged)
