"""Validating operations against every committed schema version of their API.

Errors name file, line, column and the schema they were checked against.
Selecting something deprecated is a warning naming Shopify's deprecation reason;
``strict`` makes it an error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    specified_rules,
    validate,
)
from graphql.validation import NoDeprecatedCustomRule, NoUnusedFragmentsRule

from .bulk import BULK_FOLDER, bulk_problems, in_bulk_subfolder, is_bulk_file
from .config import ApiConfig, ProjectConfig
from .idempotency import key_problems
from .names import class_name_clashes, generation_problems
from .operations import (
    OperationFile,
    line_column,
    read_operation_folder,
    read_operation_set,
    unused_fragments,
)
from .secrets_lint import secret_literal_findings
from .store import committed_schema

__all__ = [
    "RULES",
    "Finding",
    "class_name_findings",
    "unused_fragment_findings",
    "validate_api",
    "validate_document",
    "validate_project",
    "validate_set",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    file: str
    line: int
    column: int
    message: str
    schema: str  # e.g. "storefront 2024-10" or a schema file path

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity} [{self.schema}] {self.message}"
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# Fragments are shared by all files of an API: a fragment file is not "unused"
# on its own. Unused fragments are reported once per set (see unused_fragment_findings).
RULES = [rule for rule in specified_rules if rule is not NoUnusedFragmentsRule]


def _at(error: GraphQLError) -> tuple[int, int]:
    if error.locations:
        return error.locations[0].line, error.locations[0].column
    return 1, 1


def validate_document(
    op_file: OperationFile, schema: GraphQLSchema, schema_label: str, *, strict: bool = False
) -> list[Finding]:
    """Findings for one file (with the shared fragments it spreads).

    A finding inside a fragment defined in another file names that file.
    """
    findings: list[Finding] = []
    for error in validate(schema, op_file.document, RULES):
        line, col = _at(error)
        shown = _file_of(error, op_file.display)
        findings.append(Finding("error", shown, line, col, error.message, schema_label))
    for error in validate(schema, op_file.document, [NoDeprecatedCustomRule]):
        line, col = _at(error)
        findings.append(
            Finding(
                "error" if strict else "warning",
                _file_of(error, op_file.display),
                line,
                col,
                error.message + ("" if strict else " (--strict makes this an error)"),
                schema_label,
            )
        )
    findings.extend(secret_literal_findings(op_file, schema_label, strict=strict))
    fragments = {
        d.name.value: d
        for d in op_file.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    # what ariadne-codegen's generators (see .names) and the idempotency rewrite refuse
    found: list[tuple[Node, str]] = [
        (p.node, p.message) for p in generation_problems(op_file.own, fragments, schema)
    ]
    if not is_bulk_file(op_file):
        found += [(p.node, p.message) for o in op_file.operations for p in key_problems(o, schema)]
    findings += [
        Finding("error", op_file.display, *line_column(n), m, schema_label) for n, m in found
    ]
    if is_bulk_file(op_file):  # Shopify's bulk query rules (see .bulk)
        findings.extend(
            Finding(
                p.severity, p.file or op_file.display, p.line, p.column, p.message, schema_label
            )
            for p in bulk_problems(op_file, schema)
        )
    elif in_bulk_subfolder(op_file) and op_file.operations:
        findings.append(
            Finding(
                "warning",
                op_file.display,
                *line_column(op_file.operations[0]),
                f"this file is in a subfolder of '{BULK_FOLDER}/': only files directly in a "
                f"'{BULK_FOLDER}/' folder are bulk operations, so it is generated as a plain "
                "operation (move it up, or rename the folder)",
                schema_label,
            )
        )
    return findings


def _file_of(error: GraphQLError, fallback: str) -> str:
    return error.source.name if error.source is not None and error.source.name else fallback


def validate_set(
    files: list[OperationFile], schema: GraphQLSchema, schema_label: str, *, strict: bool = False
) -> list[Finding]:
    """Every file of one API's set against one schema; a shared fragment's finding once."""
    findings: dict[Finding, None] = {}
    for op_file in files:
        findings.update(
            dict.fromkeys(validate_document(op_file, schema, schema_label, strict=strict))
        )
    return list(findings)


def unused_fragment_findings(files: list[OperationFile], label: str) -> list[Finding]:
    """A fragment no operation spreads: a warning (it is generated, but nothing reads it)."""
    out = []
    for op_file, fragment in unused_fragments(files):
        line, col = line_column(fragment)
        out.append(
            Finding(
                "warning",
                op_file.display,
                line,
                col,
                f'Fragment "{fragment.name.value}" is not used by any operation.',
                label,
            )
        )
    return out


def validate_project(
    config: ProjectConfig, *, apis: list[str] | None = None, strict: bool = False
) -> list[Finding]:
    """Every operation of every package against every version in its ``validate_versions``.

    Errors on the pinned version, and on ``required_versions`` (for the operations
    ``required_for`` names), are errors. On any other listed version they are
    reported as warnings that say which version the operation breaks on: an
    operation that validates on its package's pinned version can be generated.
    """
    findings: list[Finding] = []
    for api in config.select(apis):
        findings.extend(validate_api(config, api, strict=strict))
    return list(dict.fromkeys(findings))


def validate_api(config: ProjectConfig, api: ApiConfig, *, strict: bool = False) -> list[Finding]:
    """:func:`validate_project`'s findings for one package (before the project-wide dedup)."""
    findings: list[Finding] = []
    files = read_operation_folder(api.queries, config.rel, root=config.root)
    findings.extend(unused_fragment_findings(files, api.key))
    pinned_errors = False
    for version in api.validate_versions:
        schema = committed_schema(config, api.name, version)
        label = f"{api.name} {version}"
        for op_file in files:
            names = tuple(o.name.value for o in op_file.operations if o.name)
            found = validate_document(op_file, schema, label, strict=strict)
            if not api.binding(version, names):
                found = [_not_binding(f, api.key, version) for f in found]
            elif version == api.pinned_version:
                pinned_errors |= any(f.severity == "error" for f in found)
            findings.extend(found)
    if not pinned_errors:  # names are computed from operations that validate
        schema = committed_schema(config, api.name, api.pinned_version)
        settings = {**config.ariadne, **api.ariadne}
        label = f"{api.name} {api.pinned_version}"
        findings.extend(class_name_findings(files, schema, label, settings))
    return findings


