"""Schema diff: what changed between two schemas, and what it means for each operation.

Changes come from graphql-core's ``find_breaking_changes`` (breaking) and
``find_dangerous_changes`` (dangerous), plus what graphql-core calls safe and
does not report, found here: added types and fields, an output field that
became non-null, a field newly deprecated, an input field's default changed.

Each operation gets one verdict, the worst of its reasons:

- ``breaks``: it no longer validates against the new schema, or a change makes a
  request it sends or a result it reads fail;
- ``at_risk``: a change can alter what it gets without failing (a default it
  relies on changed, a value or member it reads can no longer come back);
- ``tolerated``: an addition the generated code and the runtime absorb (a new
  enum value, union member or interface implementation it reads, an optional
  argument or input field it does not send);
- ``unaffected``: no change reaches it;
- ``not_checked``: it does not validate against the OLD schema, so no drift can
  be judged (an operation of another API, or one already broken).

A change is tied to an operation only through what the operation really
reaches: fields it selects (on the type it selects them on), arguments it
passes, input types and enums it sends (at any depth, also through variables
only: a renamed input field still validates but breaks every caller), enums
and abstract types returned by fields it selects, directives it uses. The
table in the README ("Drift verdicts") gives each change kind's verdict and why.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    find_breaking_changes,
    find_dangerous_changes,
    get_named_type,
    is_equal_type,
    visit,
)

from .operations import OperationFile
from .validate import validate_document

__all__ = [
    "VERDICTS",
    "Change",
    "DiffReport",
    "OperationImpact",
    "Reason",
    "diff_schemas",
    "schema_changes",
]

Severity = Literal["breaking", "dangerous", "safe"]
Verdict = Literal["breaks", "at_risk", "tolerated", "unaffected", "not_checked"]
#: worst first
VERDICTS: tuple[Verdict, ...] = ("breaks", "at_risk", "tolerated", "unaffected", "not_checked")
_LABEL = {
    "breaks": "BREAKS",
    "at_risk": "AT RISK",
    "tolerated": "tolerated",
    "unaffected": "unaffected",
    "not_checked": "NOT CHECKED",
}


@dataclass(frozen=True)
class Change:
    """One schema change at its coordinate (type, field or argument, and the value
    or member type it concerns), as graphql-core describes it."""

    severity: Severity  # graphql-core's classification ("safe": not reported by it)
    kind: str
    description: str
    type_name: str | None = None
    member: str | None = None  # field or input field
    arg: str | None = None
    value: str | None = None  # enum value, union member, interface, directive location

    def as_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "kind": self.kind,
            "description": self.description,
            "type": self.type_name,
            "member": self.member,
        }


@dataclass(frozen=True)
class Reason:
    verdict: Verdict
    change: str  # the change's description, or a validation error
    why: str
    kind: str = "VALIDATION"

    def __str__(self) -> str:
        return f"{_LABEL[self.verdict]}: {self.change} ({self.why})"

    def as_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "kind": self.kind, "change": self.change, "why": self.why}


@dataclass(frozen=True)
class OperationImpact:
    operation: str
    file: str
    verdict: Verdict
    reasons: tuple[Reason, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "file": self.file,
            "verdict": self.verdict,
            "reasons": [r.as_json() for r in self.reasons],
        }


@dataclass
class DiffReport:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    operations: list[OperationImpact] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(c.severity == severity for c in self.changes)

    def with_verdict(self, verdict: Verdict) -> list[OperationImpact]:
        return [o for o in self.operations if o.verdict == verdict]

    def failing(self, *, strict: bool = False) -> list[OperationImpact]:
        """The operations that make the command exit 1: *breaks*, and *at risk* if strict."""
        bad = ("breaks", "at_risk") if strict else ("breaks",)
        return [o for o in self.operations if o.verdict in bad]

    def verdict_counts(self) -> dict[str, int]:
        return {v: len(self.with_verdict(v)) for v in VERDICTS}

    def summary(self) -> str:
        counts = self.verdict_counts()
        verdicts = ", ".join(
            f"{counts[v]} {_LABEL[v].lower()}" for v in VERDICTS if counts[v] or v != "not_checked"
        )
        return (
            f"{self.count('breaking')} breaking, {self.count('dangerous')} dangerous, "
            f"{self.count('safe')} safe changes; {len(self.operations)} operation(s): {verdicts}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "counts": {s: self.count(s) for s in ("breaking", "dangerous", "safe")},
            "verdicts": self.verdict_counts(),
            "operations": [o.as_json() for o in self.operations],
            "changes": [c.as_json() for c in self.changes],
        }

    def _grouped(self) -> Iterable[tuple[Severity, list[Change], str]]:
        for severity in ("breaking", "dangerous", "safe"):
            changes = [c for c in self.changes if c.severity == severity]
            if changes:
                kinds = Counter(c.kind for c in changes)
                summary = ", ".join(
                    f"{n} {k.lower().replace('_', ' ')}" for k, n in kinds.most_common()
                )
                yield severity, changes, summary

    def render(self, *, limit: int | None = 25) -> str:
        lines = [f"schema diff {self.old} -> {self.new}", f"  {self.summary()}", "", "Operations:"]
        if not self.operations:
            lines.append("  (none given)")
        for op in self.operations:
            lines.append(f"  {op.operation} ({op.file}): {_LABEL[op.verdict]}")
            lines.extend(f"    - {reason}" for reason in _shown_reasons(op, limit))
        for severity, changes, summary in self._grouped():
            lines += ["", f"{severity.upper()} ({len(changes)}): {summary}"]
            shown = changes if limit is None else changes[:limit]
            lines.extend(f"  - {c.description}" for c in shown)
            if len(shown) < len(changes):
                lines.append(
                    f"  ... and {len(changes) - len(shown)} more (--all or --json for all)"
                )
        return "\n".join(lines)

    def render_markdown(self, *, limit: int = 50) -> str:
        """The report for a GitHub job summary: per operation, the verdict and its reasons."""
        lines = [
            f"### Schema drift: `{self.old}` → `{self.new}`",
            "",
            self.summary(),
            "",
            "| operation | file | verdict | reasons |",
            "| --- | --- | --- | --- |",
        ]
        for op in self.operations:
            reasons = (
                "<br>".join(_md(str(r)) for r in _shown_reasons(op, TOLERATED_SHOWN))
                or "no change reaches it"
            )
            lines.append(
                f"| `{op.operation}` | `{op.file}` | **{_LABEL[op.verdict]}** | {reasons} |"
            )
        if not self.operations:
            lines.append("| (none) | | | |")
        for severity, changes, summary in self._grouped():
            lines += [
                "",
                f"<details><summary>{severity} ({len(changes)}): {_md(summary)}</summary>",
                "",
            ]
            lines.extend(f"- {_md(c.description)}" for c in changes[:limit])
            if len(changes) > limit:
                lines.append(f"- ... and {len(changes) - limit} more (`--json` for all)")
            lines += ["", "</details>"]
        return "\n".join(lines) + "\n"


#: tolerated reasons listed per operation before "... and N more" (a version bump
#: adds dozens of enum values an operation reads; what breaks is always listed)
TOLERATED_SHOWN = 5


def _shown_reasons(op: OperationImpact, limit: int | None) -> list[str]:
    if limit is None:
        return [str(r) for r in op.reasons]
    tolerated = [r for r in op.reasons if r.verdict == "tolerated"]
    shown = [str(r) for r in op.reasons if r.verdict != "tolerated"]
    shown += [str(r) for r in tolerated[:TOLERATED_SHOWN]]
    if len(tolerated) > TOLERATED_SHOWN:
        shown.append(
            f"... and {len(tolerated) - TOLERATED_SHOWN} more tolerated (--all or --json for all)"
        )
    return shown


def _md(text: str) -> str:
    """Table-cell safe: no pipes or newlines, no HTML from a schema description."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("\n", " ")
    )


