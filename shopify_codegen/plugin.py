"""The ariadne-codegen plugin that fits generated packages to the Shopify runtime.

ariadne-codegen runs it (``plugins`` in codegen.toml) for every package it writes.
It reads its own settings from the ``[tool.shopify-codegen]`` section that
:mod:`shopify_codegen.generate` puts in the config it hands to ariadne-codegen:

* enums derive from :class:`shopify_client.ShopifyEnum`, so values Shopify adds
  later parse instead of failing;
* each client method validates through ``self.parse_result`` (a misfit becomes a
  typed ``InvalidResponseError`` naming the path, never a bare ``ValidationError``);
* client classes carry ``api_version``, the package ``__init__`` exports
  ``API``, ``API_VERSION`` and (for the sync run, the last) ``AsyncClient``;
* fields that hold secrets (tokens, passwords) are left out of model reprs.
"""

from __future__ import annotations

import ast
from typing import Any

from ariadne_codegen.plugins.base import Plugin
from graphql import (
    ExecutableDefinitionNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLInputField,
    OperationDefinitionNode,
)

from shopify_client._redact import is_sensitive_key

SECTION = "shopify-codegen"


class ShopifyPlugin(Plugin):
    def _settings(self) -> dict[str, Any]:
        section = self.config_dict.get("tool", {}).get(SECTION, {})
        if not {"api", "version"} <= set(section):
            raise ValueError(f"[tool.{SECTION}] needs 'api' and 'version' (set by shopify-codegen)")
        return dict(section)

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
        class_def.body = [doc, version, *class_def.body]
        return class_def

    def generate_client_method(
        self,
        method_def: ast.FunctionDef | ast.AsyncFunctionDef,
        operation_definition: OperationDefinitionNode,
    ) -> ast.FunctionDef | ast.AsyncFunctionDef:
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
        return module

    # -- secrets out of reprs -------------------------------------------------------

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        return _import_field(module)

    def generate_result_types_module(
        self, module: ast.Module, operation_definition: ExecutableDefinitionNode
    ) -> ast.Module:
        return _import_field(module)

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


def _import_field(module: ast.Module) -> ast.Module:
    """Make ``Field`` importable; ruff drops the import again where it is unused."""
    module.body.insert(
        0, ast.ImportFrom(module="pydantic", names=[ast.alias(name="Field")], level=0)
    )
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
