"""The ariadne-codegen plugin that fits generated packages to the Shopify runtime.

ariadne-codegen runs it (``plugins`` in codegen.toml) for every package it writes.
It reads its own settings from the ``[tool.shopify-codegen]`` section that
:mod:`shopify_codegen.generate` puts in the config it hands to ariadne-codegen:

* enums derive from :class:`shopify_client.ShopifyEnum`, so values Shopify adds
  later parse instead of failing;
* each client method passes its operation's type to ``execute`` (the runtime need
  not scan the document to tell a mutation, which is never retried once sent);
* a mutation that takes an idempotency key (``@idempotent(key:)`` or an
  ``idempotencyKey`` argument, per the schema of the package's version) gets it
  added to its document and an ``idempotency_key=`` parameter, and tells
  ``execute`` it is ``idempotent`` (retried like a query; see
  :mod:`shopify_codegen.idempotency`);
* each client method validates through ``self.parse_result`` (a misfit becomes a
  typed ``InvalidResponseError`` naming the path, never a bare ``ValidationError``);
* client classes carry ``api_version``, the package ``__init__`` exports
  ``API``, ``API_VERSION`` and (for the sync run, the last) ``AsyncClient``;
* a client method's locals show no secret in a traceback: its variables and call
  options are ``RedactedDict``s, its sensitive arguments are deleted once in them
  (see :mod:`shopify_codegen.hidden_locals`);
* fields that hold secrets (tokens, passwords) are left out of model reprs, and
  no model shows its input in a validation error (``hide_input_in_errors``);
* every package's ``UNSET`` is :data:`shopify_client.UNSET`, which the runtime
  leaves out of requests (an optional variable the caller did not pass);
* a union or interface member the generated code does not know (Shopify adds
  them inside published versions) parses into the fallback model named after the
  abstract type, which carries ``__typename`` and the fields selected on the
  abstract type itself (see :func:`tolerate_new_members`);
* a package's import loads its clients, and each operation's models on first use
  (see :mod:`shopify_codegen.lazy`).
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from typing import Any

from ariadne_codegen.plugins.base import Plugin
from graphql import (
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLSchema,
    OperationDefinitionNode,
    is_abstract_type,
    is_union_type,
)

from shopify_client.toolkit import is_sensitive_key

from . import bulk, bulk_mutation
from .hidden_locals import hide_locals
from .idempotency import make_idempotent
from .lazy import defer_client_imports, defer_init_imports
from .pagination import Plan, forward_ref, iterator_method, log_reason, plan_pagination

SECTION = "shopify-codegen"

#: API -> operation -> the pagination helper generated for it, or why none was; filled
#: during generation, read (and cleared) by shopify_codegen.generate
PAGINATION: dict[str, dict[str, str]] = {}


class ShopifyPlugin(Plugin):
    def _settings(self) -> dict[str, Any]:
        section = self.config_dict.get("tool", {}).get(SECTION, {})
        if not {"api", "version"} <= set(section):
            raise ValueError(f"[tool.{SECTION}] needs 'api' and 'version' (set by shopify-codegen)")
        return dict(section)

    # -- bulk queries (see .bulk) -----------------------------------------------------

    def _bulk_names(self) -> frozenset[str]:
        return frozenset(self._settings().get("bulk", ()))

    def _bulk_records(self) -> list[tuple[str, str]]:
        from ariadne_codegen.utils import str_to_pascal_case, str_to_snake_case

        return [
            (str(str_to_snake_case(n)), f"{str_to_pascal_case(n)}Record")
            for n in sorted(self._bulk_names())
        ]

    def _bulk_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
        start, *extra = bulk.bulk_methods(
            method_def,
            operation_definition,
            self.schema,
            bool(self._settings().get("bulk_group_objects")),
        )
        self._bulk_extra = [*getattr(self, "_bulk_extra", []), *extra]
        assert isinstance(start, ast.FunctionDef | ast.AsyncFunctionDef)
        return start

    def _bulk_mutation_names(self) -> frozenset[str]:
        return frozenset(self._settings().get("bulk_mutations", ()))

    def _bulk_extra_methods(self) -> list[ast.stmt]:
        extra: list[ast.stmt] = getattr(self, "_bulk_extra", [])
        self._bulk_extra = []
        return extra

    # -- enums ----------------------------------------------------------------------

    def generate_enums_module(self, module: ast.Module) -> ast.Module:
        module.body.insert(
            0,
            ast.ImportFrom(module="shopify_client", names=[ast.alias(name="ShopifyEnum")], level=0),
        )
        return module

    def generate_enum(self, class_def: ast.ClassDef, enum_type: GraphQLEnumType) -> ast.ClassDef:
        class_def.bases = [ast.Name(id="ShopifyEnum", ctx=ast.Load())]
        return class_def

    # -- client ---------------------------------------------------------------------

    def generate_client_class(self, class_def: ast.ClassDef) -> ast.ClassDef:
        settings = self._settings()
        doc = ast.Expr(
            value=ast.Constant(
                value=(
                    f"Shopify {settings['api'].title()} API {settings['version']} client, "
                    f"generated from {settings.get('queries', 'the operations')}."
                )
            )
        )
        version = ast.Assign(
            targets=[ast.Name(id="api_version", ctx=ast.Store())],
            value=ast.Constant(value=settings["version"]),
            lineno=0,
        )
        plans: dict[str, Plan] = getattr(self, "_plans", {})
        helpers: list[ast.stmt] = [
            iterator_method(plans[method.name], method)
            for method in class_def.body
            if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) and method.name in plans
        ]
        class_def.body = [doc, version, *class_def.body, *helpers, *self._bulk_extra_methods()]
        return class_def

    def generate_client_module(self, module: ast.Module) -> ast.Module:
        # ruff (run by ariadne-codegen on the client) drops what is left unused
        module.body[0:0] = [
            ast.ImportFrom(module="typing", names=[ast.alias(name="Unpack")], level=0),
            ast.ImportFrom(module="base_model", names=[ast.alias(name="CallOptions")], level=1),
            ast.ImportFrom(
                module="shopify_client",
                names=[ast.alias(name="RedactedDict"), ast.alias(name="ensure_idempotency_key")],
                level=0,
            ),
        ]
        if self._bulk_names():  # the bulk methods' annotations (see .bulk), after the imports
            at = next(
                i
                for i, n in enumerate(module.body)
                if not isinstance(n, ast.ImportFrom | ast.Import)
            )
            module.body.insert(at, bulk.TYPE_IMPORTS(self._bulk_records()))
        if self._bulk_mutation_names():  # see .bulk_mutation
            at = next(
                i
                for i, n in enumerate(module.body)
                if not isinstance(n, ast.ImportFrom | ast.Import)
            )
            module.body.insert(at, bulk_mutation.type_imports(sorted(self._bulk_mutation_names())))
        plans: dict[str, Plan] = getattr(self, "_plans", {})
        if not plans:
            return defer_client_imports(module)
        # ruff (run by ariadne-codegen on the client) drops what one flavour leaves unused
        imports: list[ast.stmt] = [
            ast.ImportFrom(
                module="collections.abc",
                names=[ast.alias(name="AsyncIterator"), ast.alias(name="Iterator")],
                level=0,
            ),
            ast.ImportFrom(
                module="typing",
                names=[ast.alias(name=n) for n in ("Any", "Optional", "Union")],
                level=0,
            ),
            ast.ImportFrom(
                module="base_model",
                names=[ast.alias(name="UNSET"), ast.alias(name="UnsetType")],
                level=1,
            ),
        ]
        for plan in sorted(plans.values(), key=lambda p: p.module):
            imports.append(
                ast.ImportFrom(module=plan.module, names=[ast.alias(name=plan.item_class)], level=1)
            )
        module.body[0:0] = imports
        return defer_client_imports(module)

    def generate_client_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
        if operation_definition.name and operation_definition.name.value in self._bulk_names():
            return self._bulk_method(method_def, operation_definition)
        if (
            operation_definition.name
            and operation_definition.name.value in self._bulk_mutation_names()
        ):
            start, *extra = bulk_mutation.bulk_mutation_methods(method_def, operation_definition)
            self._bulk_extra = [*getattr(self, "_bulk_extra", []), *extra]
            assert isinstance(start, ast.FunctionDef | ast.AsyncFunctionDef)
            return start
        _type_call_options(method_def)
        _pass_operation_type(method_def, operation_definition.operation.value)
        make_idempotent(method_def, operation_definition, self.schema)
        hide_locals(method_def)
        _ParseResultRewriter().visit(method_def)
        ast.fix_missing_locations(method_def)
        return method_def

    # -- package __init__ -----------------------------------------------------------

    def generate_init_module(self, module: ast.Module) -> ast.Module:
        settings = self._settings()
        section = self.config_dict.get("tool", {}).get("ariadne-codegen", {})
        exported = ["API", "API_VERSION"]
        if not section.get("async_client", True):
            last_import = max(
                (i for i, node in enumerate(module.body) if isinstance(node, ast.ImportFrom)),
                default=-1,
            )
            module.body.insert(
                last_import + 1,
                ast.ImportFrom(
                    module="async_client", names=[ast.alias(name="AsyncClient")], level=1
                ),
            )
            exported.append("AsyncClient")
        module.body.append(
            ast.Assign(
                targets=[ast.Name(id="API", ctx=ast.Store())],
                value=ast.Constant(value=settings["api"]),
                lineno=0,
            )
        )
        module.body.append(
            ast.Assign(
                targets=[ast.Name(id="API_VERSION", ctx=ast.Store())],
                value=ast.Constant(value=settings["version"]),
                lineno=0,
            )
        )
        for module_name, names in sorted(getattr(self, "_fallbacks", {}).items()):
            exported.extend(names)
            existing = next(
                (
                    n
                    for n in module.body
                    if isinstance(n, ast.ImportFrom) and n.module == module_name and n.level == 1
                ),
                None,
            )
            if existing is not None:
                existing.names.extend(ast.alias(name=n) for n in names)
                existing.names.sort(key=lambda alias: alias.name)
            else:
                module.body.insert(
                    0,
                    ast.ImportFrom(
                        module=module_name, names=[ast.alias(name=n) for n in names], level=1
                    ),
                )
        for node in module.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "__all__"
                and isinstance(node.value, ast.List)
            ):
                names = {str(e.value) for e in node.value.elts if isinstance(e, ast.Constant)}
                names.update(exported)
                node.value.elts = [ast.Constant(value=n) for n in sorted(names)]
        return defer_init_imports(module)

    # -- the copied base model: one UNSET, no input in errors ------------------------

    def copy_code(self, copied_code: str) -> str:
        if "class UnsetType" not in copied_code:
            return copied_code
        return _rewrite_base_model(copied_code)

    # -- secrets out of reprs; unions that tolerate new members -----------------------

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        return _aliases_for_type_checkers(_import_field(module))

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: ExecutableDefinitionNode
    ) -> ast.Module:
        from ariadne_codegen.utils import str_to_pascal_case, str_to_snake_case

        name = operation_definition.name.value if operation_definition.name else ""
        module_name = str(str_to_snake_case(name))
        if isinstance(operation_definition, OperationDefinitionNode) and any(
            v.variable.name.value == "after" for v in operation_definition.variable_definitions
        ):
            plan = plan_pagination(
                module, operation_definition, module_name, str(str_to_pascal_case(name))
            )
            report = PAGINATION.setdefault(self._settings()["api"], {})
            if isinstance(plan, Plan):
                self._plans = {
                    **getattr(self, "_plans", {}),
                    plan.method: dataclasses.replace(plan, module=module_name),
                }
                report[name] = plan.helper
            else:
                log_reason(self._settings()["api"], name, plan)
                report[name] = f"no helper: {plan}"
        module = self._tolerant(module, module_name)
        if name in self._bulk_names() and isinstance(operation_definition, OperationDefinitionNode):
            fragments = self._bulk_fragments()
            # the record classes are exported from the package __init__, as the
            # models are (written there whether they are built now or deferred)
            self._export(module_name, [bulk.record_name(operation_definition)])
            try:
                before = _class_names(module)
                module = bulk.record_classes(module, operation_definition, self.schema, fragments)
                self._export(module_name, sorted(_class_names(module) - before))
            except bulk.NeedsFragmentClasses:
                # a connection through a named fragment: its classes are in the
                # fragments module, built later (before any module is written)
                self._bulk_deferred = [
                    *getattr(self, "_bulk_deferred", []),
                    (module, operation_definition, module_name),
                ]
        if name in self._bulk_mutation_names() and isinstance(
            operation_definition, OperationDefinitionNode
        ):
            module = bulk_mutation.variables_class(
                module, operation_definition, self.schema, self.config_dict
            )
            self._export(module_name, [bulk_mutation.variables_name(operation_definition)])
        return module

    def _export(self, module_name: str, names: list[str]) -> None:
        """``names`` of ``module_name`` exported from the package ``__init__`` as the
        models are."""
        fallbacks = getattr(self, "_fallbacks", {})
        self._fallbacks = {
            **fallbacks,
            module_name: list(dict.fromkeys([*fallbacks.get(module_name, []), *names])),
        }

    def _bulk_fragments(self) -> dict[str, FragmentDefinitionNode]:
        """Every named fragment of the queries folder (a bulk query may spread any)."""
        cached: dict[str, FragmentDefinitionNode] | None = getattr(self, "_fragments", None)
        if cached is None:
            from pathlib import Path

            from graphql import parse

            section = self.config_dict.get("tool", {}).get("ariadne-codegen", {})
            cached = {}
            for path in sorted(Path(str(section.get("queries_path", "."))).rglob("*.graphql")):
                for definition in parse(path.read_text(encoding="utf-8")).definitions:
                    if isinstance(definition, FragmentDefinitionNode):
                        cached[definition.name.value] = definition
            self._fragments = cached
        return cached

    def generate_fragments_module(
        self,
        module: ast.Module,
        fragments_definitions: dict[str, FragmentDefinitionNode],
    ) -> ast.Module:
        section = self.config_dict.get("tool", {}).get("ariadne-codegen", {})
        name = str(section.get("fragments_module_name", "fragments"))
        module = self._tolerant(module, name)
        for result_module, operation, result_name in getattr(self, "_bulk_deferred", []):
            before = _class_names(result_module)
            bulk.record_classes(
                result_module, operation, self.schema, self._bulk_fragments(), module, name
            )
            self._export(result_name, sorted(_class_names(result_module) - before))
        self._bulk_deferred = []
        return module

    def _tolerant(self, module: ast.Module, module_name: str) -> ast.Module:
        module, added = tolerate_new_members(_import_field(module), self.schema)
        if added:
            # exported from the package __init__ like ariadne-codegen's own models
            self._fallbacks = {**getattr(self, "_fallbacks", {}), module_name: added}
        # last: pagination (above) finds response keys by their `alias=`
        return _aliases_for_type_checkers(module)

    def generate_input_field(
        self,
        field_implementation: ast.AnnAssign,
        input_field: GraphQLInputField,
        field_name: str,
    ) -> ast.AnnAssign:
        return _hide_from_repr(field_implementation)

    def generate_result_field(
        self,
        field_implementation: ast.AnnAssign,
        operation_definition: ExecutableDefinitionNode,
        field: FieldNode,
    ) -> ast.AnnAssign:
        return _hide_from_repr(field_implementation)


def _type_call_options(method_def: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """``**kwargs: Any`` -> ``**kwargs: Unpack[CallOptions]``: a misspelt option
    (``timeot=3``) is a type error, not a surprise at run time."""
    if method_def.args.kwarg is not None:
        method_def.args.kwarg.annotation = ast.Subscript(
            value=ast.Name(id="Unpack", ctx=ast.Load()),
            slice=ast.Name(id="CallOptions", ctx=ast.Load()),
            ctx=ast.Load(),
        )


def _pass_operation_type(
    method_def: ast.FunctionDef | ast.AsyncFunctionDef, operation_type: str
) -> None:
    """``self.execute(...)`` -> ``self.execute(..., operation_type="query")``: the
    method knows what its document is, so the runtime need not scan it to tell
    whether a retry could repeat a write."""
    for node in ast.walk(method_def):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "execute"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
            and not any(k.arg == "operation_type" for k in node.keywords)
        ):
            at = next((i for i, k in enumerate(node.keywords) if k.arg is None), None)
            keyword = ast.keyword(arg="operation_type", value=ast.Constant(value=operation_type))
            node.keywords.insert(len(node.keywords) if at is None else at, keyword)


def _import_field(module: ast.Module) -> ast.Module:
    """Make ``Field`` importable; ruff drops the import again where it is unused."""
    module.body.insert(
        0, ast.ImportFrom(module="pydantic", names=[ast.alias(name="Field")], level=0)
    )
    return module


def _aliases_for_type_checkers(module: ast.Module) -> ast.Module:
    """``Field(alias="ownerId")`` -> ``Field(validation_alias="ownerId",
    serialization_alias="ownerId")`` on every model field of ``module``.

    Type checkers read pydantic models through ``dataclass_transform``, which names a
    field's ``__init__`` parameter after its ``alias``: plain ``mypy --strict`` and
    pyright would reject ``MetafieldsSetInput(owner_id=...)`` and ask for ``ownerId``.
    With the two aliases instead, they see the Python name, and pydantic still reads
    responses by the GraphQL name (the base model's ``populate_by_name`` accepts the
    Python name too) and writes variables by it (``by_alias=True``).
    """
    for class_def in module.body:
        if not isinstance(class_def, ast.ClassDef):
            continue
        for stmt in class_def.body:
            call = stmt.value if isinstance(stmt, ast.AnnAssign) else None
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "Field"
            ):
                continue
            keywords: list[ast.keyword] = []
            for keyword in call.keywords:
                if keyword.arg == "alias":
                    keywords.append(ast.keyword(arg="validation_alias", value=keyword.value))
                    keywords.append(ast.keyword(arg="serialization_alias", value=keyword.value))
                else:
                    keywords.append(keyword)
            call.keywords = keywords
    return module


class _ParseResultRewriter(ast.NodeTransformer):
    """``Model.model_validate(data)`` -> ``self.parse_result(Model, data)``."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "model_validate" and node.args:
            return ast.Call(
                func=ast.Attribute(
                    value=ast.Name(id="self", ctx=ast.Load()), attr="parse_result", ctx=ast.Load()
                ),
                args=[func.value, *node.args],
                keywords=node.keywords,
            )
        return node


