"""Idempotent mutations: the key Shopify applies once, added for the caller.

From Admin API 2026-01 some mutations accept the ``@idempotent(key: String!)``
directive, and from 2026-04 they fail at run time without it, although the schema
does not mark it required
(https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations).
The schema says which: the directive is "Only supported on mutations that explicitly
document idempotency support in their description", and each of those describes it
("As of 2026-04, the idempotency key is required and must be provided using the
`@idempotent` directive"). Older mutations take an ``idempotencyKey`` argument
(``appUsageRecordCreate``, ``orderCreateMandatePayment``) or an input field
(``subscriptionBillingAttemptCreate``'s ``SubscriptionBillingAttemptInput``).

For an operation of such a mutation, :func:`make_idempotent` rewrites the generated
method (from the schema of the package's own version, so a version without the
directive gets none):

* the document gets ``$idempotencyKey: String!`` and ``@idempotent(key:
  $idempotencyKey)`` on the field (or the ``idempotencyKey:`` argument), through
  graphql-core's AST, as Shopify's own examples write it, with a variable
  (https://shopify.dev/docs/api/admin-graphql/latest/mutations/locationDeactivate);
* the method takes ``idempotency_key: str | None = None``; None makes a fresh UUID4
  (``shopify_client.ensure_idempotency_key``), once per call, before the first
  attempt, so every retry resends the same key;
* it calls ``execute(..., idempotent=True)``: the runtime then retries a timeout or
  a dropped connection as it retries a query.

A key already in the operation is kept when it is a variable (its parameter becomes
``idempotency_key``); a literal key is refused, since every call would send it and
Shopify would answer each with the first call's answer. :func:`key_problems` names
what :func:`make_idempotent` would refuse, at the node, so that ``validate`` reports
it (file, line, column) before ``generate`` gets to it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from graphql import (
    ArgumentNode,
    DirectiveLocation,
    DirectiveNode,
    FieldNode,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLSchema,
    NamedTypeNode,
    NameNode,
    Node,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
    parse,
    print_ast,
)

from .errors import GenerationError

__all__ = [
    "KEY_PARAMETER",
    "KeyProblem",
    "Support",
    "key_problems",
    "make_idempotent",
    "support_of",
]

#: the generated method's parameter
KEY_PARAMETER = "idempotency_key"
#: the variable the generator adds
KEY_VARIABLE = "idempotencyKey"
DIRECTIVE = "idempotent"
ARGUMENT = "idempotencyKey"

Via = Literal["directive", "argument", "input"]


@dataclass(frozen=True)
class Support:
    """How a mutation field takes its key: the directive, its own ``idempotencyKey``
    argument, or a field of an input argument (``input`` names that argument)."""

    via: Via
    input: str | None = None


def _takes_directive(schema: GraphQLSchema) -> bool:
    directive = schema.get_directive(DIRECTIVE)
    return (
        directive is not None
        and "key" in directive.args
        and DirectiveLocation.FIELD in directive.locations
    )


def support_of(schema: GraphQLSchema, field: GraphQLField) -> Support | None:
    """Whether (and how) ``field``, a mutation field of ``schema``, takes a key."""
    if _takes_directive(schema) and f"@{DIRECTIVE}" in (field.description or ""):
        return Support("directive")
    if ARGUMENT in field.args:
        return Support("argument")
    for name, argument in field.args.items():
        named = get_named_type(argument.type)
        if isinstance(named, GraphQLInputObjectType) and ARGUMENT in named.fields:
            return Support("input", input=name)
    return None


@dataclass(frozen=True)
class KeyProblem:
    """Something :func:`make_idempotent` would refuse, at the node that causes it."""

    node: Node
    message: str


def _keyed(
    operation: OperationDefinitionNode, schema: GraphQLSchema
) -> list[tuple[FieldNode, Support]]:
    """The root fields of ``operation`` that take a key, and how."""
    if operation.operation != OperationType.MUTATION or schema.mutation_type is None:
        return []
    fields = schema.mutation_type.fields
    return [
        (selection, support)
        for selection in operation.selection_set.selections
        if isinstance(selection, FieldNode)
        and selection.name.value in fields
        and (support := support_of(schema, fields[selection.name.value])) is not None
    ]


def _several_message(name: str, keyed: list[tuple[FieldNode, Support]]) -> str:
    return (
        f"{name}: {', '.join(f.name.value for f, _ in keyed)} each take an idempotency "
        "key; put each in an operation of its own (one key per call)"
    )


def _key_value(field: FieldNode, via: Via) -> tuple[ValueNode | None, str]:
    """The key the field already gives (a variable or a literal), and where it sits."""
    if via == "directive":
        found = next((d for d in field.directives or () if d.name.value == DIRECTIVE), None)
        value = next(
            (a.value for a in (found.arguments if found else ()) if a.name.value == "key"), None
        )
        return value, f"@{DIRECTIVE}(key:)"
    value = next((a.value for a in field.arguments or () if a.name.value == ARGUMENT), None)
    return value, f"{ARGUMENT}:"


def _literal_message(name: str, field: FieldNode, where: str) -> str:
    return (
        f"{name}: {field.name.value} has a literal {where} key: every call would send it, "
        "and Shopify answers a repeated key with the first call's answer. Leave the key "
        "out (the generated method adds one per call) or pass it as a variable"
    )


def _taken_message(name: str) -> str:
    return (
        f"{name}: a variable already takes the parameter name {KEY_PARAMETER!r}; "
        "rename it so the idempotency key can have it"
    )


def key_problems(operation: OperationDefinitionNode, schema: GraphQLSchema) -> list[KeyProblem]:
    """What :func:`make_idempotent` would refuse in ``operation`` (a plain operation,
    not a bulk one), each at its node: two keyed fields, a literal key, a variable
    whose parameter would be ``idempotency_key`` besides the key's."""
    from ariadne_codegen.utils import str_to_snake_case

    keyed = _keyed(operation, schema)
    name = operation.name.value if operation.name else "the operation"
    if len(keyed) > 1:
        return [KeyProblem(keyed[1][0], _several_message(name, keyed))]
    if not keyed or keyed[0][1].via == "input":
        return []
    field, support = keyed[0]
    value, where = _key_value(field, support.via)
    if value is not None and not isinstance(value, VariableNode):
        return [KeyProblem(value, _literal_message(name, field, where))]
    key_variable = value.name.value if isinstance(value, VariableNode) else None
    return [
        KeyProblem(definition, _taken_message(name))
        for definition in operation.variable_definitions or ()
        if definition.variable.name.value != key_variable
        and str(str_to_snake_case(definition.variable.name.value)) == KEY_PARAMETER
    ]