def class_name_findings(
    files: list[OperationFile],
    schema: GraphQLSchema,
    label: str,
    settings: dict[str, Any] | None = None,
) -> list[Finding]:
    """Two definitions whose generated classes share a name: an error at the later one.

    The package's ``__init__`` exports every model class by name, so one would
    silently replace the other (see :mod:`.names`).
    """
    where: dict[int, str] = {}
    operations = []
    fragments = []
    for op_file in files:
        for definition in op_file.operations:
            where[id(definition)] = op_file.display
            operations.append(definition)
        for fragment in op_file.fragments:
            where[id(fragment)] = op_file.display
            fragments.append(fragment)
    out = []
    bulk = {o.name.value for f in files if is_bulk_file(f) for o in f.operations if o.name}
    for clash in class_name_clashes(operations, fragments, schema, settings, bulk=bulk):
        line, col = line_column(clash.node)
        kind = "fragment" if isinstance(clash.node, FragmentDefinitionNode) else "operation"
        name = clash.node.name.value if clash.node.name else "?"
        other = clash.other
        if clash.other_node is not None:
            other_line, other_col = line_column(clash.other_node)
            other += f" at {where[id(clash.other_node)]}:{other_line}:{other_col}"
        out.append(
            Finding(
                "error",
                where[id(clash.node)],
                line,
                col,
                f"{kind} {name!r} would generate the class {clash.class_name} "
                f"({clash.module}.py), and so would {other}; the package exports "
                "both under one name, so one would replace the other: rename one of them",
                label,
            )
        )
    return out


def _not_binding(finding: Finding, key: str, version: str) -> Finding:
    if finding.severity != "error":
        return finding
    return replace(
        finding,
        severity="warning",
        message=(
            f"breaks on {version}: {finding.message} (reported only: {version} is not the "
            f"pinned version; list it in [api.{key}] required_versions to make this fail)"
        ),
    )


def validate_files(
    paths: list[Path], schema: GraphQLSchema, label: str, *, strict: bool
) -> list[Finding]:
    files = read_operation_set(paths)
    findings = unused_fragment_findings(files, label) + validate_set(
        files, schema, label, strict=strict
    )
    if not any(f.severity == "error" for f in findings):
        findings.extend(class_name_findings(files, schema, label))
    return findings