_STRING_ANNOTATIONS = frozenset({"str", "Optional[str]", "str | None"})


def _hide_from_repr(field: ast.AnnAssign) -> ast.AnnAssign:
    """``password: str`` -> ``password: str = Field(repr=False)`` (only string fields)."""
    if (
        not isinstance(field.target, ast.Name)
        or not is_sensitive_key(field.target.id)
        or ast.unparse(field.annotation) not in _STRING_ANNOTATIONS
    ):
        return field
    repr_false = ast.keyword(arg="repr", value=ast.Constant(value=False))
    value = field.value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "Field"
    ):
        value.keywords.append(repr_false)
    elif value is None:
        field.value = ast.Call(
            func=ast.Name(id="Field", ctx=ast.Load()), args=[], keywords=[repr_false]
        )
    else:
        field.value = ast.Call(
            func=ast.Name(id="Field", ctx=ast.Load()),
            args=[],
            keywords=[ast.keyword(arg="default", value=value), repr_false],
        )
    return field


def _rewrite_base_model(code: str) -> str:
    """ariadne-codegen's ``base_model.py``, with the runtime's ``UNSET``,
    ``hide_input_in_errors=True`` (a password never shows in a ValidationError) and
    ``ser_json_inf_nan="constants"`` (see ``shopify_client._variables``)."""
    module = ast.parse(code)
    body: list[ast.stmt] = [
        ast.ImportFrom(
            module="shopify_client",
            # "as" marks the re-export for mypy --strict (client modules import them here)
            # typename_discriminator too: the result modules import it from here,
            # relative, so their import blocks do not depend on isort's settings
            names=[
                ast.alias(name="UNSET", asname="UNSET"),
                ast.alias(name="UnsetType", asname="UnsetType"),
                ast.alias(name="typename_discriminator", asname="typename_discriminator"),
                ast.alias(name="CallOptions", asname="CallOptions"),
            ],
            level=0,
        )
    ]
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name == "UnsetType":
            continue
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "UNSET"
        ):
            continue
        if isinstance(node, ast.ClassDef) and node.name == "BaseModel":
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.targets[0], ast.Name)
                    and stmt.targets[0].id == "model_config"
                    and isinstance(stmt.value, ast.Call)
                ):
                    stmt.value.keywords.append(
                        ast.keyword(arg="hide_input_in_errors", value=ast.Constant(value=True))
                    )
                    # NaN and infinities written as the (invalid JSON) tokens, not as
                    # null: the runtime's one-pass encoder of input models finds them
                    # and refuses them, as it refuses them anywhere else.
                    stmt.value.keywords.append(
                        ast.keyword(arg="ser_json_inf_nan", value=ast.Constant(value="constants"))
                    )
        body.append(node)
    return "# Generated by ariadne-codegen\n\n" + _layout(body)


