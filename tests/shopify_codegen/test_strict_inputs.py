"""Generated input types refuse fields they do not have; result models do not.

Before: ``StorefrontAccessTokenInput(title="x", titel="y")`` built an input without
a word, and a misspelt optional field (``namspace=``) was silently not sent.
"""

from __future__ import annotations

import ast

from tests.conftest import fixture_project, run_fresh


def test_only_the_input_types_get_the_strict_base() -> None:
    package = fixture_project() / "generated" / "shopify_admin"
    inputs = ast.parse((package / "input_types.py").read_text())
    classes = {n.name: n for n in inputs.body if isinstance(n, ast.ClassDef)}
    assert "_StrictInput" in classes
    for name, node in classes.items():
        if name != "_StrictInput":
            assert [ast.unparse(b) for b in node.bases] == ["_StrictInput"], name
    assert "_StrictInput" not in (package / "__init__.py").read_text()  # not exported
    for module in package.glob("*.py"):
        if module.name != "input_types.py":
            assert "extra=" not in module.read_text(), module.name


def test_a_misspelt_input_field_is_an_error_and_a_result_keeps_extra_fields() -> None:
    root = fixture_project() / "generated"
    result = run_fresh(
        f"""
        import json, sys
        sys.path.insert(0, {str(root)!r})
        import pydantic
        from shopify_admin import StorefrontAccessTokenInput
        from shopify_admin.storefront_access_token_create import StorefrontAccessTokenCreate
        good = StorefrontAccessTokenInput(title="x").model_dump(by_alias=True)
        try:
            StorefrontAccessTokenInput(title="x", titel="y")
            refused = None
        except pydantic.ValidationError as exc:
            refused = [list(e["loc"]) + [e["type"]] for e in exc.errors()]
        # A result with a field a newer version added still parses.
        parsed = StorefrontAccessTokenCreate.model_validate(
            {{"storefrontAccessTokenCreate": None, "addedLater": 1}}
        )
        print(json.dumps({{"good": good, "refused": refused, "parsed": parsed is not None}}))
        """
    )
    assert result == {
        "good": {"title": "x"},
        "refused": [["titel", "extra_forbidden"]],
        "parsed": True,
    }
