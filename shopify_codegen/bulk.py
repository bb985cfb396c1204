"""Bulk queries: a ``.graphql`` file in a ``bulk/`` folder of an Admin package's queries.

Shopify's rules for ``bulkOperationRunQuery`` (https://shopify.dev/docs/api/usage/bulk-operations/queries,
"Operation restrictions"; the mutation's reference: "The query must include at least
one connection field and supports up to five connections with a maximum nesting
depth of two levels") are checked by ``validate`` (so ``generate`` too), each finding
naming file, line and column:

- at least one connection, at most five, nested at most two levels;
- every connection returns ``Node`` types (its nodes become lines of the JSONL);
- no top-level ``node`` / ``nodes``;
- a query (not a mutation).

And what the generated records need:

- one root field, a connection: each root node becomes one record;
- a nested connection is a field of a connection's node, and that node selects
  ``id`` (Shopify names it in each child's ``__parentId``);
- sibling connections return distinct node types (which a child line belongs to is
  told by its type); where a parent has several, ``__typename`` is added to the
  text sent, never to the records' types;
- variables are scalars or enums (or lists of them): they are written into the text
  as literals (``bulkOperationRunQuery`` takes no variables).

The generated method (``export_products`` for ``ExportProducts``) starts the
operation and returns a :class:`shopify_client.BulkRun` of records: the root node's
model with each connection a list of child models (``<Op>Record``, appended to the
operation's module). ``resume_export_products(operation_id)`` returns the same handle
for an operation started earlier.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Literal

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    parse,
    print_ast,
)

from .operations import OperationFile, line_column

__all__ = [
    "BULK_FOLDER",
    "MAX_CONNECTIONS",
    "MAX_DEPTH",
    "TYPE_IMPORTS",
    "BulkConnectionPlan",
    "BulkProblem",
    "NeedsFragmentClasses",
    "bulk_methods",
    "bulk_problems",
    "in_bulk_subfolder",
    "is_bulk_file",
    "plan_bulk",
    "record_classes",
    "record_name",
]

BULK_FOLDER = "bulk"
MAX_CONNECTIONS = 5
MAX_DEPTH = 2


def TYPE_IMPORTS(records: list[tuple[str, str]]) -> ast.stmt:
    """``if TYPE_CHECKING:`` imports of what the bulk methods' annotations name
    (ruff, run by ariadne-codegen, drops what one client flavour leaves unused)."""
    body: list[ast.stmt] = [
        ast.ImportFrom(
            module="shopify_client",
            names=[
                ast.alias(name=n)
                for n in ("AsyncBulkRun", "BulkCallOptions", "BulkQuery", "BulkRun")
            ],
            level=0,
        ),
        *(
            ast.ImportFrom(module=module, names=[ast.alias(name=name)], level=1)
            for module, name in records
        ),
    ]
    return ast.If(test=ast.Name(id="TYPE_CHECKING", ctx=ast.Load()), body=body, orelse=[])


def is_bulk_file(op_file: OperationFile) -> bool:
    return op_file.path.parent.name == BULK_FOLDER


def in_bulk_subfolder(op_file: OperationFile) -> bool:
    """Whether the file sits deeper inside a ``bulk/`` folder (read as a plain
    operation: a warning says so). Read from the path as shown, relative to the
    project, so that the folders above the project do not count."""
    shown = PurePosixPath(op_file.display.replace("\\", "/"))
    return not is_bulk_file(op_file) and BULK_FOLDER in shown.parent.parts[:-1]


@dataclass(frozen=True)
class BulkProblem:
    line: int
    column: int
    message: str
    #: the file the node was read from, when not the operation's own (a fragment of
    #: another file)
    file: str | None = None
    #: "error", or "warning" for what Shopify ignores (``first:``, ``pageInfo``)
    severity: Literal["error", "warning"] = "error"


EMPTY = SelectionSetNode(selections=())

#: arguments Shopify ignores in a bulk query: every node is read
IGNORED_ARGUMENTS = ("first", "last", "after", "before")


def _source_name(node: Any) -> str | None:
    loc = getattr(node, "loc", None)
    return loc.source.name or None if loc is not None else None


@dataclass
class BulkConnectionPlan:
    key: str  # response key
    typenames: frozenset[str]
    node: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
    selection: SelectionSetNode
    field_node: FieldNode
    children: list[BulkConnectionPlan] = field(default_factory=list)


@dataclass(frozen=True)
class _Nodes:
    """What a connection field selects of its nodes: the node type and the node's
    selection (``None`` for a connection of scalars, such as ``StringConnection``), or
    no ``node_type`` at all when it selects neither ``edges { node }`` nor ``nodes``."""

    node_type: Any | None
    selection: SelectionSetNode | None


def _connection_node(
    schema_type: Any, field_node: FieldNode, fragments: dict[str, FragmentDefinitionNode]
) -> _Nodes | None:
    """What ``field_node`` selects of a connection's nodes; ``None``: not a connection."""
    named = get_named_type(schema_type)
    if not isinstance(named, GraphQLObjectType) or not named.name.endswith("Connection"):
        return None
    if not ("nodes" in named.fields or "edges" in named.fields):
        return None
    if field_node.selection_set is None:
        return _Nodes(None, None)
    for inner in _fields(field_node.selection_set, fragments):
        if inner.name.value == "nodes" and "nodes" in named.fields:
            return _Nodes(get_named_type(named.fields["nodes"].type), inner.selection_set)
        if inner.name.value == "edges" and "edges" in named.fields and inner.selection_set:
            edge = get_named_type(named.fields["edges"].type)
            assert isinstance(edge, GraphQLObjectType)
            for node in _fields(inner.selection_set, fragments):
                if node.name.value == "node" and "node" in edge.fields:
                    return _Nodes(get_named_type(edge.fields["node"].type), node.selection_set)
    return _Nodes(None, None)