def _layout(body: list[ast.stmt]) -> str:
    """Lay the module out the way ruff formats it, whatever the ruff config in
    the working directory (ariadne-codegen does not format copied files)."""
    imports: list[str] = []
    for n in body:
        if isinstance(n, ast.ImportFrom):  # one name a line, as ruff's isort does
            imports += [
                ast.unparse(ast.ImportFrom(module=n.module, names=[a], level=n.level))
                for a in n.names
            ]
        elif isinstance(n, ast.Import):
            imports.append(ast.unparse(n))
    third_party = [i for i in imports if "shopify_client" not in i]
    ours = [i for i in imports if "shopify_client" in i]
    parts = ["\n".join(third_party), "\n".join(ours)]
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.ClassDef):
            parts.append("\n" + _layout_class(node))
        else:
            parts.append(ast.unparse(node))
    return "\n\n".join(p for p in parts if p) + "\n"


def _layout_class(node: ast.ClassDef) -> str:
    bases = ", ".join(ast.unparse(b) for b in node.bases)
    lines = [f"class {node.name}({bases}):"]
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.Call)
            and not stmt.value.args
            and stmt.value.keywords
        ):
            target = ast.unparse(stmt.targets[0])
            lines.append(f"    {target} = {ast.unparse(stmt.value.func)}(")
            lines += [f"        {k.arg}={ast.unparse(k.value)}," for k in stmt.value.keywords]
            lines.append("    )")
        else:
            lines += ["    " + line for line in ast.unparse(stmt).splitlines()]
    return "\n".join(lines)


