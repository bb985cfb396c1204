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
* an abstract field answers with a type the selection has a fragment on;
* an answer holds at most :data:`MAX_RESOLVED_FIELDS` fields (nested lists double
  it at each level): past it, a ``MAX_COST_EXCEEDED`` error, as Shopify refuses a
  query past its maximum cost.

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

from ._schemas import UnreadableSchemaError, find_schema_dir, schema_file

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
            schema = _schemas[path] = _build_schema(path)
            while len(_schemas) > SCHEMAS_KEPT:
                _schemas.popitem(last=False)
        else:
            _schemas.move_to_end(path)
        return schema


def _build_schema(path: Path) -> GraphQLSchema:
    """The schema of one introspection file, or :class:`UnreadableSchemaError` naming
    the file and what is wrong with it (never a traceback from inside a request)."""
    from graphql import build_client_schema, validate_schema

    api, version = path.parent.name, path.stem
    raw = path.read_bytes()
    if raw.lstrip()[:1] == b"<":
        raise UnreadableSchemaError(api, version, path, "it looks like an HTML page")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise UnreadableSchemaError(api, version, path, f"it is not JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"]
    if not isinstance(data, dict) or not isinstance(data.get("__schema"), dict):
        raise UnreadableSchemaError(
            api, version, path, "it is not an introspection result (no __schema object)"
        )
    try:
        schema = build_client_schema(data)  # type: ignore[arg-type]
    except (TypeError, ValueError, KeyError, RecursionError) as exc:
        reason = f"its introspection result does not build a schema ({exc})"[:300]
        raise UnreadableSchemaError(api, version, path, reason) from None
    problems = validate_schema(schema)
    if problems:
        reason = f"its introspection result does not build a schema ({problems[0].message})"
        raise UnreadableSchemaError(api, version, path, reason[:300])
    return schema


#: the most fields one answer resolves: every list holds LIST_LENGTH items, so nested
#: lists double the answer at each level (a 444-byte query took 11 s and 4.4 MB,
#: one of 550 bytes minutes); past it the answer is an error, as Shopify refuses a
#: query past its maximum cost
MAX_RESOLVED_FIELDS = 20_000


class _AnswerTooLarge(BaseException):
    """Raised by a resolver past MAX_RESOLVED_FIELDS. A BaseException, not an
    Exception: graphql-core turns an Exception into a field error and goes on with
    the next field, which would keep the walk going; this one ends the execution."""


class _Budget:
    __slots__ = ("left",)

    def __init__(self, left: int) -> None:
        self.left = left


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
        #: the schema files a request needed that could not be read, by (api, version)
        self.unreadable: dict[tuple[str, str], UnreadableSchemaError] = {}

    def schema(self, api: str, version: str) -> GraphQLSchema | None:
        """The schema of ``api`` ``version``; None when it has no file, or when its file
        is unreadable (kept in :attr:`unreadable`, for the fixture to raise)."""
        path = schema_file(self.schema_dir, api, version)
        if path is None:
            self.missing.add((api[:20], version[:20]))
            return None
        try:
            return _load_schema(path)
        except UnreadableSchemaError as exc:
            self.unreadable[(api, version)] = exc
            return None

    def answer(
        self,
        api: str,
        version: str,
        body: Mapping[str, Any],
        root: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The response body, in Shopify's shape whether the document is valid or not.
        ``root``: values of the root fields (what the selection asks beyond them is
        made up), as FakeShopify's bulk operations give."""
        from graphql import GraphQLSyntaxError, OperationDefinitionNode, execute_sync

        schema = self.schema(api, version)
        if schema is None:
            broken = self.unreadable.get((api, version))
            if broken is not None:
                return _error(str(broken), "INTERNAL_SERVER_ERROR")
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
        root = root or {}
        override = self.operations.get(str(operation_name))
        if override is not None and not root:
            root = override(dict(variables)) if callable(override) else override
        try:
            result = execute_sync(
                schema,
                document,
                root_value=dict(root),
                context_value=_Budget(MAX_RESOLVED_FIELDS),
                variable_values=variables,
                operation_name=operation_name,
                field_resolver=self._resolve,
                type_resolver=_resolve_type,
            )
        except _AnswerTooLarge:
            return _error(
                f"FakeShopify: the answer would hold more than {MAX_RESOLVED_FIELDS:,} "
                "fields (every list holds two items, so nested lists double it at each "
                "level); select fewer nested lists",
                "MAX_COST_EXCEEDED",
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

        budget = info.context
        if isinstance(budget, _Budget):
            budget.left -= 1
            if budget.left < 0:
                raise _AnswerTooLarge
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


#: how deep (nested selections and fragment spreads) the cost estimate looks
COST_DEPTH = 30
#: the largest ``first:`` / ``last:`` counted (Shopify refuses more than 250)
COST_PAGE_MAX = 10_000
#: the largest estimate: Shopify refuses one query past 1,000 points, so past this
#: a figure only has to say "too much"; it stays a finite, JSON-able number
COST_MAX = 1_000_000.0


def query_cost(query: str, variables: Mapping[str, Any]) -> float:
    """The requested cost of a document, counted the way Shopify documents it
    (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits): scalars
    and enums 0, objects 1, a connection 2 plus ``first`` (or ``last``) times the
    cost of one item; a mutation, 10 a root field (what it returns is free). At least 1.

    Linear in the document's size and bounded: each fragment's cost is worked out
    once (it was counted once per path to it: a fragment spreading itself twice made
    2^30 paths of 46 bytes, minutes of a thread), a fragment spread within itself
    counts 0 (the document is invalid, and answered so), the walk stops
    :data:`COST_DEPTH` levels down, ``first`` counts up to :data:`COST_PAGE_MAX` and
    the figure up to :data:`COST_MAX`."""
    from graphql import (
        FieldNode,
        FragmentDefinitionNode,
        FragmentSpreadNode,
        GraphQLSyntaxError,
        OperationDefinitionNode,
        SelectionSetNode,
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
    known = dict(variables)
    spread_costs: dict[str, float] = {}
    spreading: set[str] = set()  # the fragments being counted: a cycle counts 0

    def size(node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                try:
                    value = value_from_ast_untyped(argument.value, known)
                except (TypeError, ValueError, RecursionError):
                    return 1
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    return 1
                return min(value, COST_PAGE_MAX)
        return 0

    def spread(name: str, depth: int) -> float:
        found = spread_costs.get(name)
        if found is None:
            if name in spreading:
                return 0.0  # a fragment spread within itself: invalid, Shopify refuses it
            fragment = fragments.get(name)
            spreading.add(name)
            found = cost(fragment.selection_set if fragment else None, depth + 1)
            spreading.discard(name)
            spread_costs[name] = found
        return found

    def cost(selection_set: SelectionSetNode | None, depth: int = 0) -> float:
        if selection_set is None or depth > COST_DEPTH:
            return 0.0
        total = 0.0
        spread_here: set[str] = set()  # ``...F ...F`` merge into one, as in execution
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None:
                    continue
                items = size(selection)
                inner = cost(selection.selection_set, depth + 1)
                total += 2 + items * inner if items else 1 + inner
            elif isinstance(selection, FragmentSpreadNode):
                if selection.name.value not in spread_here:
                    spread_here.add(selection.name.value)
                    total += spread(selection.name.value, depth)
            else:
                total += cost(getattr(selection, "selection_set", None), depth + 1)
            total = min(total, COST_MAX)
        return total

    points = 0.0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            if definition.operation.value == "mutation":
                points += 10 * len(definition.selection_set.selections)
            else:
                points += cost(definition.selection_set)
            points = min(points, COST_MAX)
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