def _fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments)


def _concrete(schema: GraphQLSchema, node_type: Any) -> list[GraphQLObjectType]:
    if isinstance(node_type, GraphQLObjectType):
        return [node_type]
    if isinstance(node_type, GraphQLInterfaceType | GraphQLUnionType):
        return list(schema.get_possible_types(node_type))
    return []


def _is_node(schema: GraphQLSchema, node_type: Any) -> bool:
    types = _concrete(schema, node_type)
    return bool(types) and all(any(i.name == "Node" for i in t.interfaces) for t in types)


def _field_type(parent: Any, name: str) -> Any:
    fields = getattr(parent, "fields", None)
    if fields is None or name not in fields:
        return None
    return fields[name].type


class _Checker:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self.problems: list[BulkProblem] = []
        #: every connection's response key, in document order
        self.connections: list[str] = []
        self.past_limit: FieldNode | None = None

    def problem(
        self, node: Any, message: str, severity: Literal["error", "warning"] = "error"
    ) -> None:
        line, column = line_column(node)
        self.problems.append(
            BulkProblem(line, column, f"bulk query: {message}", _source_name(node), severity)
        )

    def unknown_spread(self, selection_set: SelectionSetNode) -> bool:
        """Whether ``selection_set`` spreads a fragment not defined (validate reports
        it): what it would select is unknown, so no finding may rest on its absence."""
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None or self.unknown_spread(fragment.selection_set):
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if self.unknown_spread(selection.selection_set):
                    return True
        return False

    def ignored(self, field_node: FieldNode, key: str) -> None:
        """Warnings for what Shopify ignores in a bulk query: it reads every node."""
        for argument in field_node.arguments or ():
            if argument.name.value in IGNORED_ARGUMENTS:
                self.problem(
                    argument,
                    f"'{argument.name.value}' on connection '{key}' is ignored by Shopify in "
                    "a bulk query (every node is read); leave it out",
                    "warning",
                )
        for inner in _fields(field_node.selection_set or EMPTY, self.fragments):
            if inner.name.value == "pageInfo":
                self.problem(
                    inner,
                    f"'pageInfo' of connection '{key}' is not in a bulk query's results "
                    "(there are no pages); leave it out",
                    "warning",
                )

    def connection(
        self, parent: Any, field_node: FieldNode, depth: int
    ) -> BulkConnectionPlan | None:
        found = _connection_node(
            _field_type(parent, field_node.name.value), field_node, self.fragments
        )
        if found is None:
            return None
        key = field_node.alias.value if field_node.alias else field_node.name.value
        self.counted(field_node, key)
        if field_node.selection_set is not None:
            self.ignored(field_node, key)
        if found.node_type is None:
            self.problem(
                field_node,
                f"connection '{key}' selects neither 'edges {{ node {{ ... }} }}' nor "
                "'nodes { ... }': a bulk query reads a connection's nodes (each becomes a "
                "line of the JSONL)",
            )
            return None
        node_type, selection = found.node_type, found.selection
        if depth > MAX_DEPTH:
            self.problem(
                field_node,
                f"connection '{key}' is nested {depth} levels deep; Shopify allows at most "
                f"{MAX_DEPTH}",
            )
        if selection is None or not _is_node(self.schema, node_type):
            self.problem(
                field_node,
                f"connection '{key}' returns {node_type.name}, not a Node type; bulk "
                "operations only read connections of Node types",
            )
        if selection is None:  # a connection of scalars: no record shape to plan
            return None
        typenames = frozenset(t.name for t in _concrete(self.schema, node_type))
        plan = BulkConnectionPlan(key, typenames, node_type, selection, field_node)
        self.node(plan, depth)
        return plan

    def counted(self, field_node: FieldNode, key: str) -> None:
        """One more connection; the first past Shopify's limit is where the finding points."""
        self.connections.append(key)
        if len(self.connections) == MAX_CONNECTIONS + 1:
            self.past_limit = field_node

    def node(self, plan: BulkConnectionPlan, depth: int) -> None:
        selects_id = False
        parent_types: list[Any] = [*_concrete(self.schema, plan.node)] or [plan.node]
        for inner in _fields(plan.selection, self.fragments):
            if inner.name.value == "id" and inner.alias is None:
                selects_id = True
            parent = next((t for t in parent_types if inner.name.value in t.fields), plan.node)
            before = len(self.connections)
            child = self.connection(parent, inner, depth + 1)
            if child is not None:
                plan.children.append(child)
            elif len(self.connections) == before and inner.selection_set is not None:
                self.no_deeper_connection(parent, inner)
        if plan.children and not selects_id and not self.unknown_spread(plan.selection):
            self.problem(
                plan.field_node,
                f"the nodes of '{plan.key}' select connections but not 'id': Shopify names "
                "each child's parent by its id (__parentId)",
            )
        if plan.children and not isinstance(plan.node, GraphQLObjectType):
            self.problem(
                plan.field_node,
                f"'{plan.key}' returns an abstract type with nested connections; the generated "
                "records support nested connections on object types only",
            )
        seen: dict[str, str] = {}
        for child in plan.children:
            for name in child.typenames:
                if name in seen:
                    self.problem(
                        child.field_node,
                        f"connections '{seen[name]}' and '{child.key}' both return {name}: "
                        "their lines in the JSONL could not be told apart",
                    )
                seen[name] = child.key

    def no_deeper_connection(self, parent: Any, field_node: FieldNode) -> None:
        """A connection inside a plain object field: refused (no record shape for it)."""
        inner_type = get_named_type(_field_type(parent, field_node.name.value))
        if field_node.selection_set is None or inner_type is None:
            return
        for inner in _fields(field_node.selection_set, self.fragments):
            found = _connection_node(
                _field_type(inner_type, inner.name.value), inner, self.fragments
            )
            if found is not None:
                self.counted(inner, inner.name.value)
                self.problem(
                    inner,
                    f"connection '{inner.name.value}' sits inside the object field "
                    f"'{field_node.name.value}'; put connections directly on a connection's node",
                )
            elif inner.selection_set is not None:
                self.no_deeper_connection(inner_type, inner)