# -- unions and interfaces that tolerate new members ----------------------------------

TYPENAME = "typename__"


def _typename_values(class_def: ast.ClassDef) -> list[str] | None:
    """The ``__typename`` values of a generated model (its ``Literal``), if any."""
    for stmt in class_def.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == TYPENAME
        ):
            annotation = stmt.annotation
            if (
                isinstance(annotation, ast.Subscript)
                and isinstance(annotation.value, ast.Name)
                and annotation.value.id == "Literal"
            ):
                elts = (
                    annotation.slice.elts
                    if isinstance(annotation.slice, ast.Tuple)
                    else [annotation.slice]
                )
                return [v for v in (forward_ref(e) for e in elts) if v is not None]
            return None
    return None


def _set_typename_to_str(class_def: ast.ClassDef) -> None:
    for stmt in class_def.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == TYPENAME
        ):
            stmt.annotation = ast.Name(id="str", ctx=ast.Load())


def _is_discriminator_call(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Field"
        and any(
            k.arg == "discriminator"
            and isinstance(k.value, ast.Constant)
            and k.value.value == TYPENAME
            for k in node.keywords
        )
    )


def _abstract_name(schema: GraphQLSchema, members: set[str]) -> str | None:
    """The union (preferred) or interface whose possible types are exactly ``members``."""
    candidates = []
    for name, graphql_type in schema.type_map.items():
        if is_abstract_type(graphql_type):
            possible = {t.name for t in schema.get_possible_types(graphql_type)}  # type: ignore[arg-type]
            if possible == members:
                candidates.append((not is_union_type(graphql_type), name))
    return min(candidates)[1] if candidates else None


