"""Bulk mutations: a mutation ``.graphql`` file in a ``bulk/`` folder of an Admin package.

Shopify's import path (https://shopify.dev/docs/api/usage/bulk-operations/imports;
the mutation's reference,
https://shopify.dev/docs/api/admin-graphql/latest/mutations/bulkOperationRunMutation):
the variables of one mutation per line, as JSONL, staged with ``stagedUploadsCreate``
and run by ``bulkOperationRunMutation(mutation:, stagedUploadPath:)``. Its rules,
checked by ``validate`` (so ``generate`` too), each finding naming file, line and
column:

- the document holds one mutation field ("You can supply only one of the supported
  GraphQL API mutations", "limited to one connection field");
- not a bulk operation mutation itself (``bulkOperationRunMutation``,
  ``bulkOperationRunQuery``, ``bulkOperationCancel``): Shopify refuses recursion;
- a mutation that needs ``@idempotent(key:)`` (from 2026-04, per its description)
  carries it with a variable, so each line gives its own key (a literal key would be
  applied once; none fails every line);
- fragments are allowed (they are sent with the mutation text).

What is generated for ``mutation ImportProducts($product: ProductCreateInput!)``:

- ``ImportProductsVariables``, appended to the operation's module: one input line,
  a pydantic model with the variables as snake_case fields (aliased to their
  GraphQL names), typed as the normal method's arguments are; an optional variable
  left unset is left out of the line, as a normal call leaves it out;
- ``client.import_products(lines, *, client_identifier=None, **options)``: consumes
  the iterable and returns a :class:`shopify_client.BulkMutationRun` of
  :class:`shopify_client.BulkMutationResult` of ``ImportProducts`` (the mutation's
  usual result model), see :mod:`shopify_client._bulk_mutation`;
- ``client.resume_import_products(ids, part_lines=None, **options)``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from .operations import OperationFile, line_column

__all__ = [
    "REFUSED_FIELDS",
    "BulkMutationProblem",
    "bulk_mutation_methods",
    "is_bulk_mutation",
    "mutation_problems",
    "type_imports",
    "variables_class",
    "variables_name",
]

#: mutations Shopify does not run in bulk: the bulk operations themselves
REFUSED_FIELDS = frozenset(
    {"bulkOperationRunMutation", "bulkOperationRunQuery", "bulkOperationCancel"}
)


@dataclass(frozen=True)
class BulkMutationProblem:
    line: int
    column: int
    message: str
    #: the file the node was read from, when not the operation's own (a fragment of
    #: another file)
    file: str | None = None


def is_bulk_mutation(operation: OperationDefinitionNode) -> bool:
    return operation.operation.value == "mutation"


def _root_fields(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _root_fields(fragment.selection_set, fragments)


def mutation_problems(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    schema: GraphQLSchema,
) -> list[BulkMutationProblem]:
    """Shopify's rules for the mutation of a bulk operation, broken."""
    problems: list[BulkMutationProblem] = []

    def problem(node: Any, message: str) -> None:
        line, column = line_column(node)
        loc = getattr(node, "loc", None)
        shown = loc.source.name or None if loc is not None else None
        problems.append(BulkMutationProblem(line, column, f"bulk mutation: {message}", shown))

    fields = [
        f for f in _root_fields(operation.selection_set, fragments) if f.name.value != "__typename"
    ]
    # counted as selected, not by name: the same mutation under two aliases would run
    # twice per line
    if not fields:
        problem(operation, "it selects no mutation field; Shopify runs one per line")
    elif len(fields) > 1:
        # listed as selected (the same field twice is two fields), and pointed at the
        # second: the first one is the one to keep
        names = ", ".join(
            f"{f.alias.value}: {f.name.value}" if f.alias else f.name.value for f in fields
        )
        problem(
            fields[1],
            f"it selects {len(fields)} mutation fields ({names}); Shopify runs one "
            "mutation field per line",
        )
    for node in fields:
        if node.alias is not None:
            problem(
                node,
                f"the mutation field has an alias ({node.alias.value}: "
                f"{node.name.value}); each result line is read by the field's name "
                "(its userErrors would go unseen)",
            )
    mutation_type = schema.mutation_type
    for node in fields:
        if node.name.value in REFUSED_FIELDS:
            problem(node, f"'{node.name.value}' cannot run inside a bulk operation")
        definition = mutation_type.fields.get(node.name.value) if mutation_type else None
        if definition is not None:
            _idempotency_problem(schema, definition, node, problem)
    if operation.name is None:
        problem(operation, "a bulk mutation needs a name (its method is named after it)")
    return problems