def _variable_problems(
    operation: OperationDefinitionNode, schema: GraphQLSchema
) -> list[BulkProblem]:
    problems = []
    for definition in operation.variable_definitions or ():
        type_node: Any = definition.type
        while isinstance(type_node, NonNullTypeNode | ListTypeNode):
            type_node = type_node.type
        assert isinstance(type_node, NamedTypeNode)
        named = schema.get_type(type_node.name.value)
        if isinstance(named, GraphQLInputObjectType):
            line, column = line_column(definition)
            problems.append(
                BulkProblem(
                    line,
                    column,
                    f"bulk query: variable ${definition.variable.name.value} is an input "
                    f"object ({named.name}); bulk query variables are written into the "
                    "query as literals and may be scalars or enums only",
                )
            )
    return problems


def plan_bulk(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
) -> tuple[BulkConnectionPlan | None, list[BulkProblem]]:
    """The root connection's plan, and Shopify's (and the records') rules broken."""
    checker = _Checker(schema, fragments)
    if operation.operation.value != "query":
        checker.problem(operation, "a bulk operation file must hold a query")
        return None, checker.problems
    roots = list(_fields(operation.selection_set, fragments))
    root_plan: BulkConnectionPlan | None = None
    query_type = schema.query_type
    for root in roots:
        if root.name.value in ("node", "nodes"):
            checker.problem(root, f"a top-level '{root.name.value}' field is refused by Shopify")
            continue
        before = len(checker.connections)
        plan = checker.connection(query_type, root, 1)
        if len(checker.connections) == before:
            checker.problem(
                root,
                f"'{root.name.value}' is not a connection: each root field of a bulk query "
                "must be one (its nodes become the records)",
            )
        elif plan is None:
            continue  # a connection, refused with its own finding
        elif root_plan is None:
            root_plan = plan
        else:
            checker.problem(root, "a generated bulk query selects one root connection")
    if not checker.connections and not checker.problems:
        checker.problem(operation, "it selects no connection; Shopify needs at least one")
    if checker.past_limit is not None:
        names = ", ".join(f"'{k}'" for k in checker.connections)
        checker.problem(
            checker.past_limit,
            f"it selects {len(checker.connections)} connections ({names}); Shopify allows "
            f"at most {MAX_CONNECTIONS}, and this one is the {MAX_CONNECTIONS + 1}th",
        )
    checker.problems.extend(_variable_problems(operation, schema))
    return root_plan, checker.problems


