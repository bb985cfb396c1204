"""A bulk query's variables, written into its text as GraphQL literals.

``bulkOperationRunQuery`` takes the query as one string and no variables
(https://shopify.dev/docs/api/usage/bulk-operations/queries: "the query ... can't
use variables"), so the generated methods' keyword arguments become literals: each
value is turned into a graphql-core value node (StringValueNode, IntValueNode...), the
variable is replaced by it in the parsed document, and graphql-core's printer writes
the text. No value is ever formatted into a string by hand, so quotes, backslashes,
newlines, ``\"\"\"`` and non-ASCII text reach Shopify exactly.

An argument whose variable is not given (UNSET) takes the variable's default, or is
left out, as GraphQL does for a missing variable. The generator allows only scalar and
enum variables (and lists of them) in bulk queries, which is what this writes.

graphql-core is imported on the first bulk query (a dependency of the runtime, imported
late so that importing a client stays as fast).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
import re
from collections.abc import Mapping
from typing import Any

from ._exceptions import ConfigurationError, InvalidVariablesError
from ._variables import UnsetType

__all__ = ["render_bulk_query"]

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*\Z")
_BUILTIN = {"String", "ID", "Int", "Float", "Boolean"}


def _graphql() -> Any:
    try:
        import graphql
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise ConfigurationError(
            "bulk queries need graphql-core to write their variables as literals, and it "
            "is not importable: reinstall shopify-graphql-typed (it depends on graphql-core)"
        ) from None
    return graphql


def _type_name(type_node: Any) -> tuple[str, bool]:
    """(named type, is a list) of a variable definition's type."""
    g = _graphql()
    is_list = False
    node = type_node
    while not isinstance(node, g.NamedTypeNode):
        if isinstance(node, g.ListTypeNode):
            is_list = True
        node = node.type
    return node.name.value, is_list


def _literal(value: object, named: str, enums: frozenset[str], variable: str) -> Any:
    g = _graphql()

    def wrong() -> InvalidVariablesError:
        return InvalidVariablesError(
            f"bulk query variable ${variable} ({named}) cannot be {type(value).__name__}",
            variable=variable,
        )

    if value is None:
        return g.NullValueNode()
    if isinstance(value, list | tuple):
        return g.ListValueNode(values=tuple(_literal(v, named, enums, variable) for v in value))
    if named in enums:
        name = value.value if isinstance(value, enum.Enum) else value
        if not isinstance(name, str) or not _NAME.match(name):
            raise wrong()
        return g.EnumValueNode(value=name)
    if named == "Boolean":
        if not isinstance(value, bool):
            raise wrong()
        return g.BooleanValueNode(value=value)
    if named == "Int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong()
        return g.IntValueNode(value=str(value))
    if named == "Float":
        if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal):
            raise wrong()
        return g.FloatValueNode(value=repr(float(value)))
    if named == "ID" and isinstance(value, int) and not isinstance(value, bool):
        return g.StringValueNode(value=str(value))
    if isinstance(value, _dt.datetime | _dt.date):
        return g.StringValueNode(value=value.isoformat())
    if isinstance(value, decimal.Decimal) and named not in _BUILTIN:
        return g.StringValueNode(value=str(value))
    if not isinstance(value, str):
        raise wrong()
    return g.StringValueNode(value=value)


def render_bulk_query(
    document: str, values: Mapping[str, object], enums: frozenset[str] = frozenset()
) -> str:
    """``document`` with its variables replaced by the literals of ``values``
    (``enums``: the names of the enum types among the variables' types)."""
    g = _graphql()
    parsed = g.parse(document, no_location=True)
    operation = next(d for d in parsed.definitions if isinstance(d, g.OperationDefinitionNode))
    literals: dict[str, Any] = {}
    known = set()
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        known.add(name)
        named, _ = _type_name(definition.type)
        value = values.get(name, UnsetType())
        if not isinstance(value, UnsetType):
            literals[name] = _literal(value, named, enums, name)
        elif definition.default_value is not None:
            literals[name] = definition.default_value
    unknown = set(values) - known
    if unknown:
        raise InvalidVariablesError(
            f"bulk query {operation.name.value if operation.name else ''} has no variable "
            + ", ".join(f"${n}" for n in sorted(unknown)),
            variable=sorted(unknown)[0],
        )

    class Direct(g.Visitor):  # type: ignore[misc,name-defined]
        """Drops the definitions, and each argument whose variable is missing."""

        def enter_argument(self, node: Any, *_: Any) -> Any:
            if isinstance(node.value, g.VariableNode) and node.value.name.value not in literals:
                return g.REMOVE
            return None

        def enter_variable_definition(self, *_: Any) -> Any:
            return g.REMOVE

    class Substitute(g.Visitor):  # type: ignore[misc,name-defined]
        """Each variable left becomes its literal (inside a list literal: or null)."""

        def leave_variable(self, node: Any, *_: Any) -> Any:
            return literals.get(node.name.value, g.NullValueNode())

    without_missing = g.visit(parsed, Direct())
    substituted = g.visit(without_missing, Substitute())
    return str(g.print_ast(substituted))