def _idempotency_problem(
    schema: GraphQLSchema, definition: Any, node: FieldNode, problem: Any
) -> None:
    """A mutation that needs ``@idempotent(key:)`` (2026-04 on): in bulk, the key is a
    variable of each line (a literal one would make Shopify apply only the first line;
    none fails every line at run time). The generator adds no key to bulk mutations."""
    from graphql import VariableNode

    from .idempotency import DIRECTIVE, support_of

    if "idempotency key is required" not in (definition.description or ""):
        return
    if (support_of(schema, definition) or None) is None:
        return
    found = next((d for d in node.directives or () if d.name.value == DIRECTIVE), None)
    key = next((a.value for a in (found.arguments if found else ()) if a.name.value == "key"), None)
    if key is None:
        problem(
            node,
            f"'{node.name.value}' requires @{DIRECTIVE}(key:) on this version; in a bulk "
            f"mutation give it a variable (@{DIRECTIVE}(key: $idempotencyKey)): each line "
            "carries its own key",
        )
    elif not isinstance(key, VariableNode):
        problem(
            node,
            f"'{node.name.value}' has a literal @{DIRECTIVE} key: every line would send it, "
            "and Shopify applies a repeated key once; use a variable",
        )


def _root_field_name(text: str) -> str:
    document = parse(text)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return next(
        f.name.value
        for f in _root_fields(operation.selection_set, fragments)
        if f.name.value != "__typename"
    )


def variables_name(operation: OperationDefinitionNode) -> str:
    from ariadne_codegen.utils import str_to_pascal_case

    return f"{str_to_pascal_case(operation.name.value if operation.name else '')}Variables"


def _module_name(operation: OperationDefinitionNode) -> str:
    from ariadne_codegen.utils import str_to_snake_case

    return str(str_to_snake_case(operation.name.value if operation.name else ""))


def type_imports(names: list[str]) -> ast.stmt:
    """``if TYPE_CHECKING:`` imports of what the bulk mutation methods' annotations
    name (ruff, run by ariadne-codegen, drops what one flavour leaves unused)."""
    from ariadne_codegen.utils import str_to_pascal_case, str_to_snake_case

    body: list[ast.stmt] = [
        ast.ImportFrom(
            module="collections.abc",
            names=[ast.alias(name="Iterable"), ast.alias(name="Mapping")],
            level=0,
        ),
        ast.ImportFrom(
            module="shopify_client",
            names=[
                ast.alias(name=n)
                for n in (
                    "AsyncBulkMutationRun",
                    "BulkMutation",
                    "BulkMutationCallOptions",
                    "BulkMutationRun",
                )
            ],
            level=0,
        ),
    ]
    for name in sorted(names):
        pascal = str(str_to_pascal_case(name))
        body.append(
            ast.ImportFrom(
                module=str(str_to_snake_case(name)),
                names=[ast.alias(name=pascal), ast.alias(name=f"{pascal}Variables")],
                level=1,
            )
        )
    return ast.If(test=ast.Name(id="TYPE_CHECKING", ctx=ast.Load()), body=body, orelse=[])


def bulk_mutation_methods(
    method_def: ast.FunctionDef | ast.AsyncFunctionDef,
    operation: OperationDefinitionNode,
) -> list[ast.stmt]:
    """The start method (in place of ariadne-codegen's), its resume method and spec."""
    from .bulk import _query_text

    text = print_ast(parse(_query_text(method_def), no_location=True))
    field = _root_field_name(text)
    is_async = isinstance(method_def, ast.AsyncFunctionDef)
    name = method_def.name
    shown = operation.name.value if operation.name else name
    from ariadne_codegen.utils import str_to_pascal_case

    result = str(str_to_pascal_case(shown))
    variables = variables_name(operation)
    module = _module_name(operation)
    run = "AsyncBulkMutationRun" if is_async else "BulkMutationRun"
    spec_name = f"_bulk_{name}"
    spec_src = f"""
@staticmethod
def {spec_name}() -> BulkMutation[{result}, {variables}]:
    from shopify_client import BulkMutation

    return BulkMutation(
        name={shown!r},
        document={text!r},
        field={field!r},
        result=lambda: _model({module!r}, {result!r}),
        variables=lambda: _model({module!r}, {variables!r}),
    )
"""
    doc = (
        f"Run the mutation {shown} once per item of ``lines`` as a bulk operation "
        "(Shopify's import path).\n\n"
        f"Each item is a {variables} (or a mapping of its fields); the JSONL is written "
        "while ``lines`` is consumed, split at the version's file size limit (or "
        "``max_file_bytes``), each part staged, uploaded and started as its own "
        "operation. Iterating the handle yields one BulkMutationResult per item, in "
        "input order. Options: shopify_client.BulkMutationCallOptions."
    )
    wait = "await " if is_async else ""
    returns = f"{run}[{result}]"
    options = "**options: Unpack[BulkMutationCallOptions]"
    start = ast.parse(
        f"def {name}(self, lines: Iterable[{variables} | Mapping[str, Any]], *, "
        f"client_identifier: str | None = None, {options}) -> {returns}:\n"
        f"    {doc!r}\n"
        f"    return {wait}self._bulk_mutate(self.{spec_name}(), lines, client_identifier, "
        "options)\n"
    ).body[0]
    assert isinstance(start, ast.FunctionDef)
    if is_async:
        start = ast.AsyncFunctionDef(**{f: getattr(start, f) for f in start._fields})
    resume_doc = (
        f"The handle of a {shown} bulk mutation started earlier: its operations' ids "
        "(``run.ids``), in order, and ``run.part_lines`` (the input lines of each "
        "part; without it, each part's size is read from Shopify's objectCount)."
    )
    resume = ast.parse(
        f"def resume_{name}(self, ids: str | Iterable[str], part_lines: "
        f"Iterable[int] | None = None, {options}) -> {returns}:\n"
        f"    {resume_doc!r}\n"
        f"    return self._bulk_mutate_resume(self.{spec_name}(), ids, part_lines, options)\n"
    ).body[0]
    spec = ast.parse(spec_src).body[0]
    out: list[ast.stmt] = [start, resume, spec]
    for node in out:
        ast.fix_missing_locations(node)
    return out