def bulk_problems(op_file: OperationFile, schema: GraphQLSchema) -> list[BulkProblem]:
    fragments = {
        f.name.value: f
        for f in op_file.document.definitions
        if isinstance(f, FragmentDefinitionNode)
    }
    problems: list[BulkProblem] = []
    mutation_type = schema.mutation_type
    runs = set(mutation_type.fields) if mutation_type is not None else set()
    if op_file.operations and not runs & {"bulkOperationRunQuery", "bulkOperationRunMutation"}:
        line, column = line_column(op_file.operations[0])
        return [
            BulkProblem(
                line,
                column,
                "bulk operation: this schema has no bulkOperationRunQuery; bulk operations "
                f"exist in the Admin API only, so a '{BULK_FOLDER}/' folder belongs in an Admin "
                "package's queries (move this file out of it to send it as a plain operation)",
            )
        ]
    for operation in op_file.operations:
        if operation.operation.value == "mutation":  # a bulk mutation (see .bulk_mutation)
            from .bulk_mutation import mutation_problems

            problems.extend(
                BulkProblem(p.line, p.column, p.message, p.file)
                for p in mutation_problems(operation, fragments, schema)
            )
            continue
        problems.extend(plan_bulk(operation, fragments, schema)[1])
    return problems


# -- what the plugin generates ------------------------------------------------------


def _document_parts(text: str) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    document = parse(text)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return operation, fragments