# graphql-core 3.2's descriptions, per change kind (see find_breaking_changes.py).
_ARG = re.compile(r"^(?P<type>\w+)\.(?P<member>\w+) arg (?P<arg>\w+) ")
_FIELD = re.compile(r"^(?P<type>\w+)\.(?P<member>\w+) ")
_PATTERNS: dict[str, re.Pattern[str]] = {
    "TYPE_REMOVED": re.compile(r"^(?:Standard scalar )?(?P<type>\w+) was removed"),
    "TYPE_CHANGED_KIND": re.compile(r"^(?P<type>\w+) changed from "),
    "TYPE_REMOVED_FROM_UNION": re.compile(
        r"^(?P<value>\w+) was removed from union type (?P<type>\w+)\."
    ),
    "TYPE_ADDED_TO_UNION": re.compile(r"^(?P<value>\w+) was added to union type (?P<type>\w+)\."),
    "VALUE_REMOVED_FROM_ENUM": re.compile(
        r"^(?P<value>\w+) was removed from enum type (?P<type>\w+)\."
    ),
    "VALUE_ADDED_TO_ENUM": re.compile(r"^(?P<value>\w+) was added to enum type (?P<type>\w+)\."),
    "REQUIRED_INPUT_FIELD_ADDED": re.compile(
        r"^A required field (?P<member>\w+) on input type (?P<type>\w+) "
    ),
    "OPTIONAL_INPUT_FIELD_ADDED": re.compile(
        r"^An optional field (?P<member>\w+) on input type (?P<type>\w+) "
    ),
    "IMPLEMENTED_INTERFACE_REMOVED": re.compile(
        r"^(?P<type>\w+) no longer implements interface (?P<value>\w+)\."
    ),
    "IMPLEMENTED_INTERFACE_ADDED": re.compile(
        r"^(?P<value>\w+) added to interfaces implemented by (?P<type>\w+)\."
    ),
    "FIELD_REMOVED": _FIELD,
    "FIELD_CHANGED_KIND": _FIELD,
    "ARG_REMOVED": _ARG,
    "ARG_CHANGED_KIND": _ARG,
    "ARG_DEFAULT_VALUE_CHANGE": _ARG,
    "REQUIRED_ARG_ADDED": re.compile(
        r"^A required arg (?P<arg>\w+) on (?P<type>\w+)\.(?P<member>\w+) "
    ),
    "OPTIONAL_ARG_ADDED": re.compile(
        r"^An optional arg (?P<arg>\w+) on (?P<type>\w+)\.(?P<member>\w+) "
    ),
    # Directives: the directive's name goes in `type_name`.
    "DIRECTIVE_REMOVED": re.compile(r"^(?P<type>\w+) was removed\."),
    "DIRECTIVE_ARG_REMOVED": re.compile(r"^(?P<arg>\w+) was removed from (?P<type>\w+)\."),
    "REQUIRED_DIRECTIVE_ARG_ADDED": re.compile(
        r"^A required arg (?P<arg>\w+) on directive (?P<type>\w+) "
    ),
    "DIRECTIVE_REPEATABLE_REMOVED": re.compile(
        r"^Repeatable flag was removed from (?P<type>\w+)\."
    ),
    "DIRECTIVE_LOCATION_REMOVED": re.compile(r"^(?P<value>\w+) was removed from (?P<type>\w+)\."),
}


