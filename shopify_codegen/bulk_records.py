"""The records of a bulk query: ``<Op>Record`` classes appended to the operation's module.

Each record is the root node's model with each connection a list of its child models
(copied fields, not inherited: a list field cannot override the connection model's
field for a type checker). Connections selected through a named fragment live in
ariadne-codegen's fragments module: :func:`record_classes` reads its classes when
given, and raises :class:`NeedsFragmentClasses` when they are needed first.
"""

from __future__ import annotations

import ast

from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode

from .bulk import BulkConnectionPlan, plan_bulk, record_name

__all__ = ["NeedsFragmentClasses", "record_classes"]


class NeedsFragmentClasses(Exception):
    """The records' classes need the fragments module's classes (a connection selected
    through a named fragment): build them once that module exists."""


def _class_name(expr: ast.expr | None) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name):  # ariadne-codegen writes forward refs as quoted names
        return expr.id.strip("'\"")
    if isinstance(expr, ast.Subscript):
        return _class_name(expr.slice)
    return None


class _Classes:
    """The model classes the records are built from: the operation module's, those of
    the fragments module (when given), and the names bound to them
    (``OpNode = FragmentClass``: ariadne-codegen's alias for a node that only spreads
    one fragment)."""

    def __init__(self, module: ast.Module, fragments: ast.Module | None) -> None:
        self.complete = fragments is not None
        self.defs: dict[str, ast.ClassDef] = {}
        self.aliases: dict[str, str] = {}
        self.foreign: set[str] = set()  # the fragments module's
        for source in (fragments, module):
            if source is None:
                continue
            for statement in source.body:
                if isinstance(statement, ast.ClassDef):
                    self.defs[statement.name] = statement
                    if source is fragments:
                        self.foreign.add(statement.name)
                elif (
                    isinstance(statement, ast.Assign)
                    and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)
                    and isinstance(statement.value, ast.Name)
                ):
                    self.aliases[statement.targets[0].id] = statement.value.id

    def get(self, name: str | None) -> ast.ClassDef | None:
        seen = set()
        while name is not None and name in self.aliases and name not in seen:
            seen.add(name)
            name = self.aliases[name]
        if name is None:
            return None
        found = self.defs.get(name)
        if found is None and not self.complete and name[:1].isupper():
            # a name this module imports from the fragments module
            raise NeedsFragmentClasses(name)
        return found

    def chain(self, class_def: ast.ClassDef) -> list[ast.ClassDef]:
        """``class_def`` and the generated classes it inherits from, bases first."""
        out: list[ast.ClassDef] = []
        for base in class_def.bases:
            name = _class_name(base)
            if name in ("BaseModel", None):
                continue
            parent = self.get(name)
            if parent is not None:
                out.extend(c for c in self.chain(parent) if c not in out)
        out.append(class_def)
        return out

    def field(self, class_def: ast.ClassDef, key: str) -> ast.AnnAssign | None:
        for owner in reversed(self.chain(class_def)):
            found = _field(owner, key)
            if found is not None:
                return found
        return None


def _field(class_def: ast.ClassDef, key: str) -> ast.AnnAssign | None:
    for statement in class_def.body:
        if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
            continue
        aliases = {statement.target.id}
        if isinstance(statement.value, ast.Call):
            aliases.update(
                str(k.value.value)
                for k in statement.value.keywords
                if k.arg in ("alias", "validation_alias") and isinstance(k.value, ast.Constant)
            )
        if key in aliases:
            return statement
    return None


def _node_annotation(classes: _Classes, connection_class: str) -> ast.expr | None:
    """The annotation of a connection's node, through ``edges { node }`` or ``nodes``."""
    connection = classes.get(connection_class)
    if connection is None:
        return None
    nodes = classes.field(connection, "nodes")
    if nodes is not None and isinstance(nodes.annotation, ast.Subscript):
        return nodes.annotation.slice
    edges = classes.field(connection, "edges")
    edge = classes.get(_class_name(edges.annotation)) if edges is not None else None
    node = classes.field(edge, "node") if edge is not None else None
    return node.annotation if node is not None else None


def _names_in(expr: ast.expr) -> set[str]:
    """The class names an annotation refers to (quoted or not)."""
    names = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            names.add(node.id.strip("'\""))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
    return names