def make_idempotent(
    method_def: ast.FunctionDef | ast.AsyncFunctionDef,
    operation: OperationDefinitionNode,
    schema: GraphQLSchema,
) -> bool:
    """Rewrite the generated method of ``operation`` if it is an idempotent mutation
    (see the module docstring). Returns whether it is one."""
    name = operation.name.value if operation.name else "the operation"
    keyed = _keyed(operation, schema)
    if not keyed:
        return False
    if len(keyed) > 1:
        raise GenerationError(_several_message(name, keyed))
    field, support = keyed[0]
    if support.via == "input":
        # The key is a required field of the caller's input (String!): every call
        # carries one, and each retry resends it.
        _mark_execute(method_def)
        return True
    gql_call, text = _document(method_def, name)
    document = parse(text)
    definition = next(
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.name and d.name.value == name
    )
    target = next(
        f
        for f in definition.selection_set.selections
        if isinstance(f, FieldNode) and f.name.value == field.name.value
    )
    existing = _existing_key(target, support.via, name)
    if existing is None:
        variable = _free_variable(definition)
        _add_variable(definition, variable)
        _add_key(target, support.via, variable)
        _add_parameter(method_def, variable, name)
        lines = [ast.Constant(value=line + "\n") for line in print_ast(document).splitlines()]
        # the shape ariadne-codegen writes (a list of lines), which its printer unparses
        gql_call.args = [lines]  # type: ignore[list-item]
    else:
        _take_over_parameter(method_def, existing, name)
    _mark_execute(method_def)
    return True


# -- the document ----------------------------------------------------------------------


def _document(
    method_def: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> tuple[ast.Call, str]:
    """The ``gql(...)`` call of the method and the document it holds (ariadne-codegen
    passes it a list of one constant a line)."""
    for node in ast.walk(method_def):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "gql":
            parts: list[str] = []
            for arg in node.args:
                items = arg if isinstance(arg, list) else [arg]
                parts += [str(c.value) for c in items if isinstance(c, ast.Constant)]
            return node, "".join(parts)
    raise GenerationError(f"{name}: no gql(...) document in its generated method")


def _existing_key(field: FieldNode, via: Via, name: str) -> str | None:
    """The variable already holding the key, if the operation gives one."""
    value, where = _key_value(field, via)
    if value is None:
        return None
    if isinstance(value, VariableNode):
        return value.name.value
    raise GenerationError(_literal_message(name, field, where))


def _free_variable(definition: OperationDefinitionNode) -> str:
    taken = {v.variable.name.value for v in definition.variable_definitions or ()}
    variable = KEY_VARIABLE
    while variable in taken:
        variable += "_"
    return variable


def _add_variable(definition: OperationDefinitionNode, variable: str) -> None:
    definition.variable_definitions = (
        *(definition.variable_definitions or ()),
        VariableDefinitionNode(
            variable=VariableNode(name=NameNode(value=variable)),
            type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="String"))),
            directives=(),
        ),
    )