# -- the variables model ------------------------------------------------------------


def _scalars(config_dict: dict[str, Any]) -> dict[str, Any]:
    from ariadne_codegen.client_generators.scalars import ScalarData

    section = config_dict.get("tool", {}).get("ariadne-codegen", {})
    out = {}
    for graphql_name, spec in (section.get("scalars") or {}).items():
        if isinstance(spec, dict) and isinstance(spec.get("type"), str):
            out[graphql_name] = ScalarData(
                type_=spec["type"],
                serialize=spec.get("serialize"),
                parse=spec.get("parse"),
                graphql_name=graphql_name,
            )
    return out


def variables_class(
    module: ast.Module,
    operation: OperationDefinitionNode,
    schema: GraphQLSchema,
    config_dict: dict[str, Any],
) -> ast.Module:
    """Append ``<Op>Variables`` (one input line) to the operation's module."""
    from ariadne_codegen.client_generators.arguments import ArgumentsGenerator
    from ariadne_codegen.utils import str_to_snake_case

    scalars = _scalars(config_dict)
    generator = ArgumentsGenerator(
        schema=schema, convert_to_snake_case=True, custom_scalars=scalars
    )
    shown = operation.name.value if operation.name else ""
    body: list[ast.stmt] = [
        ast.Expr(
            value=ast.Constant(value=f"One input line of the bulk mutation {shown}: its variables.")
        )
    ]
    imports: list[ast.stmt] = []
    for definition in operation.variable_definitions or ():
        graphql_name = definition.variable.name.value
        python_name = str(str_to_snake_case(graphql_name))
        annotation, _ = generator._parse_type_node(definition.type)
        optional = (
            isinstance(annotation, ast.Subscript)
            and isinstance(annotation.value, ast.Name)
            and annotation.value.id == "Optional"
        )
        keywords = []
        if python_name != graphql_name:
            keywords = [
                ast.keyword(arg="validation_alias", value=ast.Constant(value=graphql_name)),
                ast.keyword(arg="serialization_alias", value=ast.Constant(value=graphql_name)),
            ]
        value: ast.expr | None = None
        if keywords:
            if optional:
                keywords.append(ast.keyword(arg="default", value=ast.Constant(value=None)))
            value = ast.Call(func=ast.Name(id="Field", ctx=ast.Load()), args=[], keywords=keywords)
        elif optional:
            value = ast.Constant(value=None)
        body.append(
            ast.AnnAssign(
                target=ast.Name(id=python_name, ctx=ast.Store()),
                annotation=annotation,
                value=value,
                simple=1,
            )
        )
    for name in sorted(set(generator.get_used_inputs())):
        imports.append(ast.ImportFrom(module="input_types", names=[ast.alias(name=name)], level=1))
    for name in sorted(set(generator.get_used_enums())):
        imports.append(ast.ImportFrom(module="enums", names=[ast.alias(name=name)], level=1))
    for name in sorted({s for s in scalars if _uses(operation, s)}):
        type_ = scalars[name].type_
        if "." in type_:
            where, what = type_.rsplit(".", 1)
            imports.append(ast.ImportFrom(module=where, names=[ast.alias(name=what)], level=0))
    imports += [
        ast.ImportFrom(module="typing", names=[ast.alias(name="Optional")], level=0),
        ast.ImportFrom(module="pydantic", names=[ast.alias(name="Field")], level=0),
    ]
    module.body[0:0] = imports
    module.body.append(
        ast.ClassDef(
            name=variables_name(operation),
            bases=[ast.Name(id="BaseModel", ctx=ast.Load())],
            keywords=[],
            body=body,
            decorator_list=[],
        )
    )
    return ast.fix_missing_locations(module)


def _uses(operation: OperationDefinitionNode, scalar: str) -> bool:
    from graphql import ListTypeNode, NamedTypeNode, NonNullTypeNode

    for definition in operation.variable_definitions or ():
        node: Any = definition.type
        while isinstance(node, NonNullTypeNode | ListTypeNode):
            node = node.type
        if isinstance(node, NamedTypeNode) and node.name.value == scalar:
            return True
    return False


def bulk_mutation_file_problems(
    op_file: OperationFile, schema: GraphQLSchema
) -> list[BulkMutationProblem]:
    fragments = {
        f.name.value: f
        for f in op_file.document.definitions
        if isinstance(f, FragmentDefinitionNode)
    }
    return [
        p
        for operation in op_file.operations
        if is_bulk_mutation(operation)
        for p in mutation_problems(operation, fragments, schema)
    ]
