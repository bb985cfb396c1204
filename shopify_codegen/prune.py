"""Pruning a schema to what the operations reach, so generation need not parse 1.7 MB.

ariadne-codegen generates from the types an operation reaches (with
``include_all_inputs``/``include_all_enums`` off): the selected fields of each
object type, the input types sent (all their fields), the enums read or sent, the
scalars met on the way and any directive the operations use. The pruned schema
keeps exactly those, with their descriptions and deprecations, so the generated
code is byte-identical (``tests/shopify_codegen/test_prune.py`` holds it to that);
interfaces and unions are kept only when an operation selects through them.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    TypeInfo,
    TypeInfoVisitor,
    TypeNode,
    VariableDefinitionNode,
    Visitor,
    build_ast_schema,
    get_named_type,
    is_required_argument,
    parse,
    print_type,
    specified_directives,
    visit,
)
from graphql.utilities.print_schema import print_directive

__all__ = ["prune_schema"]


def _walk_inputs(schema: GraphQLSchema, name: str, keep: set[str]) -> None:
    named = schema.type_map.get(name)
    if named is None or name in keep:
        return
    keep.add(name)
    if isinstance(named, GraphQLInputObjectType):
        for field in named.fields.values():
            _walk_inputs(schema, get_named_type(field.type).name, keep)


_BUILT_IN_SCALARS = ("String", "Int", "Float", "Boolean", "ID")


def prune_schema(schema: GraphQLSchema, documents: Iterable[DocumentNode]) -> GraphQLSchema:
    """A schema with only what ``documents`` reach (see the module docstring).

    Composite types the operations only reach (``__typename``, type conditions,
    every possible type of a kept interface or union, which ariadne-codegen lists
    in ``__typename`` literals) keep one scalar field, as GraphQL requires; an
    interface's kept fields are kept on its implementations too.
    """
    fields: dict[str, set[str]] = {}  # composite type -> fields to keep
    keep: set[str] = set()
    directives: set[str] = set()
    type_info = TypeInfo(schema)

    def keep_composite(named: GraphQLNamedType | None) -> None:
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            keep.add(named.name)

    class Collector(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = type_info.get_parent_type()
            definition = type_info.get_field_def()
            if parent is None or definition is None:
                return
            keep.add(parent.name)
            if node.name.value.startswith("__"):
                return
            fields.setdefault(parent.name, set()).add(node.name.value)
            named = get_named_type(definition.type)
            keep_composite(named)
            _walk_inputs(schema, named.name, keep)
            for arg in definition.args.values():
                _walk_inputs(schema, get_named_type(arg.type).name, keep)

        def enter_inline_fragment(self, node: object, *_: object) -> None:
            keep_composite(get_named_type(type_info.get_type()))

        def enter_fragment_definition(self, node: object, *_: object) -> None:
            keep_composite(get_named_type(type_info.get_type()))

        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            directive = schema.get_directive(node.name.value)
            if directive is not None and directive not in specified_directives:
                directives.add(directive.name)
                for arg in directive.args.values():
                    _walk_inputs(schema, get_named_type(arg.type).name, keep)

        def enter_variable_definition(self, node: VariableDefinitionNode, *_: object) -> None:
            inner: TypeNode = node.type
            while isinstance(inner, ListTypeNode | NonNullTypeNode):
                inner = inner.type
            if isinstance(inner, NamedTypeNode):
                _walk_inputs(schema, inner.name.value, keep)

    for document in documents:
        visit(document, TypeInfoVisitor(type_info, Collector()))
    _complete_composites(schema, keep, fields)
    if schema.get_directive("idempotent") is not None:
        # the generator adds it to mutations that document it (.idempotency): it
        # decides from the schema it is given, so the pruned one keeps it
        directives.add("idempotent")

    roots = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }
    parts: list[str] = []
    for name in sorted(keep):
        named: GraphQLNamedType = schema.type_map[name]
        if isinstance(named, GraphQLScalarType) and name in _BUILT_IN_SCALARS:
            continue
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            chosen = {f: field for f, field in named.fields.items() if f in fields.get(name, ())}
            parts.append(print_type(_copy_composite(named, chosen, keep)))
        elif isinstance(named, GraphQLUnionType):
            members = [t for t in named.types if t.name in keep]
            parts.append(print_type(GraphQLUnionType(name, members, description=named.description)))
        else:
            parts.append(print_type(named))
    for directive_name in sorted(directives):
        directive = schema.get_directive(directive_name)
        assert directive is not None
        parts.append(print_directive(directive))
    schema_def = [
        f"  {op}: {root.name}"
        for op, root in roots.items()
        if root is not None and root.name in keep
    ]
    parts.append("schema {\n" + "\n".join(schema_def) + "\n}")
    return build_ast_schema(parse("\n\n".join(parts)), assume_valid=True)


def _complete_composites(
    schema: GraphQLSchema, keep: set[str], fields: dict[str, set[str]]
) -> None:
    """Give every kept composite type what a valid schema needs, until nothing changes."""
    changed = True
    while changed:
        changed = False
        for name in sorted(keep):
            named = schema.type_map[name]
            if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
                # ariadne-codegen lists every possible type in `__typename` literals.
                for possible in schema.get_possible_types(named):
                    if possible.name not in keep:
                        keep.add(possible.name)
                        changed = True
            if isinstance(named, GraphQLUnionType):
                continue
            if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                continue
            chosen = fields.setdefault(name, set())
            if not chosen:
                chosen.add(_minimal_field(named))
                changed = True
            for interface in named.interfaces:
                if interface.name in keep:
                    missing = fields.setdefault(interface.name, set()) - chosen
                    if missing:
                        chosen |= missing
                        changed = True
            for field_name in chosen:
                field = named.fields[field_name]
                for type_name in [get_named_type(field.type).name] + [
                    get_named_type(arg.type).name for arg in field.args.values()
                ]:
                    if type_name not in keep:
                        _walk_inputs(schema, type_name, keep)
                        keep_type = schema.type_map[type_name]
                        if isinstance(
                            keep_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
                        ):
                            keep.add(type_name)
                        changed = True


def _minimal_field(named: GraphQLObjectType | GraphQLInterfaceType) -> str:
    """A field to keep a type valid: a built-in scalar without required args if any."""

    def plain(field: GraphQLField) -> bool:
        return not any(is_required_argument(arg) for arg in field.args.values())

    for name, field in named.fields.items():
        if get_named_type(field.type).name in _BUILT_IN_SCALARS and plain(field):
            return str(name)
    return str(next(iter(named.fields)))


def _copy_composite(
    named: GraphQLObjectType | GraphQLInterfaceType, chosen: dict[str, GraphQLField], keep: set[str]
) -> GraphQLObjectType | GraphQLInterfaceType:
    interfaces = [i for i in named.interfaces if i.name in keep]
    if isinstance(named, GraphQLInterfaceType):
        return GraphQLInterfaceType(
            named.name, chosen, interfaces=interfaces, description=named.description
        )
    return GraphQLObjectType(
        named.name, chosen, interfaces=interfaces, description=named.description
    )
