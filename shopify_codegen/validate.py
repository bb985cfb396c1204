"""Validating operations against every committed schema version of their API.

Errors name file, line, column and the schema they were checked against.
Selecting something deprecated is a warning naming Shopify's deprecation reason;
``strict`` makes it an error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from graphql import GraphQLError, GraphQLSchema, specified_rules, validate
from graphql.validation import NoDeprecatedCustomRule

from .config import ProjectConfig
from .operations import (
    OperationFile,
    check_unique_names,
    find_operation_files,
    read_operation_file,
)
from .store import committed_schema

__all__ = ["Finding", "validate_document", "validate_project"]

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


def _at(error: GraphQLError) -> tuple[int, int]:
    if error.locations:
        return error.locations[0].line, error.locations[0].column
    return 1, 1


def validate_document(
    op_file: OperationFile, schema: GraphQLSchema, schema_label: str, *, strict: bool = False
) -> list[Finding]:
    findings: list[Finding] = []
    for error in validate(schema, op_file.document, specified_rules):
        line, col = _at(error)
        findings.append(Finding("error", op_file.display, line, col, error.message, schema_label))
    for error in validate(schema, op_file.document, [NoDeprecatedCustomRule]):
        line, col = _at(error)
        findings.append(
            Finding(
                "error" if strict else "warning",
                op_file.display,
                line,
                col,
                error.message + ("" if strict else " (--strict makes this an error)"),
                schema_label,
            )
        )
    return findings


def validate_project(
    config: ProjectConfig, *, apis: list[str] | None = None, strict: bool = False
) -> list[Finding]:
    """Every operation of every API against every version in its ``validate_versions``."""
    findings: list[Finding] = []
    for name in apis or list(config.apis):
        api = config.api(name)
        files = [
            read_operation_file(path, config.rel(path))
            for path in find_operation_files(api.queries)
        ]
        check_unique_names(files)
        for version in api.validate_versions:
            schema = committed_schema(config, api.name, version)
            for op_file in files:
                findings.extend(
                    validate_document(op_file, schema, f"{api.name} {version}", strict=strict)
                )
    return findings


def validate_files(
    paths: list[Path], schema: GraphQLSchema, label: str, *, strict: bool
) -> list[Finding]:
    findings: list[Finding] = []
    files = [read_operation_file(path) for path in paths]
    check_unique_names(files)
    for op_file in files:
        findings.extend(validate_document(op_file, schema, label, strict=strict))
    return findings
