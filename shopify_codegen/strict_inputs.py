"""The generated input types refuse fields they do not have.

Pydantic ignores unknown keyword arguments by default, so a misspelt input field
was dropped without a word: ``MetafieldsSetInput(owner_id=..., namspace="custom")``
sent the mutation without its namespace. This ariadne-codegen plugin gives the
input types of ``input_types.py`` (and only them: result models must keep accepting
fields a newer API version adds) a base class of their own, configured
``extra="forbid"``, so that call raises a ``ValidationError`` naming ``namspace``.
"""

from __future__ import annotations

import ast

from ariadne_codegen.plugins.base import Plugin

__all__ = ["INPUT_BASE", "StrictInputsPlugin"]

#: The input types' base class, defined at the top of ``input_types.py`` (private:
#: the package does not export it).
INPUT_BASE = "_StrictInput"


def _base_class() -> ast.ClassDef:
    from ariadne_codegen.codegen import (
        generate_assign,
        generate_call,
        generate_class_def,
        generate_constant,
        generate_expr,
        generate_keyword,
        generate_name,
    )

    config = generate_call(
        func=generate_name("ConfigDict"),
        keywords=[generate_keyword(arg="extra", value=generate_constant("forbid"))],
    )
    doc = "Input types refuse unknown fields: a misspelt one is an error, not dropped."
    return generate_class_def(
        name=INPUT_BASE,
        base_names=["BaseModel"],
        body=[
            generate_expr(generate_constant(doc)),
            generate_assign(targets=["model_config"], value=config),
        ],
    )


def _is_base_model(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "BaseModel"


class StrictInputsPlugin(Plugin):
    """Rebases every input type of the inputs module on :data:`INPUT_BASE`."""

    def generate_inputs_module(self, module: ast.Module) -> ast.Module:
        classes = [
            node
            for node in module.body
            if isinstance(node, ast.ClassDef) and any(_is_base_model(b) for b in node.bases)
        ]
        if not classes:
            return module
        for class_def in classes:
            class_def.bases = [
                ast.Name(id=INPUT_BASE, ctx=ast.Load()) if _is_base_model(b) else b
                for b in class_def.bases
            ]
        first_class = module.body.index(classes[0])
        module.body[first_class:first_class] = [
            ast.ImportFrom(module="pydantic", names=[ast.alias(name="ConfigDict")], level=0),
            _base_class(),
        ]
        return module