def _parsed(severity: Severity, kind: str, description: str) -> Change:
    pattern = _PATTERNS.get(kind)
    match = pattern.match(description) if pattern else None
    groups = match.groupdict() if match else {}
    return Change(
        severity,
        kind,
        description,
        type_name=groups.get("type"),
        member=groups.get("member"),
        arg=groups.get("arg"),
        value=groups.get("value"),
    )


def _safe_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    """What graphql-core considers safe and does not report, but a reader wants to know."""
    changes = []
    for name, new_type in sorted(new.type_map.items()):
        if name.startswith("__"):
            continue
        old_type = old.type_map.get(name)
        if old_type is None:
            changes.append(Change("safe", "TYPE_ADDED", f"{name} was added.", name))
            continue
        if isinstance(new_type, GraphQLObjectType | GraphQLInterfaceType) and isinstance(
            old_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            for field_name, new_field in sorted(new_type.fields.items()):
                old_field = old_type.fields.get(field_name)
                if old_field is None:
                    changes.append(
                        Change(
                            "safe",
                            "FIELD_ADDED",
                            f"{name}.{field_name} was added.",
                            name,
                            field_name,
                        )
                    )
                    continue
                if (
                    not isinstance(old_field.type, GraphQLNonNull)
                    and isinstance(new_field.type, GraphQLNonNull)
                    and is_equal_type(old_field.type, new_field.type.of_type)
                ):
                    changes.append(
                        Change(
                            "safe",
                            "FIELD_BECAME_NON_NULL",
                            f"{name}.{field_name} changed type from {old_field.type} "
                            f"to {new_field.type}.",
                            name,
                            field_name,
                        )
                    )
                if new_field.deprecation_reason and not old_field.deprecation_reason:
                    changes.append(
                        Change(
                            "safe",
                            "FIELD_DEPRECATED",
                            f"{name}.{field_name} was deprecated: "
                            + " ".join(new_field.deprecation_reason.split()),
                            name,
                            field_name,
                        )
                    )
        if isinstance(new_type, GraphQLInputObjectType) and isinstance(
            old_type, GraphQLInputObjectType
        ):
            for field_name, new_input in sorted(new_type.fields.items()):
                old_input = old_type.fields.get(field_name)
                if old_input is not None and old_input.default_value != new_input.default_value:
                    changes.append(
                        Change(
                            "safe",
                            "INPUT_FIELD_DEFAULT_VALUE_CHANGE",
                            f"{name}.{field_name} has changed defaultValue "
                            f"from {old_input.default_value!r} to {new_input.default_value!r}.",
                            name,
                            field_name,
                        )
                    )
    return changes


def schema_changes(old: GraphQLSchema, new: GraphQLSchema) -> list[Change]:
    changes: list[Change] = []
    for severity, found in (
        ("breaking", find_breaking_changes(old, new)),
        ("dangerous", find_dangerous_changes(old, new)),
    ):
        changes.extend(_parsed(severity, c.type.name, c.description) for c in found)  # type: ignore[arg-type]
    changes.extend(_safe_changes(old, new))
    return changes


# How an operation passes an argument: a literal or a variable that must be
# given ("always"), or a nullable variable without default ("maybe": the caller
# may leave it out, and then the argument's default applies).
_Passing = Literal["always", "maybe"]


@dataclass
class _Usage:
    selected: set[tuple[str, str]] = field(default_factory=set)  # (type selected on, field)
    passed: dict[tuple[str, str, str], _Passing] = field(default_factory=dict)
    read: set[str] = field(default_factory=set)  # named types returned by selected fields
    # input objects, enums and scalars of its variables, at any depth: what a caller
    # can set (literals in the operation are checked by validation against NEW)
    sent: set[str] = field(default_factory=set)
    literal: set[str] = field(default_factory=set)  # types of arguments given as literals
    conditions: set[str] = field(default_factory=set)  # fragment type conditions
    directives: set[str] = field(default_factory=set)

    @property
    def types(self) -> set[str]:
        return (
            {parent for parent, _ in self.selected}
            | self.read
            | self.sent
            | self.literal
            | self.conditions
        )


def _collect_usage(schema: GraphQLSchema, document: DocumentNode) -> _Usage:
    usage = _Usage()
    type_info = TypeInfo(schema)
    variables: dict[str, _Passing] = {}

    def add_sent(type_name: str) -> None:
        named = schema.type_map.get(type_name)
        if named is None or type_name in usage.sent:
            return
        usage.sent.add(type_name)
        if isinstance(named, GraphQLInputObjectType):
            for input_field in named.fields.values():
                add_sent(get_named_type(input_field.type).name)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for var in definition.variable_definitions or ():
                required = isinstance(var.type, NonNullTypeNode) or var.default_value is not None
                variables[var.variable.name.value] = "always" if required else "maybe"
                inner: Any = var.type
                while not hasattr(inner, "name"):
                    inner = inner.type
                add_sent(inner.name.value)
        elif isinstance(definition, FragmentDefinitionNode):
            usage.conditions.add(definition.type_condition.name.value)

    class Collector(Visitor):
        def enter_inline_fragment(self, node: Any, *_: Any) -> None:
            if node.type_condition is not None:
                usage.conditions.add(node.type_condition.name.value)

        def enter_directive(self, node: Any, *_: Any) -> None:
            usage.directives.add(node.name.value)

        def enter_field(self, node: Any, *_: Any) -> None:
            parent = type_info.get_parent_type()
            definition = type_info.get_field_def()
            if parent is None or definition is None:
                return
            usage.selected.add((parent.name, node.name.value))
            usage.read.add(get_named_type(definition.type).name)
            for arg in node.arguments or ():
                value = arg.value
                how: _Passing = (
                    variables.get(value.name.value, "maybe")
                    if isinstance(value, VariableNode)
                    else "always"
                )
                usage.passed[(parent.name, node.name.value, arg.name.value)] = how
                arg_def = definition.args.get(arg.name.value)
                if arg_def is not None and not isinstance(value, VariableNode):
                    usage.literal.add(get_named_type(arg_def.type).name)

    visit(document, TypeInfoVisitor(type_info, Collector()))
    return usage


_Tie = tuple[Verdict, str] | None


def _same_shape_composite(old: Any, new: Any) -> bool:
    """Both object/interface/union types, wrapped alike (list, non-null): the generated
    model parses the selected fields by name, whatever the type is called."""
    old_named, new_named = get_named_type(old), get_named_type(new)
    composite = (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)
    return (
        isinstance(old_named, composite)
        and isinstance(new_named, composite)
        and str(old).replace(old_named.name, "T") == str(new).replace(new_named.name, "T")
    )


def _tie(change: Change, usage: _Usage, old: GraphQLSchema, new: GraphQLSchema) -> _Tie:
    """The verdict of one change for one operation, with why; None if it does not reach it."""
    kind, name, member, arg, value = (
        change.kind,
        change.type_name or "",
        change.member or "",
        change.arg or "",
        change.value or "",
    )
    is_input = isinstance(old.type_map.get(name), GraphQLInputObjectType)
    selects = (name, member) in usage.selected
    reads_abstract = name in usage.read
    if kind in ("TYPE_REMOVED", "TYPE_CHANGED_KIND"):
        return ("breaks", f"it uses {name}") if name in usage.types else None
    if kind == "FIELD_REMOVED":
        if is_input:
            return (
                ("breaks", f"it sends {name}; a value setting {member} is now refused")
                if name in usage.sent
                else None
            )
        return ("breaks", f"it selects {name}.{member}") if selects else None
    if kind == "FIELD_CHANGED_KIND":
        if is_input:
            return (
                ("breaks", f"it sends {name}; a value that fit the old type may be refused")
                if name in usage.sent
                else None
            )
        if not selects:
            return None
        old_type = old.type_map[name]
        new_type = new.type_map.get(name)
        if isinstance(old_type, GraphQLObjectType | GraphQLInterfaceType) and isinstance(
            new_type, GraphQLObjectType | GraphQLInterfaceType
        ):
            old_field, new_field = old_type.fields[member], new_type.fields.get(member)
            if (
                new_field is not None
                and isinstance(old_field.type, GraphQLNonNull)
                and is_equal_type(old_field.type.of_type, new_field.type)
            ):
                return "breaks", (
                    f"it reads {name}.{member}, which can now be null; "
                    "the generated model requires a value"
                )
            if new_field is not None and _same_shape_composite(old_field.type, new_field.type):
                return "at_risk", (
                    f"it reads {name}.{member}, now a {get_named_type(new_field.type).name}; "
                    "the fields it selects still exist (it validates), what they hold may differ"
                )
        return "breaks", f"it reads {name}.{member}; its generated type no longer fits"
    if kind == "REQUIRED_INPUT_FIELD_ADDED":
        return (
            ("breaks", f"it sends {name} without {member}; such a value is now refused")
            if name in usage.sent
            else None
        )
    if kind == "OPTIONAL_INPUT_FIELD_ADDED":
        return (
            ("tolerated", f"it sends {name}; the generated input leaves the new field out")
            if name in usage.sent
            else None
        )
    if kind == "INPUT_FIELD_DEFAULT_VALUE_CHANGE":
        return (
            (
                "at_risk",
                f"it sends {name} and may leave {member} out; the server uses the new default",
            )
            if name in usage.sent
            else None
        )
    if kind == "TYPE_ADDED_TO_UNION":
        return (
            ("tolerated", f"it reads {name}; an unknown member parses into the union's base model")
            if reads_abstract
            else None
        )
    if kind == "TYPE_REMOVED_FROM_UNION":
        return (
            ("at_risk", f"it reads {name}, which can no longer return {value}")
            if reads_abstract or value in usage.conditions
            else None
        )
    if kind == "IMPLEMENTED_INTERFACE_ADDED":
        return (
            (
                "tolerated",
                f"it reads {value}, which can now return {name}; an unknown implementation "
                "parses into the interface's base model",
            )
            if value in usage.read
            else None
        )
    if kind == "IMPLEMENTED_INTERFACE_REMOVED":
        return (
            ("at_risk", f"it reads {value}, which can no longer return {name}")
            if value in usage.read
            else None
        )
    if kind == "VALUE_ADDED_TO_ENUM":
        return (
            ("tolerated", f"it reads {name}; the generated enum accepts values added later")
            if name in usage.read
            else None
        )
    if kind == "VALUE_REMOVED_FROM_ENUM":
        if name in usage.sent:
            return "breaks", f"it sends {name}; a request with {value} is now refused"
        if name in usage.read:
            return "at_risk", f"it reads {name}; {value} no longer comes back"
        return None
    if kind in ("ARG_REMOVED", "ARG_CHANGED_KIND"):
        return ("breaks", f"it passes {arg}") if (name, member, arg) in usage.passed else None
    if kind == "ARG_DEFAULT_VALUE_CHANGE":
        if not selects or usage.passed.get((name, member, arg)) == "always":
            return None
        how = "may leave it out" if (name, member, arg) in usage.passed else "leaves it out"
        return "at_risk", f"it selects {name}.{member} and {how}; the server uses the new default"
    if kind == "REQUIRED_ARG_ADDED":
        return ("breaks", f"it selects {name}.{member} without {arg}") if selects else None
    if kind == "OPTIONAL_ARG_ADDED":
        return (
            ("tolerated", f"it selects {name}.{member} and does not pass the new argument")
            if selects
            else None
        )
    if kind == "FIELD_BECAME_NON_NULL":
        return (
            ("tolerated", f"it reads {name}.{member}; the generated optional type fits every value")
            if selects
            else None
        )
    if kind == "FIELD_DEPRECATED":
        return (
            ("tolerated", f"it selects {name}.{member}; it still works, plan to move off it")
            if selects
            else None
        )
    if kind in ("DIRECTIVE_REMOVED", "DIRECTIVE_ARG_REMOVED", "REQUIRED_DIRECTIVE_ARG_ADDED"):
        return ("breaks", f"it uses @{name}") if name in usage.directives else None
    # DIRECTIVE_LOCATION_REMOVED, DIRECTIVE_REPEATABLE_REMOVED: only a use at that
    # location, or a repeated use, is refused, and validation against NEW says which.
    return None  # TYPE_ADDED, FIELD_ADDED: nothing an existing operation reaches


def _worst(reasons: Iterable[Reason]) -> Verdict:
    found = {r.verdict for r in reasons}
    return next((v for v in VERDICTS if v in found), "unaffected")


def _single_operations(op_file: OperationFile) -> list[tuple[str, OperationFile]]:
    """One entry per operation: its definition plus every fragment the file carries."""
    fragments = tuple(
        d for d in op_file.document.definitions if isinstance(d, FragmentDefinitionNode)
    )
    operations = [d for d in op_file.document.definitions if isinstance(d, OperationDefinitionNode)]
    out = []
    for operation in operations:
        name = operation.name.value if operation.name else "(anonymous)"
        document = DocumentNode(definitions=(operation, *fragments), loc=op_file.document.loc)
        out.append((name, replace(op_file, document=document)))
    return out


def operation_impact(
    name: str,
    op_file: OperationFile,
    old: GraphQLSchema,
    new: GraphQLSchema,
    labels: tuple[str, str],
    changes: list[Change],
) -> OperationImpact:
    old_errors = [f for f in validate_document(op_file, old, labels[0]) if f.severity == "error"]
    if old_errors:
        reasons = tuple(
            Reason(
                "not_checked",
                f"{f.file}:{f.line}:{f.column}: {f.message}",
                f"it does not validate against {labels[0]}, so no drift can be judged",
            )
            for f in old_errors
        )
        return OperationImpact(name, op_file.display, "not_checked", reasons)
    found: list[Reason] = [
        Reason(
            "breaks",
            f"{f.file}:{f.line}:{f.column}: {f.message}",
            f"it no longer validates against {labels[1]}",
        )
        for f in validate_document(op_file, new, labels[1])
        if f.severity == "error"
    ]
    usage = _collect_usage(old, op_file.document)
    for change in changes:
        tie = _tie(change, usage, old, new)
        if tie is not None:
            found.append(Reason(tie[0], change.description, tie[1], change.kind))
    found.sort(key=lambda r: VERDICTS.index(r.verdict))
    return OperationImpact(name, op_file.display, _worst(found), tuple(found))


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
    report.operations = [
        operation_impact(name, single, old, new, (old_label, new_label), changes)
        for op_file in operations
        for name, single in _single_operations(op_file)
    ]
    return report
