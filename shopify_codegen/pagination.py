"""Generated pagination helpers: ``iter_<method>`` for every paginated query.

A query operation gets ``Client.iter_<method>`` (and the async twin on
``AsyncClient``) when it has an ``$after: String`` variable that feeds exactly one
field (the connection) whose selection holds ``pageInfo { hasNextPage endCursor }``
and either ``nodes`` or ``edges { node }``, reached from the root through plain
fields (not inside a fragment). The helper takes the method's arguments except
``after``, plus ``max_pages`` / ``max_items`` caps, and yields the connection's
items in order across all pages (``nodes`` if selected, else each
``edges[].node``), typed as the generated item model. The page loop is the
runtime's (``shopify_client._pages``): the helper only says how to fetch a page
and how to read one, so every bound on the walk (caps checked before the first
request, a repeated or missing cursor refused) holds for every connection shape.

An operation with ``$after`` that does not fit gets no helper; the reason is logged
at DEBUG (logger ``shopify_codegen``) and reported by ``generate --json``.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass

from graphql import (
    FieldNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
)

from shopify_client.toolkit import is_sensitive_key

__all__ = ["Plan", "forward_ref", "iterator_method", "plan_pagination"]

logger = logging.getLogger("shopify_codegen")

AFTER = "after"
CAPS = ("max_pages", "max_items")


@dataclass(frozen=True)
class Plan:
    """How to walk one operation's connection in its generated result models."""

    operation: str
    method: str  # the generated method, e.g. "products"
    module: str  # the result module, e.g. "products"
    connection: str  # the connection's response keys from the root, e.g. "collection.products"
    path: tuple[tuple[str, bool], ...]  # (attribute, may be None) from the result down
    page_info: tuple[str, str, str]  # attributes: pageInfo, hasNextPage, endCursor
    items: str  # attribute of the item list: nodes or edges
    items_optional: bool  # whether the list itself may be None
    entry_optional: bool  # whether list entries may be None (the edges, for edges)
    edge_node: str | None  # attribute of the node in an edge (edges only)
    item_class: str  # the item model's name in the result module
    item_optional: bool  # whether items (list entries, or edge nodes) may be None

    @property
    def helper(self) -> str:
        return f"iter_{self.method}"


def _fields(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    if selection_set is None:
        return []
    return [s for s in selection_set.selections if isinstance(s, FieldNode)]


def _key(field: FieldNode) -> str:
    return field.alias.value if field.alias else field.name.value


def _uses_after(field: FieldNode) -> bool:
    return any(
        isinstance(a.value, VariableNode) and a.value.name.value == AFTER
        for a in field.arguments or ()
    )


def _after_anywhere(node: ast.AST | object) -> int:
    """How many fields anywhere in the operation (fragments included) take ``$after``."""
    from graphql import visit
    from graphql.language import Visitor

    count = 0

    class Counter(Visitor):
        def enter_field(self, field: FieldNode, *_: object) -> None:
            nonlocal count
            count += _uses_after(field)

    visit(node, Counter())  # type: ignore[arg-type]
    return count


def _find_connection(
    selection_set: SelectionSetNode | None, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], FieldNode]]:
    found = []
    for field in _fields(selection_set):
        here = (*path, _key(field))
        if _uses_after(field):
            found.append((here, field))
        found.extend(_find_connection(field.selection_set, here))
    return found


# -- reading the generated models ------------------------------------------------------


def _classes(module: ast.Module) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in module.body if isinstance(n, ast.ClassDef)}


def _aliases(module: ast.Module) -> dict[str, str]:
    """``Name = Other`` bindings (ariadne-codegen binds fragment-only models so)."""
    out = {}
    for node in module.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Name)
        ):
            out[node.targets[0].id] = node.value.id
    return out


def _field(class_def: ast.ClassDef, key: str) -> ast.AnnAssign | None:
    """The model field for response key ``key`` (its alias, or its own name)."""
    for stmt in class_def.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        alias = None
        if isinstance(stmt.value, ast.Call):
            for keyword in stmt.value.keywords:
                if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                    alias = keyword.value.value
        if (alias or stmt.target.id) == key:
            return stmt
    return None


