"""Moving an API to a new version: validate, report, then switch everything at once.

Nothing is written until the new schema has been checked, every operation has
validated against it and the new package has been generated in a scratch folder.
Then the schema files, manifest, codegen.toml and the package are replaced in one
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

from .config import ProjectConfig, set_pinned_version
from .diff import DiffReport, diff_schemas
from .download import release_version
from .generate import generate_package
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
    written: tuple[str, ...]


def _schema_from_bytes(body: bytes, label: str) -> GraphQLSchema:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"{label}.json"
        path.write_bytes(body)
        return load_schema(path)


def bump(
    config: ProjectConfig, api_name: str, version: str, *, schema_json: bytes, origin: str
) -> BumpResult:
    release_version(version)  # names files and goes into codegen.toml: checked first
    api = config.api(api_name)
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
            config, root=shadow_root, schema_dir=shadow_schema, apis={api_name: shadow_api}
        )
        (scratch / "out").mkdir()
        staged = generate_package(shadow, shadow_api, scratch / "out")
        new_config_text = set_pinned_version(config, api_name, version)
        written = _commit(
            config, api_name, version, schema_json, origin, new_config_text, staged.path
        )
    return BumpResult(api_name, old_version, version, report, written)


def _commit(
    config: ProjectConfig,
    api_name: str,
    version: str,
    schema_json: bytes,
    origin: str,
    config_text: str,
    package: Path,
) -> tuple[str, ...]:
    """Schema files, manifest, codegen.toml and the package: one transaction."""
    contents = schema_file_contents(
        config, api_name, version, schema_json, origin=origin, date=_dt.date.today()
    )
    contents[config.path] = config_text.encode()
    target = config.generated_dir / config.api(api_name).package
    with Transaction(config.root) as tx:
        for path, data in contents.items():
            tx.write_bytes(path, data)
        tx.put_dir(target, package)
        tx.commit()
    return tuple(config.rel(p) for p in [*contents, target])