def _with_typenames(text: str, plan: BulkConnectionPlan) -> str:
    """The text sent: ``__typename`` added to the nodes of sibling connections."""
    from graphql import NameNode

    document = parse(text, no_location=True)
    targets: set[tuple[str, ...]] = set()

    def mark(connection: BulkConnectionPlan, path: tuple[str, ...]) -> None:
        here = (*path, connection.key)
        if len(connection.children) > 1:
            targets.update((*here, child.key) for child in connection.children)
        for child in connection.children:
            mark(child, here)

    mark(plan, ())
    if not targets:
        return print_ast(document)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walked: set[tuple[str, tuple[str, ...]]] = set()

    def walk(selection_set: SelectionSetNode, path: tuple[str, ...]) -> None:
        for selection in selection_set.selections:
            # fragments select fields at the place they are spread: the same path
            if isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, path)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and (selection.name.value, path) not in walked:
                    walked.add((selection.name.value, path))
                    walk(fragment.selection_set, path)
                continue
            if not isinstance(selection, FieldNode) or selection.selection_set is None:
                continue
            key = selection.alias.value if selection.alias else selection.name.value
            here = path if key in ("edges", "node", "nodes") else (*path, key)
            if here in targets and key in ("node", "nodes"):
                names = {
                    s.name.value
                    for s in selection.selection_set.selections
                    if isinstance(s, FieldNode)
                }
                if "__typename" not in names:
                    selection.selection_set.selections = (
                        FieldNode(name=NameNode(value="__typename")),
                        *selection.selection_set.selections,
                    )
            walk(selection.selection_set, here)

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            walk(definition.selection_set, ())
    return print_ast(document)


def _enum_names(operation: OperationDefinitionNode, schema: GraphQLSchema) -> list[str]:
    names = []
    for definition in operation.variable_definitions or ():
        type_node: Any = definition.type
        while isinstance(type_node, NonNullTypeNode | ListTypeNode):
            type_node = type_node.type
        if isinstance(schema.get_type(type_node.name.value), GraphQLEnumType):
            names.append(type_node.name.value)
    return sorted(set(names))


def _connections_expr(plans: list[BulkConnectionPlan]) -> ast.expr:
    items: list[ast.expr] = [
        ast.Call(
            func=ast.Name(id="BulkConnection", ctx=ast.Load()),
            args=[
                ast.Constant(value=p.key),
                ast.Call(
                    func=ast.Name(id="frozenset", ctx=ast.Load()),
                    args=[ast.Set(elts=[ast.Constant(value=t) for t in sorted(p.typenames)])],
                    keywords=[],
                ),
                _connections_expr(p.children),
            ],
            keywords=[],
        )
        for p in plans
    ]
    return ast.Tuple(elts=items, ctx=ast.Load())


def _query_text(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    for node in ast.walk(method_def):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "gql":
            # ariadne-codegen passes the lines as one list of constants (printed as
            # implicitly joined strings)
            parts: Any = node.args[0] if node.args else None
            parts = parts if isinstance(parts, list) else [parts]
            if parts and all(isinstance(p, ast.Constant) for p in parts):
                return "".join(str(p.value) for p in parts)
    raise ValueError(f"{method_def.name}: no query text in the generated method")


def _variable_names(
    method_def: ast.FunctionDef | ast.AsyncFunctionDef, operation: OperationDefinitionNode
) -> dict[str, str]:
    """Each keyword argument's GraphQL variable name (``sort_key`` -> ``sortKey``), read
    from the ``variables`` dict ariadne-codegen built, which is keyed by the GraphQL
    names: the runtime writes the literals by those names."""
    arguments = {a.arg for a in method_def.args.args if a.arg != "self"}
    declared = {d.variable.name.value for d in operation.variable_definitions or ()}
    for node in ast.walk(method_def):
        if not isinstance(node, ast.Dict) or not node.values:
            continue
        pairs = {
            v.id: k.value
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str) and isinstance(v, ast.Name)
        }
        if set(pairs) == arguments and set(pairs.values()) <= declared:
            return pairs
    if not arguments:
        return {}
    raise ValueError(
        f"{method_def.name}: no variables dict naming {', '.join(sorted(arguments))} "
        "in the generated method"
    )


def _module_name(operation: OperationDefinitionNode) -> str:
    from ariadne_codegen.utils import str_to_snake_case

    return str(str_to_snake_case(operation.name.value if operation.name else ""))


def record_name(operation: OperationDefinitionNode) -> str:
    from ariadne_codegen.utils import str_to_pascal_case

    return f"{str_to_pascal_case(operation.name.value if operation.name else '')}Record"