class _UnionRewriter(ast.NodeTransformer):
    """Rewrites each ``Annotated[Union[...], Field(discriminator="typename__")]``."""

    def __init__(self, module: ast.Module, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.classes = {n.name: n for n in module.body if isinstance(n, ast.ClassDef)}
        self.new_classes: list[tuple[str, ast.ClassDef]] = []  # (insert after, class)
        self.changed = False
        self.typenames = {
            name: values
            for name, class_def in self.classes.items()
            if (values := _typename_values(class_def)) is not None
        }
        self.union_members: set[str] = set()
        self.fallbacks: set[str] = set()
        #: models of the abstract type itself: their Literal names the abstract type
        self.abstract = {
            name for name, values in self.typenames.items() if self._is_abstract(values)
        }

    def _is_abstract(self, values: list[str]) -> bool:
        return any(
            v in self.schema.type_map and is_abstract_type(self.schema.type_map[v]) for v in values
        )

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        """``Optional[Annotated[Union[...], Field(discriminator=...)]]`` and list forms."""
        self.generic_visit(node)
        if not (
            isinstance(node.value, ast.Name)
            and node.value.id == "Annotated"
            and isinstance(node.slice, ast.Tuple)
            and len(node.slice.elts) == 2
            and _is_discriminator_call(node.slice.elts[1])
        ):
            return node
        rewritten = self._rewrite(node.slice.elts[0])
        return rewritten if rewritten is not None else node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        """``x: Union[...] = Field(discriminator=...)`` (a non-null abstract field)."""
        self.generic_visit(node)
        value = node.value
        if value is None or not _is_discriminator_call(value):
            return node
        rewritten = self._rewrite(node.annotation)
        if rewritten is None:
            return node
        node.annotation = rewritten
        assert isinstance(value, ast.Call)
        value.keywords = [k for k in value.keywords if k.arg != "discriminator"]
        if not value.keywords and not value.args:
            node.value = None
        return node

    def _rewrite(self, union: ast.expr) -> ast.expr | None:
        """``Annotated[Union[Annotated[M, Tag(M)], ...], Discriminator(...)]``, or None
        when ``union`` is not a union of this module's models."""
        if not (
            isinstance(union, ast.Subscript)
            and isinstance(union.value, ast.Name)
            and union.value.id == "Union"
        ):
            return None
        elts = union.slice.elts if isinstance(union.slice, ast.Tuple) else [union.slice]
        members = [m for m in (forward_ref(e) for e in elts) if m is not None]
        self.union_members.update(members)
        if len(members) != len(elts) or not all(m in self.classes for m in members):
            return None  # not the shape ariadne-codegen writes: leave it as it is
        tags: dict[str, str] = {}
        fallback: str | None = None
        typenames: set[str] = set()
        for member in members:
            values = self.typenames.get(member) or []
            typenames.update(values)
            if member in self.abstract:
                fallback = member
            else:
                tags.update(dict.fromkeys(values, member))
        if fallback is None:
            fallback = self._new_fallback(members, typenames)
            members.append(fallback)
        self.fallbacks.add(fallback)
        self.changed = True
        tagged = [
            ast.Subscript(
                value=ast.Name(id="Annotated", ctx=ast.Load()),
                slice=ast.Tuple(
                    elts=[
                        # a quoted Name, as ariadne-codegen writes forward references:
                        # it collects these to import what fragment subclasses inherit
                        ast.Name(id=f'"{m}"', ctx=ast.Load()),
                        ast.Call(
                            func=ast.Name(id="Tag", ctx=ast.Load()),
                            args=[ast.Constant(value=m)],
                            keywords=[],
                        ),
                    ],
                    ctx=ast.Load(),
                ),
                ctx=ast.Load(),
            )
            for m in members
        ]
        discriminator = ast.Call(
            func=ast.Name(id="Discriminator", ctx=ast.Load()),
            args=[
                ast.Call(
                    func=ast.Name(id="typename_discriminator", ctx=ast.Load()),
                    args=[
                        ast.Dict(
                            keys=[ast.Constant(value=k) for k in sorted(tags)],
                            values=[ast.Constant(value=tags[k]) for k in sorted(tags)],
                        ),
                        ast.Constant(value=fallback),
                    ],
                    keywords=[],
                )
            ],
            keywords=[],
        )
        union.slice = ast.Tuple(elts=list(tagged), ctx=ast.Load())
        return ast.Subscript(
            value=ast.Name(id="Annotated", ctx=ast.Load()),
            slice=ast.Tuple(elts=[union, discriminator], ctx=ast.Load()),
            ctx=ast.Load(),
        )

    def _new_fallback(self, members: list[str], typenames: set[str]) -> str:
        """A model for types without one: only ``__typename`` (nothing else was
        selected on the abstract type itself, or ariadne-codegen would have
        written this model)."""
        first = members[0]
        first_values = self.typenames.get(first) or [""]
        prefix = first[: -len(first_values[0])] if first.endswith(first_values[0]) else first
        abstract = _abstract_name(self.schema, typenames) or "Unknown"
        name = prefix + abstract
        while name in self.classes:
            name += "_"
        class_def = ast.ClassDef(
            name=name,
            bases=[ast.Name(id="BaseModel", ctx=ast.Load())],
            keywords=[],
            body=[
                ast.AnnAssign(
                    target=ast.Name(id=TYPENAME, ctx=ast.Store()),
                    annotation=ast.Name(id="str", ctx=ast.Load()),
                    value=ast.Call(
                        func=ast.Name(id="Field", ctx=ast.Load()),
                        args=[],
                        keywords=[ast.keyword(arg="alias", value=ast.Constant(value="__typename"))],
                    ),
                    simple=1,
                )
            ],
            decorator_list=[],
        )
        if sys.version_info >= (3, 12):
            class_def.type_params = []
        self.classes[name] = class_def
        self.new_classes.append((members[-1], class_def))
        return name


def tolerate_new_members(module: ast.Module, schema: GraphQLSchema) -> tuple[ast.Module, list[str]]:
    """Let every abstract field of ``module`` parse ``__typename``s it does not know.

    * A model whose ``__typename`` ``Literal`` names an abstract type (ariadne-codegen
      writes one for the fields selected on the interface itself) gets a plain
      ``str``: it is the fallback, for the types without a model of their own, and
      for types Shopify adds later.
    * A discriminated union gets a callable discriminator
      (:func:`shopify_client.typename_discriminator`) that sends an unknown
      ``__typename`` to that fallback; where ariadne-codegen wrote none (a union, or
      an interface whose every type has an inline fragment), one is added holding
      only ``__typename``, named like ariadne-codegen names models: the field's
      prefix plus the abstract type's name.

    Returns the module and the names of the models it added.
    """
    rewriter = _UnionRewriter(module, schema)
    rewriter.visit(module)
    # A fallback gets a plain str; so does a lone model of an abstract field (no
    # union). One left in a union that could not be rewritten keeps its Literal:
    # pydantic's typename__ discriminator needs it.
    kept = rewriter.union_members - rewriter.fallbacks
    for name in rewriter.abstract - kept:
        _set_typename_to_str(rewriter.classes[name])
    for after, class_def in rewriter.new_classes:
        index = next(
            i for i, n in enumerate(module.body) if isinstance(n, ast.ClassDef) and n.name == after
        )
        module.body.insert(index + 1, class_def)
    if rewriter.changed:
        module.body.insert(
            0,
            ast.ImportFrom(
                module="pydantic",
                names=[ast.alias(name="Discriminator"), ast.alias(name="Tag")],
                level=0,
            ),
        )
        module.body.insert(
            0,
            ast.ImportFrom(
                module="base_model",
                names=[ast.alias(name="typename_discriminator")],
                level=1,
            ),
        )
    return ast.fix_missing_locations(module), [c.name for _, c in rewriter.new_classes]


def _class_names(module: ast.Module) -> set[str]:
    return {node.name for node in module.body if isinstance(node, ast.ClassDef)}