def record_classes(
    module: ast.Module,
    operation: OperationDefinitionNode,
    schema: GraphQLSchema,
    fragments: dict[str, FragmentDefinitionNode] | None = None,
    fragments_module: ast.Module | None = None,
    fragments_module_name: str = "fragments",
) -> ast.Module:
    """Append ``<Op>Record`` (and a record class per node with connections).

    ``fragments``: the named fragments the operation may spread (its connections may
    sit in them); ``fragments_module``: ariadne-codegen's fragments module, needed
    when a node's model or connection comes from a fragment (else
    :class:`NeedsFragmentClasses` is raised: call again once it exists)."""
    plan, _ = plan_bulk(operation, fragments or {}, schema)  # the rules: checked by validate
    if plan is None:
        return module
    classes = _Classes(module, fragments_module)
    top = classes.get(operation.name.value if operation.name else "")
    if top is None:
        return module
    root_field = classes.field(top, plan.key)
    root_node = _node_annotation(
        classes, _class_name(root_field.annotation if root_field else None) or ""
    )
    new: list[ast.stmt] = []
    imported: set[str] = set()  # the fragments module's classes the records name

    def uses(expr: ast.expr) -> None:
        imported.update(n for n in _names_in(expr) if n in classes.foreign)

    def build(plan: BulkConnectionPlan, node_annotation: ast.expr, name: str) -> ast.expr:
        if not plan.children:
            uses(node_annotation)
            return node_annotation
        base = classes.get(_class_name(node_annotation))
        if base is None:
            raise ValueError(f"bulk records: no model for the nodes of '{plan.key}'")
        # the node's fields, copied (not inherited: a list field cannot override the
        # connection model's field for a type checker), its connections as lists
        body: list[ast.stmt] = [
            ast.Expr(
                value=ast.Constant(value=f"One node of '{plan.key}', its connections as lists.")
            )
        ]
        replaced: dict[str, ast.stmt] = {}
        owners = classes.chain(base)
        # a connection selected through a fragment is a field of a base class: then
        # every field of the chain is copied and the record inherits none of them
        flatten = any(_field(base, child.key) is None for child in plan.children)
        for child in plan.children:
            original = classes.field(base, child.key)
            assert original is not None and isinstance(original.target, ast.Name)
            child_node = _node_annotation(classes, _class_name(original.annotation) or "")
            assert child_node is not None
            inner = build(child, child_node, f"{name}{child.key[0].upper()}{child.key[1:]}")
            replaced[original.target.id] = ast.AnnAssign(
                target=ast.Name(id=original.target.id, ctx=ast.Store()),
                annotation=ast.Subscript(
                    value=ast.Name(id="list", ctx=ast.Load()), slice=inner, ctx=ast.Load()
                ),
                value=original.value,
                simple=1,
            )
        copied: dict[str, ast.stmt] = {}
        for owner in owners if flatten else [base]:
            for statement in owner.body:
                target = statement.target if isinstance(statement, ast.AnnAssign) else None
                if isinstance(target, ast.Name) and target.id in replaced:
                    copied[target.id] = replaced[target.id]
                elif isinstance(target, ast.Name):
                    assert isinstance(statement, ast.AnnAssign)
                    uses(statement.annotation)
                    copied[target.id] = statement
                elif not isinstance(statement, ast.Expr):  # not a docstring
                    copied[f"#{len(copied)}"] = statement
        body.extend(copied.values())
        bases: list[ast.expr] = (
            [ast.Name(id="BaseModel", ctx=ast.Load())] if flatten else list(base.bases)
        )
        if not flatten:
            for expr in bases:
                uses(expr)
        new.append(ast.ClassDef(name=name, bases=bases, keywords=[], body=body, decorator_list=[]))
        return ast.Constant(value=name)

    if root_node is None:
        raise ValueError(f"bulk records: no model for the nodes of '{plan.key}'")
    root = build(plan, root_node, record_name(operation))
    if not plan.children:  # no nested connection: the record is the node model itself
        base_name = _class_name(root)
        new.append(
            ast.ClassDef(
                name=record_name(operation),
                bases=[ast.Name(id=str(base_name), ctx=ast.Load())],
                keywords=[],
                body=[ast.Expr(value=ast.Constant(value="One root node of the bulk query."))],
                decorator_list=[],
            )
        )
    present = {
        alias.asname or alias.name
        for statement in module.body
        if isinstance(statement, ast.ImportFrom)
        for alias in statement.names
    }
    wanted = sorted(imported - present)
    section = _import_position(module)
    if wanted:
        module.body.insert(
            section,
            ast.ImportFrom(
                module=fragments_module_name, names=[ast.alias(name=n) for n in wanted], level=1
            ),
        )
    if "BaseModel" not in present and any(
        isinstance(b, ast.Name) and b.id == "BaseModel"
        for c in new
        if isinstance(c, ast.ClassDef)
        for b in c.bases
    ):
        module.body.insert(
            section,
            ast.ImportFrom(module="base_model", names=[ast.alias(name="BaseModel")], level=1),
        )
    # children first: a record class names its children's classes (quoted anyway)
    module.body.extend(reversed(new))
    ast.fix_missing_locations(module)
    return module


def _import_position(module: ast.Module) -> int:
    """After the module's imports."""
    position = 0
    for index, statement in enumerate(module.body):
        if isinstance(statement, ast.Import | ast.ImportFrom):
            position = index + 1
    return position
