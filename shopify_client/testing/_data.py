"""FakeShopify's answer to any operation: executed on the committed schema.

A posted document is checked against the schema of the API version in the URL
(the project's committed introspection result, ``schema/<api>/<version>.json``)
and answered the way Shopify answers an invalid one (HTTP 200, ``errors`` with
``message``, ``locations`` and ``extensions.code``). A valid one is executed with
graphql-core; every selected field gets a value made from its type:

* deterministic: the same document and variables give the same answer, values
  derived from the field's path (IDs are ``gid://shopify/<Type>/<n>``);
* plausible for Shopify's custom scalars (``DateTime``, ``Decimal``, ``URL``,
  ``UnsignedInt64`` as a string, like Shopify sends it...);
* lists hold two items, except user errors (``userErrors``, ``...UserErrors``),
  which are empty, so mutations succeed; ``pageInfo.hasNextPage`` is false;
* an abstract field answers with a type the selection has a fragment on.

Overrides (see :meth:`FakeShopify.answer` and :meth:`FakeShopify.set_field`)
replace any part: per operation, a dict of partial data (what it lacks is made
up) or a callable of the variables; per field (``"Product.title"``), a value or
a callable of the field's arguments.

graphql-core (the ``codegen`` extra) is needed only here, imported on first use.
"""

from __future__ import annotations

import collections
import functools
import json
import threading
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._schemas import find_schema_dir, schema_file

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLError, GraphQLResolveInfo, GraphQLSchema

__all__ = ["FieldOverride", "OperationOverride", "SchemaData", "find_schema_dir"]

#: per operation: partial data, or a function of the variables returning it
OperationOverride = Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]]
#: per field: a value, or a function of the field's arguments returning it
FieldOverride = Any

LIST_LENGTH = 2

_SCALARS: dict[str, Callable[[str, int], Any]] = {
    "String": lambda field, n: f"{field} {n}",
    "ID": lambda field, n: f"gid://shopify/Node/{n}",
    "Int": lambda field, n: n % 100,
    "Float": lambda field, n: (n % 1000) / 10,
    "Boolean": lambda field, n: False,
    "DateTime": lambda field, n: "2024-10-01T12:00:00Z",
    "ISO8601DateTime": lambda field, n: "2024-10-01T12:00:00Z",
    "Date": lambda field, n: "2024-10-01",
    "Decimal": lambda field, n: f"{n % 1000}.50",
    "Money": lambda field, n: f"{n % 1000}.50",
    "URL": lambda field, n: f"https://fake-shop.myshopify.com/{field}/{n}",
    "HTML": lambda field, n: f"<p>{field} {n}</p>",
    "JSON": lambda field, n: {"value": n},
    "Color": lambda field, n: "#5C6AC4",
    "UnsignedInt64": lambda field, n: str(n),  # Shopify sends it as a string
    "BigInt": lambda field, n: str(n),
    "ARN": lambda field, n: f"arn:aws:events:us-east-1::event-source/aws.partner/shopify.com/{n}",
    "FormattedString": lambda field, n: f"{field} {n}",
    "StorefrontID": lambda field, n: f"gid://shopify/Node/{n}",
    "UtcOffset": lambda field, n: "+00:00",
}


def _text(field: str, n: int) -> str:
    return f"{field} {n}"


#: how many built schemas one process keeps (each test's own schema_dir is one more)
SCHEMAS_KEPT = 16
_schemas: collections.OrderedDict[Path, GraphQLSchema] = collections.OrderedDict()
_schemas_lock = threading.Lock()


def _load_schema(path: Path) -> GraphQLSchema:
    """The schema of a committed introspection file, built once and kept (the
    :data:`SCHEMAS_KEPT` last used).

    Under one lock: the first burst of concurrent requests (a thread each) used to
    build one copy each, 50 copies of the Admin schema (3.5 million objects) that
    a full collection then took seconds to walk.
    """
    with _schemas_lock:
        schema = _schemas.get(path)
        if schema is None:
            from graphql import build_client_schema

            data = json.loads(path.read_bytes())
            schema = _schemas[path] = build_client_schema(data.get("data", data))
            while len(_schemas) > SCHEMAS_KEPT:
                _schemas.popitem(last=False)
        else:
            _schemas.move_to_end(path)
        return schema