def bulk_methods(
    method_def: ast.FunctionDef | ast.AsyncFunctionDef,
    operation: OperationDefinitionNode,
    schema: GraphQLSchema,
    has_group: bool,
) -> list[ast.stmt]:
    """The start method (in place of ariadne-codegen's), its resume method and spec.
    ``has_group``: the pinned version's bulkOperationRunQuery takes groupObjects."""
    text = _query_text(method_def)
    parsed, fragments = _document_parts(text)
    # validate checked the rules on the whole schema; this one is pruned (no Node
    # interface, no mutation type): only the shape is read here
    plan, _ = plan_bulk(parsed, fragments, schema)
    if plan is None:
        raise ValueError(f"{method_def.name}: not a bulk query of one root connection")
    is_async = isinstance(method_def, ast.AsyncFunctionDef)
    name = method_def.name
    record = record_name(operation)
    run = "AsyncBulkRun" if is_async else "BulkRun"
    document = _with_typenames(text, plan)
    spec_name = f"_bulk_{name}"
    spec_src = f"""
@staticmethod
def {spec_name}() -> BulkQuery[{record}]:
    from shopify_client import BulkConnection, BulkQuery

    return BulkQuery(
        name={parsed.name.value if parsed.name else name!r},
        document={document!r},
        connections=CONNECTIONS,
        record=lambda: _model({_module_name(operation)!r}, {record!r}),
        group_objects_argument={has_group!r},
        enums=frozenset({_enum_names(parsed, schema)!r}),
    )
"""
    spec = ast.parse(spec_src).body[0]
    assert isinstance(spec, ast.FunctionDef)
    for node in ast.walk(spec):
        if isinstance(node, ast.keyword) and node.arg == "connections":
            node.value = _connections_expr(plan.children)
    # the variables' keyword arguments, as ariadne-codegen typed them
    arguments = [a for a in method_def.args.args if a.arg != "self"]
    defaults = method_def.args.defaults
    graphql_names = _variable_names(method_def, parsed)
    values = ast.Dict(
        keys=[ast.Constant(value=graphql_names[a.arg]) for a in arguments],
        values=[ast.Name(id=a.arg, ctx=ast.Load()) for a in arguments],
    )
    group_doc = (
        "``group_objects=True`` asks Shopify to write children directly after their "
        "parent (slower; the records are the same either way). "
        if has_group
        else ""
    )
    doc = (
        f"Start the bulk query {parsed.name.value if parsed.name else name}: a handle whose "
        "records are its root nodes.\n\n"
        "Each connection of a node is a list of its children (file order). "
        f"{group_doc}Options: shopify_client.BulkCallOptions."
    )
    wait = "await " if is_async else ""
    returns = f"{run}[{record}]"
    options = "**options: Unpack[BulkCallOptions]"
    group = "group_objects" if has_group else "False"
    start = ast.parse(
        f"def {name}(self, *, group_objects: bool = False, {options}) -> {returns}:\n"
        f"    {doc!r}\n"
        f"    return {wait}self._bulk_start(self.{spec_name}(), VALUES, {group}, options)\n"
    ).body[0]
    assert isinstance(start, ast.FunctionDef)
    if is_async:
        start = ast.AsyncFunctionDef(**{f: getattr(start, f) for f in start._fields})
    if not has_group:  # 2024-01 and the like: their files are always grouped
        start.args.kwonlyargs = []
        start.args.kw_defaults = []
    start.args.args = [start.args.args[0], *arguments]
    start.args.defaults = list(defaults)

    class Values(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.expr:
            return values if node.id == "VALUES" else node

    Values().visit(start)
    shown = parsed.name.value if parsed.name else name
    resume_doc = (
        f"The handle of a {shown} operation started earlier (gid://shopify/BulkOperation/<n>)."
    )
    resume = ast.parse(
        f"def resume_{name}(self, operation_id: str, {options}) -> {returns}:\n"
        f"    {resume_doc!r}\n"
        f"    return self._bulk_resume(self.{spec_name}(), operation_id, options)\n"
    ).body[0]
    out: list[ast.stmt] = [start, resume, spec]
    for node in out:
        ast.fix_missing_locations(node)
    return out


# the records' classes: bulk_records (imported last: it reads this module)
from .bulk_records import NeedsFragmentClasses, record_classes  # noqa: E402