def forward_ref(node: ast.expr) -> str | None:
    """A class name as ariadne-codegen writes it: ``Name('"Cls"')``, or a string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return node.id.strip("\"'")
    return None


def _unwrap(annotation: ast.expr) -> tuple[str | None, bool, bool]:
    """(model name, optional, list) of a field annotation; name None if not one model."""
    optional = is_list = False
    node = annotation
    while isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        head = node.value.id
        if head == "Optional":
            optional = True
            node = node.slice
        elif head == "list" and not is_list:
            is_list = True
            node = node.slice
        else:
            return None, optional, is_list
    return forward_ref(node), optional, is_list


def _item_optional(annotation: ast.expr) -> bool:
    node = annotation
    while isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id == "list":
            inner = node.slice
            return (
                isinstance(inner, ast.Subscript)
                and isinstance(inner.value, ast.Name)
                and inner.value.id == "Optional"
            )
        node = node.slice
    return False


def plan_pagination(
    module: ast.Module, operation: OperationDefinitionNode, method: str, result_class: str
) -> Plan | str:
    """The pagination plan for ``operation``, or why it gets no helper."""
    name = operation.name.value if operation.name else method
    if operation.operation is not OperationType.QUERY:
        return "not a query"
    after = [v for v in operation.variable_definitions or () if v.variable.name.value == AFTER]
    if not after:
        return "no $after variable"
    if not (isinstance(after[0].type, NamedTypeNode) and after[0].type.name.value == "String"):
        return "$after is not a nullable String"
    if any(p in CAPS for p in (v.variable.name.value for v in operation.variable_definitions)):
        return f"a variable is named like a helper argument ({', '.join(CAPS)})"
    connections = _find_connection(operation.selection_set)
    total = _after_anywhere(operation)
    if not connections:
        return "no plain field takes $after (is it used inside a fragment?)"
    if total != 1 or len(connections) != 1:
        return f"$after is taken by several fields ({total}); exactly one plain field must take it"
    keys, connection = connections[0]
    selected = {_key(f): f for f in _fields(connection.selection_set)}
    page_info = selected.get("pageInfo")
    page_keys = {_key(f) for f in _fields(page_info.selection_set)} if page_info else set()
    if not {"hasNextPage", "endCursor"} <= page_keys:
        return f"{'.'.join(keys)} does not select pageInfo {{ hasNextPage endCursor }}"
    if "nodes" not in selected and "edges" not in selected:
        return f"{'.'.join(keys)} selects neither nodes nor edges"

    classes, aliases = _classes(module), _aliases(module)

    def model(class_name: str) -> ast.ClassDef | None:
        return classes.get(aliases.get(class_name, class_name))

    current = model(result_class)
    path: list[tuple[str, bool]] = []
    for key in keys:
        field = _field(current, key) if current else None
        if field is None or not isinstance(field.target, ast.Name):
            return f"no model field for {key!r} (an abstract type on the way?)"
        target, optional, is_list = _unwrap(field.annotation)
        if target is None or is_list:
            return f"{key!r} is a list or an abstract type on the way to the connection"
        path.append((field.target.id, optional))
        current = model(target)
    if current is None:
        return "the connection has no model of its own"
    info_field = _field(current, "pageInfo")
    info_model_name, info_optional, _ = (
        _unwrap(info_field.annotation) if info_field else (None, False, False)
    )
    info_model = model(info_model_name) if info_model_name else None
    has_next = _field(info_model, "hasNextPage") if info_model else None
    end_cursor = _field(info_model, "endCursor") if info_model else None
    if not (info_field and has_next and end_cursor):
        return "no model fields for pageInfo"
    if info_optional:
        return "pageInfo may be null: a page could not say whether another follows"
    assert isinstance(info_field.target, ast.Name)
    assert isinstance(has_next.target, ast.Name) and isinstance(end_cursor.target, ast.Name)
    page = (info_field.target.id, has_next.target.id, end_cursor.target.id)
    items_key = "nodes" if "nodes" in selected else "edges"
    items_field = _field(current, items_key)
    if items_field is None or not isinstance(items_field.target, ast.Name):
        return f"no model field for {items_key}"
    item_class, items_optional, is_list = _unwrap(items_field.annotation)
    if item_class is None or not is_list:
        return f"the items of {items_key} are not one model (an abstract type?)"
    entry_optional = item_optional = _item_optional(items_field.annotation)
    edge_node = None
    if items_key == "edges":
        edge_model = model(item_class)
        node_field = _field(edge_model, "node") if edge_model else None
        if node_field is None or not isinstance(node_field.target, ast.Name):
            return "edges do not select node"
        node_class, node_optional, node_list = _unwrap(node_field.annotation)
        if node_class is None or node_list:
            return "edges.node is not one model (an abstract type?)"
        edge_node, item_class, item_optional = node_field.target.id, node_class, node_optional
    return Plan(
        operation=name,
        method=method,
        module="",  # filled in by the caller, which knows the module's name
        connection=".".join(keys),
        path=tuple(path),
        page_info=page,
        items=items_field.target.id,
        items_optional=items_optional,
        entry_optional=entry_optional,
        edge_node=edge_node,
        item_class=item_class,
        item_optional=item_optional,
    )


# -- writing the helper ----------------------------------------------------------------


def iterator_method(
    plan: Plan, method_def: ast.FunctionDef | ast.AsyncFunctionDef
) -> ast.FunctionDef:
    """``iter_<method>`` beside ``method_def``, for its flavour (sync or async).

    The helper hands the runtime's page loop (``shopify_client._pages``, through the
    base client's ``_paginate``) two small functions: one fetching a page with
    ``after``, one reading a page's items, ``hasNextPage`` and ``endCursor``. The
    loop, its caps and its checks of the server's cursors are the runtime's, tested
    once for every connection shape; the helper itself is a plain function that
    checks its caps when called, before any request.
    """
    is_async = isinstance(method_def, ast.AsyncFunctionDef)
    args = [a for a in method_def.args.args if a.arg not in ("self", AFTER)]
    defaults = dict(
        zip(
            [a.arg for a in method_def.args.args][-len(method_def.args.defaults) :]
            if method_def.args.defaults
            else [],
            method_def.args.defaults,
            strict=True,
        )
    )
    params = ["self"]
    for arg in args:
        annotation = ast.unparse(arg.annotation) if arg.annotation else "Any"
        default = f" = {ast.unparse(defaults[arg.arg])}" if arg.arg in defaults else ""
        params.append(f"{arg.arg}: {annotation}{default}")
    params += ["*", "max_pages: Optional[int] = None", "max_items: Optional[int] = None"]
    params.append("**kwargs: Unpack[CallOptions]")
    # The closure's free variables are locals of its frame in a traceback: the call
    # options (per-call headers) and the sensitive arguments (a customer's token)
    # reach it in RedactedDicts, and the helper deletes its own copies.
    secret = [a.arg for a in args if is_sensitive_key(a.arg)]
    passed = ", ".join(f"{a.arg}={a.arg}" for a in args if a.arg not in secret)
    hidden = "**_call_arguments, " if secret else ""
    call = (
        f"self.{plan.method}({passed}{', ' if passed else ''}after=after, {hidden}**_call_options)"
    )
    held = [
        "    _call_options = RedactedDict(kwargs)",
        "    del kwargs",
    ]
    if secret:
        held += [
            "    _call_arguments = RedactedDict({"
            + ", ".join(f"{a!r}: {a}" for a in secret)
            + "})",
            f"    del {', '.join(secret)}",
        ]
    result = ast.unparse(method_def.returns) if method_def.returns else "Any"
    returns = f"{'AsyncIterator' if is_async else 'Iterator'}[{plan.item_class}]"
    page = f"Optional[tuple[list[{plan.item_class}], bool, Optional[str]]]"
    lines = [
        f"def {plan.helper}({', '.join(params)}) -> {returns}:",
        f'    """Every item of ``{plan.method}``, page after page: ``after`` is passed for you.',
        "",
        "    Stops on the last page, or after ``max_pages`` pages / ``max_items`` items",
        "    (checked now, before any request). A page that asks for a next one without",
        "    a new cursor raises InvalidResponseError (see shopify_client._pages).",
        '    """',
        *held,
        "",
        f"    {'async ' if is_async else ''}def fetch("
        f"after: Union[Optional[str], UnsetType]) -> {result}:",
        f"        return {'await ' if is_async else ''}{call}",
        "",
        f"    def read(result: {result}) -> {page}:",
    ]
    current = "result"
    for depth, (attribute, optional) in enumerate(plan.path):
        lines.append(f"        step{depth} = {current}.{attribute}")
        current = f"step{depth}"
        if optional:
            lines += [f"        if {current} is None:", "            return None"]
    entries = f"{current}.{plan.items}"
    if plan.items_optional:
        entries = f"({entries} or [])"
    item = f"entry.{plan.edge_node}" if plan.edge_node else "entry"
    conditions = []
    if plan.edge_node and plan.entry_optional:
        conditions.append("entry is not None")
    if plan.item_optional:
        conditions.append(f"{item} is not None")
    where = f" if {' and '.join(conditions)}" if conditions else ""
    listed = f"[{item} for entry in {entries}{where}]"
    if item == "entry" and not where:
        listed = f"list({entries})"
    lines += [
        f"        page_info = {current}.{plan.page_info[0]}",
        "        return (",
        f"            {listed},",
        f"            page_info.{plan.page_info[1]},",
        f"            page_info.{plan.page_info[2]},",
        "        )",
        "",
        f"    return self._paginate({plan.operation!r}, {plan.connection!r}, fetch, read, "
        "max_pages, max_items)",
    ]
    function = ast.parse("\n".join(lines)).body[0]
    assert isinstance(function, ast.FunctionDef)
    return function


def log_reason(api: str, operation: str, reason: str) -> None:
    logger.debug("%s %s: no pagination helper: %s", api, operation, reason)