#: documents longer than this are checked on every request, not kept: the project's
#: operations are under 1,000 characters, and a kept document of 100,000 holds ~8 MB
CACHED_QUERY_CHARS = 8_000


def _checked(schema: GraphQLSchema, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
    """The parsed document and its validation errors (GraphQLSyntaxError raised).

    A client sends the same few documents again and again, as it does to Shopify;
    each is parsed and validated once per schema (the 64 last used are kept, at most
    ~40 MB). Besides the time, this spares the collector: validating one document
    leaves ~700 objects in reference cycles (graphql-core's visitors), and a long
    fake shop run piled millions of them into the oldest generation.
    """
    if len(query) > CACHED_QUERY_CHARS:
        return _check(schema, query)
    return _check_cached(schema, query)


def _check(schema: GraphQLSchema, query: str) -> tuple[DocumentNode, list[GraphQLError]]:
    from graphql import parse, validate

    document = parse(query, max_tokens=50_000)
    return document, validate(schema, document)


_check_cached = functools.lru_cache(maxsize=64)(_check)


def _number(path: tuple[str | int, ...]) -> int:
    return zlib.crc32("/".join(map(str, path)).encode()) % 1_000_000 + 1


def _path_of(info: GraphQLResolveInfo) -> tuple[str | int, ...]:
    return tuple(info.path.as_list())


class SchemaData:
    """Validates and executes documents for one shop, by API and version."""

    def __init__(
        self,
        schema_dir: Path | None,
        operations: Mapping[str, OperationOverride],
        fields: Mapping[str, FieldOverride],
    ) -> None:
        self.schema_dir = schema_dir
        self.operations = operations
        self.fields = fields
        #: (api, version) pairs a request asked for with no schema to answer from
        self.missing: set[tuple[str, str]] = set()

    def schema(self, api: str, version: str) -> GraphQLSchema | None:
        path = schema_file(self.schema_dir, api, version)
        if path is None:
            self.missing.add((api[:20], version[:20]))
            return None
        return _load_schema(path)

    def answer(self, api: str, version: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """The response body, in Shopify's shape whether the document is valid or not."""
        from graphql import GraphQLSyntaxError, OperationDefinitionNode, execute_sync

        schema = self.schema(api, version)
        if schema is None:
            return _error(f"FakeShopify has no committed schema for {api} {version}", "NOT_FOUND")
        query = body.get("query")
        variables = body.get("variables") or {}
        operation_name = body.get("operationName")
        if not isinstance(variables, dict):
            return _error("Variables must be an object", "BAD_REQUEST")
        try:
            document, errors = _checked(schema, str(query))
        except GraphQLSyntaxError as exc:
            return {"errors": [_shape(exc, "parseError")]}
        except RecursionError:
            return _error("Query is nested too deeply", "parseError")
        if errors:
            return {"errors": [_shape(e, _code(e)) for e in errors[:10]]}
        if not isinstance(operation_name, str):
            names = [
                d.name.value
                for d in document.definitions
                if isinstance(d, OperationDefinitionNode) and d.name
            ]
            operation_name = names[0] if len(names) == 1 else None
        root: Mapping[str, Any] = {}
        override = self.operations.get(str(operation_name))
        if override is not None:
            root = override(dict(variables)) if callable(override) else override
        result = execute_sync(
            schema,
            document,
            root_value=dict(root),
            variable_values=variables,
            operation_name=operation_name,
            field_resolver=self._resolve,
            type_resolver=_resolve_type,
        )
        out: dict[str, Any] = {}
        if result.errors:
            out["errors"] = [_shape(e, "INTERNAL_SERVER_ERROR") for e in result.errors[:10]]
        if result.data is not None or not result.errors:
            out["data"] = result.data
        return out

    # -- resolvers -------------------------------------------------------------------

    def _resolve(self, source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        from graphql import get_named_type

        key = info.path.key
        if isinstance(source, Mapping) and key in source:
            return source[key]
        parent = info.parent_type.name
        override_key = f"{parent}.{info.field_name}"
        if override_key in self.fields:
            value = self.fields[override_key]
            return value(args) if callable(value) else value
        named = get_named_type(info.return_type)
        return self._make(info.return_type, named.name, info, _path_of(info))

    def _make(self, graphql_type: Any, named: str, info: GraphQLResolveInfo, path: Any) -> Any:
        from graphql import (
            GraphQLEnumType,
            GraphQLList,
            GraphQLNonNull,
            GraphQLScalarType,
            is_abstract_type,
        )

        if isinstance(graphql_type, GraphQLNonNull):
            return self._make(graphql_type.of_type, named, info, path)
        if isinstance(graphql_type, GraphQLList):
            field = info.field_name
            if field.endswith(("UserErrors", "userErrors")) or named.endswith("UserError"):
                return []
            return [
                self._make(graphql_type.of_type, named, info, (*path, i))
                for i in range(LIST_LENGTH)
            ]
        n = _number(path)
        if isinstance(graphql_type, GraphQLScalarType):
            if info.field_name == "hasNextPage" or info.field_name == "hasPreviousPage":
                return False
            if graphql_type.name == "ID":
                owner = info.parent_type.name
                return f"gid://shopify/{owner}/{n}"
            make = _SCALARS.get(graphql_type.name, _text)
            return make(info.field_name, n)
        if isinstance(graphql_type, GraphQLEnumType):
            values = [v for v, d in graphql_type.values.items() if not d.deprecation_reason]
            return (values or list(graphql_type.values))[0]
        if is_abstract_type(graphql_type):
            return {"__typename": _pick_type(graphql_type, info)}
        return {}


def _pick_type(abstract: Any, info: GraphQLResolveInfo) -> str:
    """A possible type the selection has a fragment on, else the first by name."""
    from graphql import FragmentSpreadNode, InlineFragmentNode

    possible = sorted(t.name for t in info.schema.get_possible_types(abstract))
    wanted: list[str] = []
    for node in info.field_nodes:
        for selection in node.selection_set.selections if node.selection_set else ():
            if isinstance(selection, InlineFragmentNode) and selection.type_condition:
                wanted.append(selection.type_condition.name.value)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = info.fragments.get(selection.name.value)
                if fragment is not None:
                    wanted.append(fragment.type_condition.name.value)
    for name in wanted:
        if name in possible:
            return name
    return possible[0]


def _resolve_type(value: Any, info: GraphQLResolveInfo, abstract: Any) -> str | None:
    if isinstance(value, Mapping) and isinstance(value.get("__typename"), str):
        return str(value["__typename"])
    return _pick_type(abstract, info)


def query_cost(query: str, variables: Mapping[str, Any]) -> float:
    """The requested cost of a document, counted the way Shopify documents it
    (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): scalars
    and enums 0, objects 1, a connection 2 plus ``first`` (or ``last``) times the
    cost of one item; a mutation, 10 a root field (what it returns is free). At least 1."""
    from graphql import (
        FieldNode,
        FragmentDefinitionNode,
        GraphQLSyntaxError,
        OperationDefinitionNode,
        parse,
        value_from_ast_untyped,
    )

    try:
        document = parse(query, max_tokens=50_000)
    except (GraphQLSyntaxError, RecursionError):
        return 1.0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    def size(node: Any) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = value_from_ast_untyped(argument.value, dict(variables))
                return value if isinstance(value, int) and value > 0 else 1
        return 0

    def cost(selection_set: Any, depth: int = 0) -> float:
        if selection_set is None or depth > 30:
            return 0.0
        total = 0.0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None:
                    continue
                items = size(selection)
                inner = cost(selection.selection_set, depth + 1)
                total += 2 + items * inner if items else 1 + inner
            elif getattr(selection, "kind", "") == "fragment_spread":
                fragment = fragments.get(selection.name.value)
                total += cost(fragment.selection_set if fragment else None, depth + 1)
            else:
                total += cost(selection.selection_set, depth + 1)
        return total

    points = 0.0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if definition.operation.value == "mutation":
                points += 10 * len(definition.selection_set.selections)
            else:
                points += cost(definition.selection_set)
    return max(1.0, points)


def _code(error: Any) -> str:
    message = str(error.message)
    if "Cannot query field" in message:
        return "undefinedField"
    if "Unknown argument" in message:
        return "argumentNotAccepted"
    if "Variable" in message:
        return "variableMismatch"
    return "GRAPHQL_VALIDATION_FAILED"


def _shape(error: Any, code: str) -> dict[str, Any]:
    shaped: dict[str, Any] = {"message": str(error.message)}
    if error.locations:
        shaped["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        shaped["path"] = list(error.path)
    shaped["extensions"] = {"code": code}
    return shaped


def _error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