def _add_key(field: FieldNode, via: Via, variable: str) -> None:
    value = VariableNode(name=NameNode(value=variable))
    if via == "directive":
        field.directives = (
            *(field.directives or ()),
            DirectiveNode(
                name=NameNode(value=DIRECTIVE),
                arguments=(ArgumentNode(name=NameNode(value="key"), value=value),),
            ),
        )
    else:
        field.arguments = (
            *(field.arguments or ()),
            ArgumentNode(name=NameNode(value=ARGUMENT), value=value),
        )


# -- the method --------------------------------------------------------------------------


def _key_annotation() -> ast.expr:
    return ast.BinOp(
        left=ast.Name(id="str", ctx=ast.Load()),
        op=ast.BitOr(),
        right=ast.Constant(value=None),
    )


def _variables_dict(method_def: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> ast.Dict:
    for node in ast.walk(method_def):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "variables"
            and isinstance(node.value, ast.Dict)
        ):
            return node.value
    raise GenerationError(f"{name}: no variables dict in its generated method")


def _insert_check(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """``idempotency_key = ensure_idempotency_key(idempotency_key)`` before the
    variables are built: checked, or a fresh key, once per call."""
    at = next(
        i
        for i, stmt in enumerate(method_def.body)
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and stmt.target.id == "variables"
    )
    method_def.body.insert(
        at,
        ast.Assign(
            targets=[ast.Name(id=KEY_PARAMETER, ctx=ast.Store())],
            value=ast.Call(
                func=ast.Name(id="ensure_idempotency_key", ctx=ast.Load()),
                args=[ast.Name(id=KEY_PARAMETER, ctx=ast.Load())],
                keywords=[],
            ),
            lineno=0,
        ),
    )


def _append_parameter(method_def: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> None:
    args = method_def.args
    if any(a.arg == KEY_PARAMETER for a in (*args.args, *args.kwonlyargs)):
        raise GenerationError(_taken_message(name))
    args.args.append(ast.arg(arg=KEY_PARAMETER, annotation=_key_annotation()))
    args.defaults.append(ast.Constant(value=None))


def _add_parameter(
    method_def: ast.FunctionDef | ast.AsyncFunctionDef, variable: str, name: str
) -> None:
    _append_parameter(method_def, name)
    variables = _variables_dict(method_def, name)
    variables.keys.append(ast.Constant(value=variable))
    variables.values.append(ast.Name(id=KEY_PARAMETER, ctx=ast.Load()))
    _insert_check(method_def)


def _take_over_parameter(
    method_def: ast.FunctionDef | ast.AsyncFunctionDef, variable: str, name: str
) -> None:
    """The operation's own key variable: its parameter becomes ``idempotency_key:
    str | None = None`` (last of the positional ones, as it now has a default)."""
    from ariadne_codegen.utils import str_to_snake_case

    old = str(str_to_snake_case(variable))
    args = method_def.args
    index = next((i for i, a in enumerate(args.args) if a.arg == old), None)
    if index is None:
        raise GenerationError(f"{name}: no parameter {old!r} for ${variable}")
    first_default = len(args.args) - len(args.defaults)
    del args.args[index]
    if index >= first_default:
        del args.defaults[index - first_default]
    _append_parameter(method_def, name)
    variables = _variables_dict(method_def, name)
    for key, value in zip(variables.keys, variables.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == variable and isinstance(value, ast.Name):
            value.id = KEY_PARAMETER
    _insert_check(method_def)


def _mark_execute(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """``self.execute(...)`` -> ``self.execute(..., idempotent=True)``."""
    for node in ast.walk(method_def):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "execute"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
            and not any(k.arg == "idempotent" for k in node.keywords)
        ):
            at = next((i for i, k in enumerate(node.keywords) if k.arg is None), None)
            keyword = ast.keyword(arg="idempotent", value=ast.Constant(value=True))
            node.keywords.insert(len(node.keywords) if at is None else at, keyword)
