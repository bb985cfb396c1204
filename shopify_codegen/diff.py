"""Schema diff: what changed between two schemas, and which operations it affects.

Changes come from graphql-core's ``find_breaking_changes`` (breaking) and
``find_dangerous_changes`` (dangerous), plus added types and fields (safe). An
operation is *affected* when it no longer validates against the new schema, or
when a breaking or dangerous change touches something it selects, passes or
reads: a field it selects, an argument it passes, an input type it sends (any
field of it: a renamed input field still validates but breaks every caller), an
enum it reads or sends, a union or interface it selects through.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    find_breaking_changes,
    find_dangerous_changes,
    get_named_type,
    visit,
)

from .operations import OperationFile
from .validate import validate_document

__all__ = ["Change", "DiffReport", "OperationImpact", "diff_schemas"]

Severity = Literal["breaking", "dangerous", "safe"]


@dataclass(frozen=True)
class Change:
    severity: Severity
    kind: str
    description: str
    type_name: str | None
    member: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "kind": self.kind,
            "description": self.description,
            "type": self.type_name,
            "member": self.member,
        }


@dataclass(frozen=True)
class OperationImpact:
    operation: str
    file: str
    affected: bool
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "file": self.file,
            "affected": self.affected,
            "reasons": list(self.reasons),
        }


@dataclass
class DiffReport:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    operations: list[OperationImpact] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(c.severity == severity for c in self.changes)

    @property
    def affected(self) -> list[OperationImpact]:
        return [o for o in self.operations if o.affected]

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "counts": {s: self.count(s) for s in ("breaking", "dangerous", "safe")},
            "operations_affected": len(self.affected),
            "operations": [o.as_json() for o in self.operations],
            "changes": [c.as_json() for c in self.changes],
        }

    def render(self, *, limit: int | None = 25) -> str:
        lines = [
            f"schema diff {self.old} -> {self.new}",
            f"  {self.count('breaking')} breaking, {self.count('dangerous')} dangerous, "
            f"{self.count('safe')} safe changes; "
            f"{len(self.affected)} of {len(self.operations)} operation(s) affected",
            "",
            "Operations:",
        ]
        if not self.operations:
            lines.append("  (none given)")
        for op in self.operations:
            state = "AFFECTED" if op.affected else "not affected"
            lines.append(f"  {op.operation} ({op.file}): {state}")
            lines.extend(f"    - {reason}" for reason in op.reasons)
        for severity in ("breaking", "dangerous", "safe"):
            changes = [c for c in self.changes if c.severity == severity]
            if not changes:
                continue
            kinds = Counter(c.kind for c in changes)
            summary = ", ".join(
                f"{n} {k.lower().replace('_', ' ')}" for k, n in kinds.most_common()
            )
            lines += ["", f"{severity.upper()} ({len(changes)}): {summary}"]
            shown = changes if limit is None else changes[:limit]
            lines.extend(f"  - {c.description}" for c in shown)
            if len(shown) < len(changes):
                lines.append(
                    f"  ... and {len(changes) - len(shown)} more (--all or --json for all)"
                )
        return "\n".join(lines)


_PATTERNS: list[tuple[re.Pattern[str], tuple[int, int | None]]] = [
    (re.compile(r"^A (?:required|optional) field (\w+) on input type (\w+) "), (2, 1)),
    (re.compile(r"^A (?:required|optional) arg (\w+) on (\w+)\.(\w+) "), (2, 3)),
    (re.compile(r"^(\w+) was (?:added to|removed from) (?:enum|union) type (\w+)\."), (2, 1)),
    (re.compile(r"^(\w+) added to interfaces implemented by (\w+)\."), (2, None)),
    (re.compile(r"^(\w+) no longer implements interface (\w+)\."), (1, None)),
    (re.compile(r"^(\w+)\.(\w+) "), (1, 2)),
    (re.compile(r"^(?:Standard scalar )?(\w+) (?:was removed|changed from)"), (1, None)),
]


def _coordinate(description: str) -> tuple[str | None, str | None]:
    for pattern, (type_group, member_group) in _PATTERNS:
        match = pattern.match(description)
        if match:
            member = match.group(member_group) if member_group else None
            return match.group(type_group), member
    return None, None


def _safe_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    changes = []
    for name, new_type in sorted(new.type_map.items()):
        if name.startswith("__"):
            continue
        old_type = old.type_map.get(name)
        if old_type is None:
            changes.append(Change("safe", "TYPE_ADDED", f"{name} was added.", name, None))
            continue
        if isinstance(new_type, GraphQLObjectType | GraphQLInterfaceType) and isinstance(
            old_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            for field_name in sorted(set(new_type.fields) - set(old_type.fields)):
                changes.append(
                    Change(
                        "safe", "FIELD_ADDED", f"{name}.{field_name} was added.", name, field_name
                    )
                )
    return changes


def schema_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    changes: list[Change] = []
    for severity, found in (
        ("breaking", find_breaking_changes(old, new)),
        ("dangerous", find_dangerous_changes(old, new)),
    ):
        for change in found:
            type_name, member = _coordinate(change.description)
            changes.append(
                Change(severity, change.type.name, change.description, type_name, member)  # type: ignore[arg-type]
            )
    changes.extend(_safe_changes(old, new))
    return changes


@dataclass
class _Usage:
    fields: set[tuple[str, str]] = field(default_factory=set)  # (parent type, field)
    args: set[tuple[str, str, str]] = field(default_factory=set)
    types: set[str] = field(default_factory=set)  # every named type the operation touches
    inputs: set[str] = field(default_factory=set)  # input types it sends
    enums: set[str] = field(default_factory=set)  # enums it reads or sends
    abstract: set[str] = field(default_factory=set)  # unions / interfaces it selects


def _collect_usage(schema: GraphQLSchema, document: DocumentNode) -> _Usage:
    usage = _Usage()
    type_info = TypeInfo(schema)

    def add_input(type_name: str) -> None:
        named = schema.type_map.get(type_name)
        if named is None or type_name in usage.types:
            return
        usage.types.add(type_name)
        if isinstance(named, GraphQLEnumType):
            usage.enums.add(type_name)
        if isinstance(named, GraphQLInputObjectType):
            usage.inputs.add(type_name)
            for input_field in named.fields.values():
                add_input(get_named_type(input_field.type).name)

    class Collector(Visitor):
        def enter_field(self, node: Any, *_: Any) -> None:
            parent = type_info.get_parent_type()
            definition = type_info.get_field_def()
            if parent is None or definition is None:
                return
            usage.fields.add((parent.name, node.name.value))
            usage.types.add(parent.name)
            named = get_named_type(definition.type)
            usage.types.add(named.name)
            if isinstance(named, GraphQLEnumType):
                usage.enums.add(named.name)
            if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
                usage.abstract.add(named.name)
            for arg in node.arguments or ():
                usage.args.add((parent.name, node.name.value, arg.name.value))
                arg_def = definition.args.get(arg.name.value)
                if arg_def is not None:
                    add_input(get_named_type(arg_def.type).name)

        def enter_variable_definition(self, node: Any, *_: Any) -> None:
            inner = node.type
            while hasattr(inner, "type"):
                inner = inner.type
            add_input(inner.name.value)

    visit(document, TypeInfoVisitor(type_info, Collector()))
    return usage


# Additions the generated code absorbs: a union member it has no model for parses
# into the abstract type's fallback model (see shopify_client.typename_discriminator);
# an interface added to an object type changes nothing an operation selects from it.
_TOLERATED = frozenset({"TYPE_ADDED_TO_UNION", "IMPLEMENTED_INTERFACE_ADDED"})


def _touches(change: Change, usage: _Usage) -> bool:
    if change.severity == "safe" or change.type_name is None or change.kind in _TOLERATED:
        return False
    name, member = change.type_name, change.member
    if name in usage.inputs or name in usage.enums or name in usage.abstract:
        return True
    if member is None:
        return name in usage.types
    if (name, member) in usage.fields:
        return True
    return any(parent == name and field_name == member for parent, field_name, _ in usage.args)


def operation_impacts(
    files: list[OperationFile],
    old: GraphQLSchema,
    new: GraphQLSchema,
    new_label: str,
    changes: list[Change],
) -> list[OperationImpact]:
    impacts = []
    relevant = [c for c in changes if c.severity != "safe"]
    for op_file in files:
        if not op_file.operations:
            continue  # a file of shared fragments: judged through the operations that spread them
        name = ", ".join(o.name.value for o in op_file.operations if o.name)
        reasons: list[str] = []
        errors = [f for f in validate_document(op_file, new, new_label) if f.severity == "error"]
        reasons += [f"no longer validates: {f.line}:{f.column}: {f.message}" for f in errors]
        usage = _collect_usage(old, op_file.document)
        reasons += [f"{c.severity}: {c.description}" for c in relevant if _touches(c, usage)]
        impacts.append(OperationImpact(name, op_file.display, bool(reasons), tuple(reasons)))
    return impacts


def diff_schemas(
    old: GraphQLSchema,
    new: GraphQLSchema,
    *,
    old_label: str,
    new_label: str,
    operations: list[OperationFile],
) -> DiffReport:
    changes = schema_changes(old, new)
    report = DiffReport(old=old_label, new=new_label, changes=changes)
    usable = [
        op
        for op in operations
        if not [f for f in validate_document(op, old, old_label) if f.severity == "error"]
    ]
    report.operations = operation_impacts(usable, old, new, new_label, changes)
    return report


def operation_paths(paths: list[Path]) -> list[Path]:
    from .operations import find_operation_files

    out: list[Path] = []
    for path in paths:
        out.extend(find_operation_files(path) if path.is_dir() else [path])
    return out
